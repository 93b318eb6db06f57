// The UI's vector index pages: the list of indexes, and one index with a search in it.
#include <cstdio>

#include "text/tokenizer.h"
#include "web/templates.h"
#include "web/ui_format.h"
#include "web/ui_http.h"
#include "web/ui_index_search.h"
#include "web/ui_pages.h"

namespace lakehouse::web {
namespace {

// BM25's parameters as the overview shows them: k1 1.2 · b 0.75 · english.
Data FullTextData(const text::Bm25Params& params) {
  char number[32];
  Data data;
  std::snprintf(number, sizeof number, "%g", params.k1);
  data.set("k1", std::string(number));
  std::snprintf(number, sizeof number, "%g", params.b);
  data.set("b", std::string(number));
  data.set("stemmer", std::string(text::StemmingName(params.stemming)));
  return data;
}

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
  item.set("has_full_text", p.full_text.has_value());
  if (p.full_text) item.set("full_text", FullTextData(*p.full_text));
  // A text is searched by embedding it, by its keywords, or both.
  item.set("text_search", !p.model.empty() || p.full_text.has_value());
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
  const IndexSearchForm form = ReadSearchForm(request);
  Data data = IndexData(*status);
  SetFormData(form, *status, data);
  int http_status = 200;
  RunSearch(vectors, *status, form, data, &http_status);
  if (WantsPart(request, "hits")) {
    return Send(request, response, RenderTemplate("index_hits", data), http_status);
  }
  Send(request, response, RenderPage("index", name, data), http_status);
}

}  // namespace lakehouse::web
