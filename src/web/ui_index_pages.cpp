// The UI's vector index pages: the list of indexes, and one index with a search in it.
#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>

#include "http/http_status.h"
#include "web/templates.h"
#include "web/ui_format.h"
#include "web/ui_http.h"
#include "web/ui_pages.h"

namespace lakehouse::web {
namespace {

using nlohmann::json;

constexpr size_t kMaxHits = 1000;

Data IndexData(const vector::IndexStatus& status) {
  const auto& p = status.params;
  Data item;
  item.set("name", p.name);
  item.set("dim", std::to_string(p.dim));
  item.set("metric", std::string(vector::MetricName(p.metric)));
  item.set("m", std::to_string(p.m));
  item.set("ef_construction", std::to_string(p.ef_construction));
  item.set("ef_search", std::to_string(p.ef_search));
  item.set("count", FormatCount(status.count));
  item.set("persisted", status.persisted);
  item.set("model", p.model);
  item.set("has_model", !p.model.empty());
  if (status.source) {
    Data source;
    source.set("dataset", status.source->dataset);
    source.set("version", std::to_string(status.source->version));
    source.set("id_column", status.source->id_column);
    source.set("text_column", status.source->text_column);
    item.set("source", source);
  }
  return item;
}

Result<std::vector<float>> ParseQueryVector(const std::string& text) {
  auto parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_array()) {
    return Status::InvalidArgument("the vector must be a JSON array of numbers, like [0.1, 0.2]");
  }
  std::vector<float> out;
  for (size_t i = 0; i < parsed.size(); ++i) {
    if (!parsed[i].is_number()) {
      return Status::InvalidArgument("component " + std::to_string(i) + " is not a number");
    }
    out.push_back(parsed[i].get<float>());
  }
  return out;
}

// An empty filter field is no filter.
Result<vector::MetadataFilter> ParseFilter(const std::string& text) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return vector::MetadataFilter{};
  auto parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded()) {
    return Status::InvalidArgument(
        "the filter must be a JSON object, like {\"state\": \"TX\", \"rate\": {\"lte\": 80}}");
  }
  return vector::MetadataFilter::Parse(parsed);
}

// `status` gets the HTTP status of a failed search.
Data HitsData(const std::function<Result<std::vector<vector::Hit>>()>& search, int* status) {
  Data data;
  auto hits = search();
  if (!hits.ok()) {
    data.set("hits_error", ErrorData(hits.status()));
    *status = http::HttpStatusFor(hits.status().code());
    return data;
  }
  List list;
  size_t rank = 0;
  for (const auto& hit : *hits) {
    Data item;
    item.set("rank", std::to_string(++rank));
    item.set("id", hit.id);
    char distance[32];
    std::snprintf(distance, sizeof distance, "%.6g", hit.distance);
    item.set("distance", std::string(distance));
    List fields;
    for (const auto& [key, value] : hit.metadata->items()) {
      Data field;
      field.set("key", key);
      field.set("value", value.is_string()
                             ? value.get<std::string>()
                             : value.dump(-1, ' ', false, json::error_handler_t::replace));
      fields.push_back(field);
    }
    item.set("metadata", fields);
    list.push_back(item);
  }
  data.set("hits", list);
  data.set("searched", true);
  data.set("no_hits", list.empty());
  return data;
}

}  // namespace

void IndexesPage(vector::VectorService& vectors, const httplib::Request& request,
                 httplib::Response& response) {
  List indexes;
  for (const auto& status : vectors.List()) indexes.push_back(IndexData(status));
  Data data;
  data.set("indexes", indexes);
  data.set("no_indexes", indexes.empty());
  data.set("persistent", vectors.persistent());
  Send(request, response, RenderPage("indexes", "Vector indexes", data));
}

void IndexPage(vector::VectorService& vectors, const httplib::Request& request,
               httplib::Response& response) {
  const std::string name = request.matches[1];
  auto status = vectors.Describe(name);
  if (!status.ok()) return SendError(request, response, status.status());
  const std::string vector_text = request.get_param_value("vector");
  const std::string query_text = request.get_param_value("text");
  const std::string filter_text = request.get_param_value("filter");
  uint64_t k =
      std::clamp<uint64_t>(ParseUint(request.get_param_value("k")).value_or(10), 1, kMaxHits);
  Data data = IndexData(*status);
  data.set("vector", vector_text);
  data.set("text", query_text);
  data.set("filter", filter_text);
  data.set("k", std::to_string(k));
  int http_status = 200;
  if (!query_text.empty()) {
    data.set("search", HitsData(
                           [&]() -> Result<std::vector<vector::Hit>> {
                             LH_ASSIGN_OR_RETURN(auto parsed_filter, ParseFilter(filter_text));
                             return vectors.SearchText(name, query_text, static_cast<size_t>(k),
                                                       std::nullopt, parsed_filter);
                           },
                           &http_status));
  } else if (!vector_text.empty()) {
    data.set("search", HitsData(
                           [&]() -> Result<std::vector<vector::Hit>> {
                             LH_ASSIGN_OR_RETURN(auto query, ParseQueryVector(vector_text));
                             LH_ASSIGN_OR_RETURN(auto parsed_filter, ParseFilter(filter_text));
                             LH_ASSIGN_OR_RETURN(auto index, vectors.Find(name));
                             return index->SearchFiltered(query, static_cast<size_t>(k),
                                                          std::nullopt, parsed_filter);
                           },
                           &http_status));
  }
  if (WantsPart(request, "hits")) {
    return Send(request, response, RenderTemplate("index_hits", data), http_status);
  }
  Send(request, response, RenderPage("index", name, data), http_status);
}

}  // namespace lakehouse::web
