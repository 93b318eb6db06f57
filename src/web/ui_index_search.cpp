// The index page's search: form fields to a SearchRequest, and its hits to
// the data of web/templates/index_hits.mustache.
#include "web/ui_index_search.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "http/http_status.h"
#include "web/term_highlight.h"
#include "web/ui_http.h"

namespace lakehouse::web {
namespace {

using nlohmann::json;

constexpr size_t kMaxHits = 1000;
constexpr const char* kModes[] = {"hybrid", "vector", "keyword"};
constexpr const char* kAbsent = "\u2014";  // an em dash, as elsewhere in the tables

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

// A text search asks for the matched terms wherever the index can say them.
Result<vector::SearchRequest> BuildRequest(const IndexSearchForm& form, bool has_full_text) {
  vector::SearchRequest request;
  request.k = form.k;
  if (!form.mode.empty()) {
    LH_ASSIGN_OR_RETURN(request.mode, vector::ParseSearchMode(form.mode));
  }
  if (!form.text.empty()) {
    request.text = form.text;
    request.highlight = has_full_text;
  } else {
    LH_ASSIGN_OR_RETURN(request.vector, ParseQueryVector(form.vector));
  }
  LH_ASSIGN_OR_RETURN(request.filter, ParseFilter(form.filter));
  return request;
}

std::string FormatNumber(const char* format, double value) {
  char out[32];
  std::snprintf(out, sizeof out, format, value);
  return out;
}

std::string RankText(const std::optional<size_t>& rank) {
  return rank ? std::to_string(*rank) : kAbsent;
}

List PiecesData(std::string_view value, const std::vector<std::string>& terms) {
  List pieces;
  for (const auto& piece : HighlightTerms(value, terms)) {
    Data one;
    one.set("piece", piece.text);
    one.set("marked", piece.marked);
    pieces.push_back(std::move(one));
  }
  return pieces;
}

List MetadataData(const json& metadata, const std::vector<std::string>& terms) {
  List fields;
  for (const auto& [key, value] : metadata.items()) {
    Data field;
    field.set("key", key);
    field.set("pieces", PiecesData(value.is_string()
                                       ? value.get<std::string>()
                                       : value.dump(-1, ' ', false, json::error_handler_t::replace),
                                   terms));
    fields.push_back(std::move(field));
  }
  return fields;
}

Data HitData(const vector::RankedHit& hit, size_t rank) {
  Data item;
  item.set("rank", std::to_string(rank));
  item.set("id", hit.id);
  item.set("score", FormatNumber("%.4g", hit.score));
  item.set("distance", hit.distance ? FormatNumber("%.6g", *hit.distance) : kAbsent);
  item.set("vector_rank", RankText(hit.vector_rank));
  item.set("keyword_rank", RankText(hit.keyword_rank));
  List matched;
  for (const auto& term : hit.matched) matched.push_back(Data("term", term));
  item.set("matched", matched);
  item.set("metadata", MetadataData(*hit.metadata, hit.matched));
  return item;
}

Data HitsData(const vector::SearchResult& result, bool highlighted) {
  List list;
  for (const auto& hit : result.hits) list.push_back(HitData(hit, list.size() + 1));
  Data data;
  data.set("hits", list);
  data.set("searched", true);
  data.set("no_hits", list.empty());
  data.set("mode", std::string(vector::SearchModeName(result.mode)));
  data.set("hybrid", result.mode == vector::SearchMode::kHybrid);
  data.set("highlighted", highlighted);
  return data;
}

}  // namespace

IndexSearchForm ReadSearchForm(const httplib::Request& request) {
  IndexSearchForm form;
  form.text = request.get_param_value("text");
  form.vector = request.get_param_value("vector");
  form.filter = request.get_param_value("filter");
  form.mode = request.get_param_value("mode");
  form.k = static_cast<size_t>(
      std::clamp<uint64_t>(ParseUint(request.get_param_value("k")).value_or(10), 1, kMaxHits));
  return form;
}

void SetFormData(const IndexSearchForm& form, const vector::IndexStatus& status, Data& data) {
  data.set("text", form.text);
  data.set("vector", form.vector);
  data.set("filter", form.filter);
  data.set("k", std::to_string(form.k));
  if (!status.params.full_text) return;
  // Without a model only the keyword mode can answer a text.
  const std::string chosen =
      !form.mode.empty() ? form.mode : (status.params.model.empty() ? "keyword" : "hybrid");
  List modes;
  for (const char* mode : kModes) {
    Data one;
    one.set("mode", std::string(mode));
    one.set("checked", chosen == mode);
    modes.push_back(std::move(one));
  }
  data.set("modes", modes);
}

void RunSearch(vector::VectorService& vectors, const vector::IndexStatus& status,
               const IndexSearchForm& form, Data& data, int* http_status) {
  if (form.text.empty() && form.vector.empty()) return;
  const bool has_full_text = status.params.full_text.has_value();
  auto result = [&]() -> Result<vector::SearchResult> {
    LH_ASSIGN_OR_RETURN(auto request, BuildRequest(form, has_full_text));
    return vectors.Search(status.params.name, request);
  }();
  if (!result.ok()) {
    Data failed;
    failed.set("hits_error", ErrorData(result.status()));
    data.set("search", failed);
    *http_status = http::HttpStatusFor(result.status().code());
    return;
  }
  data.set("search", HitsData(*result, has_full_text && !form.text.empty()));
}

}  // namespace lakehouse::web
