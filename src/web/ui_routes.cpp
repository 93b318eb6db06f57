#include "web/ui_routes.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "catalog/restore.h"
#include "common/logging.h"
#include "common/time_format.h"
#include "common/version.h"
#include "http/http_status.h"
#include "web/assets.h"
#include "web/bar_chart.h"
#include "web/query_table.h"
#include "web/templates.h"

namespace lakehouse::web {
namespace {

using nlohmann::json;

constexpr size_t kPageRows = 50;     // rows per page of the SQL console
constexpr size_t kPreviewRows = 20;  // rows of a dataset version's preview
constexpr size_t kMaxHits = 1000;

// ---- formatting (presentation only) ----

std::string FormatCount(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string FormatBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", value, kUnits[unit]);
  return buf;
}

std::string FormatMs(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

// Percent-encodes a query-string value (RFC 3986 unreserved bytes stay).
std::string UrlEncode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<uint64_t> ParseUint(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// ---- responses ----

// True for an htmx request that replaces the element with this id; history
// restores and plain navigations get the whole page.
bool WantsPart(const httplib::Request& request, std::string_view target) {
  return request.has_header("HX-Request") && !request.has_header("HX-History-Restore-Request") &&
         request.get_header_value("HX-Target") == target;
}

void SendHtml(httplib::Response& response, int status, const std::string& html) {
  response.status = status;
  // One URL serves a page or a part of it, by header.
  response.set_header("Vary", "HX-Request, HX-Target");
  response.set_header("Cache-Control", "no-store");
  // Scripts and styles come only from /static: even a value that escaped
  // escaping could not run script. (htmx is configured not to eval.)
  response.set_header("Content-Security-Policy",
                      "default-src 'self'; img-src 'self' data:; base-uri 'none'; "
                      "form-action 'self'; frame-ancestors 'none'");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_content(html, "text/html; charset=utf-8");
}

// Renders `status` as an error page, or as the error part of a page for htmx.
void SendError(const httplib::Request& request, httplib::Response& response, const Status& status) {
  const int http_status = http::HttpStatusFor(status.code());
  Data data;
  data.set("status", std::to_string(http_status));
  data.set("message", status.message());
  auto html = request.has_header("HX-Request") && !request.has_header("HX-History-Restore-Request")
                  ? RenderTemplate("error", data)
                  : RenderPage("error_page", "Error", data);
  if (!html.ok()) {
    spdlog::error("web: {}", html.status().ToString());
    response.status = http_status;
    response.set_content(status.message(), "text/plain; charset=utf-8");
    return;
  }
  SendHtml(response, http_status, *html);
}

// `status` is the HTTP status of a page that shows an error in place.
void Send(const httplib::Request& request, httplib::Response& response,
          const Result<std::string>& html, int status = 200) {
  if (!html.ok()) {
    spdlog::error("web: {}", html.status().ToString());
    return SendError(request, response, html.status());
  }
  SendHtml(response, status, *html);
}

Data ErrorData(const Status& status) {
  Data data;
  data.set("status", std::to_string(http::HttpStatusFor(status.code())));
  data.set("message", status.message());
  return data;
}

// ---- view data ----

Data TableData(const TablePage& page) {
  List columns;
  for (const auto& c : page.columns) {
    Data column;
    column.set("name", c.name);
    column.set("type", c.type);
    columns.push_back(column);
  }
  List rows;
  for (const auto& row : page.rows) {
    List cells;
    for (const auto& cell : row) {
      Data item;
      item.set("text", cell.text);
      item.set("null", cell.is_null);
      item.set("number", cell.number.has_value());
      // Only long values get a tooltip: it repeats the text in the page.
      item.set("long", cell.text.size() > 40);
      cells.push_back(item);
    }
    rows.push_back(Data("cells", cells));
  }
  Data data;
  data.set("columns", columns);
  data.set("rows", rows);
  data.set("empty", page.rows.empty());
  data.set("first_row", FormatCount(page.rows.empty() ? 0 : page.offset + 1));
  data.set("last_row", FormatCount(page.offset + page.rows.size()));
  data.set("more", page.more);
  data.set("elapsed", FormatMs(page.elapsed_ms));
  return data;
}

std::string SourceText(const catalog::Manifest& m) {
  if (!m.source) return "";
  return m.source->file_name.empty()
             ? FormatBytes(m.source->bytes)
             : m.source->file_name + " (" + FormatBytes(m.source->bytes) + ")";
}

// What a version changed, e.g. "+3 inserted · 2 updated · 1 deleted"; zero
// parts are left out, so a version that changed nothing reads as nothing.
std::string CountsText(const catalog::ChangeCounts& counts) {
  std::string out;
  auto add = [&](uint64_t n, std::string_view prefix, std::string_view what) {
    if (n == 0) return;
    if (!out.empty()) out += " \u00b7 ";
    out += std::string(prefix) + FormatCount(n) + " " + std::string(what);
  };
  add(counts.inserted, "+", "inserted");
  add(counts.updated, "", "updated");
  add(counts.deleted, "", "deleted");
  return out;
}

// ---- pages ----

void Overview(catalog::Catalog& catalog, vector::VectorService& vectors,
              const httplib::Request& request, httplib::Response& response) {
  auto listing = catalog.ListDatasets();
  if (!listing.ok()) return SendError(request, response, listing.status());
  const auto& datasets = listing->datasets;
  List dataset_list;
  uint64_t total_bytes = 0, total_rows = 0;
  for (const auto& d : datasets) {
    Data item;
    item.set("name", d.name);
    item.set("version", std::to_string(d.version));
    item.set("rows", FormatCount(d.rows));
    item.set("bytes", FormatBytes(d.bytes));
    item.set("updated", FormatRfc3339Ms(d.updated_unix_ms));
    dataset_list.push_back(item);
    total_bytes += d.bytes;
    total_rows += d.rows;
  }
  List index_list;
  for (const auto& status : vectors.List()) {
    Data item;
    item.set("name", status.params.name);
    item.set("dim", std::to_string(status.params.dim));
    item.set("metric", std::string(vector::MetricName(status.params.metric)));
    item.set("count", FormatCount(status.count));
    item.set("persisted", status.persisted);
    index_list.push_back(item);
  }
  Data data;
  data.set("datasets", dataset_list);
  data.set("no_datasets", datasets.empty());
  data.set("dataset_count", std::to_string(datasets.size()));
  // A damaged manifest is shown, not hidden: its dataset cannot be read
  // until someone repairs or removes the object.
  List damaged_list;
  for (const auto& d : listing->damaged) {
    Data item;
    item.set("key", d.key);
    item.set("error", d.error);
    damaged_list.push_back(item);
  }
  data.set("damaged", damaged_list);
  data.set("has_damaged", !damaged_list.empty());
  data.set("total_bytes", FormatBytes(total_bytes));
  data.set("total_rows", FormatCount(total_rows));
  data.set("indexes", index_list);
  data.set("no_indexes", index_list.empty());
  data.set("index_count", std::to_string(vectors.List().size()));
  data.set("persistent", vectors.persistent());
  data.set("version", std::string(kVersion));
  Send(request, response, RenderPage("overview", "Overview", data));
}

// The preview of one version: its first rows, read through the query engine
// as "name@N" like any query could.
// `manifest` (may be null) gives the schema shown beside the rows.
Data PreviewData(query::QueryEngine& engine, const std::string& name, uint64_t version,
                 const catalog::Manifest* manifest) {
  Data data;
  List schema;
  if (manifest) {
    data.set("schema_version", std::to_string(manifest->version));
    for (const auto& c : manifest->schema) {
      Data column;
      column.set("name", c.name);
      column.set("type", c.type);
      schema.push_back(column);
    }
  }
  data.set("schema", schema);
  data.set("name", name);
  data.set("preview_version", std::to_string(version));
  std::string sql = "SELECT * FROM \"" + name + "@" + std::to_string(version) + "\"";
  data.set("preview_sql", sql);
  data.set("preview_sql_url", "/ui/sql?q=" + UrlEncode(sql));
  auto page = RunPage(engine, sql, 0, kPreviewRows);
  if (page.ok()) {
    data.set("table", TableData(*page));
  } else {
    data.set("preview_error", ErrorData(page.status()));
  }
  return data;
}

// Rows added and removed between two versions, as multisets: what EXCEPT ALL
// leaves of each side.
Data DiffData(query::QueryEngine& engine, const std::string& name, uint64_t a, uint64_t b) {
  const std::string va = "\"" + name + "@" + std::to_string(a) + "\"";
  const std::string vb = "\"" + name + "@" + std::to_string(b) + "\"";
  const std::string sql = "SELECT (SELECT count(*) FROM (SELECT * FROM " + vb +
                          " EXCEPT ALL SELECT * FROM " + va +
                          ")) AS added, (SELECT count(*) FROM (SELECT * FROM " + va +
                          " EXCEPT ALL SELECT * FROM " + vb + ")) AS removed";
  Data data;
  data.set("name", name);
  data.set("a", std::to_string(a));
  data.set("b", std::to_string(b));
  data.set("diff_sql", sql);
  data.set("diff_sql_url", "/ui/sql?q=" + UrlEncode(sql));
  auto page = RunPage(engine, sql, 0, 1);
  if (!page.ok()) {
    data.set("diff_error", ErrorData(page.status()));
  } else if (page->rows.size() == 1 && page->rows[0].size() == 2) {
    data.set("added", page->rows[0][0].text);
    data.set("removed", page->rows[0][1].text);
    data.set("done", true);
  }
  return data;
}

// The erasure log of a dataset page, newest first.
Result<List> ErasureList(ingest::Ingestor* ingestor, const std::string& name) {
  List list;
  if (ingestor == nullptr) return list;
  LH_ASSIGN_OR_RETURN(auto records, ingestor->ListErasures(name));
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    Data item;
    item.set("started", FormatRfc3339Ms(it->started_unix_ms));
    item.set("where", it->where);
    item.set("state", it->state);
    item.set("rows_erased", FormatCount(it->rows_erased));
    std::string versions;
    for (uint64_t v : it->versions_rewritten) {
      versions += (versions.empty() ? "" : ", ") + std::to_string(v);
    }
    item.set("versions", versions.empty() ? std::string("none") : versions);
    item.set("version", it->version ? std::to_string(*it->version) : std::string("-"));
    list.push_back(item);
  }
  return list;
}

void DatasetPage(catalog::Catalog& catalog, query::QueryEngine& engine, ingest::Ingestor* ingestor,
                 const httplib::Request& request, httplib::Response& response) {
  const std::string name = request.matches[1];
  if (Status s = catalog::ValidateDatasetName(name); !s.ok()) {
    return SendError(request, response, s);
  }
  auto versions = catalog.ListVersions(name);
  if (!versions.ok()) return SendError(request, response, versions.status());
  if (versions->empty()) {
    return SendError(request, response, Status::NotFound("no dataset named " + name));
  }
  // The newest version holding data: a deleted dataset's earlier versions
  // stay readable until vacuumed.
  const catalog::Manifest* latest = nullptr;
  for (const auto& m : *versions) {
    if (m.operation != catalog::Operation::kDelete) latest = &m;
  }
  const bool deleted = versions->back().operation == catalog::Operation::kDelete;

  uint64_t preview = latest ? latest->version : versions->back().version;
  if (auto v = ParseUint(request.get_param_value("version"))) preview = *v;

  const catalog::Manifest* shown = nullptr;
  for (const auto& m : *versions) {
    if (m.version == preview && m.operation != catalog::Operation::kDelete) shown = &m;
  }
  if (WantsPart(request, "preview")) {
    return Send(request, response,
                RenderTemplate("dataset_preview", PreviewData(engine, name, preview, shown)));
  }
  auto a = ParseUint(request.get_param_value("a"));
  auto b = ParseUint(request.get_param_value("b"));
  if (WantsPart(request, "diff")) {
    if (!a || !b) {
      return SendError(request, response,
                       Status::InvalidArgument("choose two versions to compare"));
    }
    return Send(request, response, RenderTemplate("dataset_diff", DiffData(engine, name, *a, *b)));
  }

  Data data = PreviewData(engine, name, preview, shown);
  data.set("deleted", deleted);
  if (latest) {
    data.set("version", std::to_string(latest->version));
    data.set("rows", FormatCount(latest->rows));
    data.set("bytes", FormatBytes(latest->bytes));
    data.set("files", std::to_string(latest->files.size()));
    data.set("updated", FormatRfc3339Ms(latest->created_unix_ms));
  }

  auto tags = catalog.ListTags(name);
  if (!tags.ok()) return SendError(request, response, tags.status());
  std::map<uint64_t, List> tags_by_version;
  for (const auto& t : *tags) tags_by_version[t.version].push_back(Data("tag", t.tag));

  List history, options_a, options_b;
  std::vector<Bar> bars;
  // Defaults for the diff form: the current version against its parent.
  uint64_t default_b = latest ? latest->version : versions->back().version;
  uint64_t default_a = latest && latest->parent ? *latest->parent : default_b;
  for (auto it = versions->rbegin(); it != versions->rend(); ++it) {
    const auto& m = *it;
    Data item;
    item.set("version", std::to_string(m.version));
    item.set("operation", std::string(catalog::OperationName(m.operation)));
    item.set("rows", FormatCount(m.rows));
    item.set("bytes", FormatBytes(m.bytes));
    item.set("source", SourceText(m));
    item.set("created", FormatRfc3339Ms(m.created_unix_ms));
    item.set("previewed", m.version == preview);
    item.set("readable", m.operation != catalog::Operation::kDelete);
    item.set("preview_url", "/ui/datasets/" + name + "?version=" + std::to_string(m.version));
    const std::string counts = CountsText(m.counts);
    item.set("counts", counts);
    item.set("has_counts", !counts.empty());
    if (m.restored_from) item.set("restored_from", std::to_string(*m.restored_from));
    item.set("tags", tags_by_version[m.version]);
    item.set("erased", !m.erasures.empty() && m.operation != catalog::Operation::kErase);
    // Restoring the newest version would only copy it; a deletion holds no
    // files to bring back. After a deletion every earlier version qualifies.
    item.set("restorable",
             m.operation != catalog::Operation::kDelete && m.version != versions->back().version);
    history.push_back(item);
    if (m.operation == catalog::Operation::kDelete) continue;
    Data option_a, option_b;
    option_a.set("version", std::to_string(m.version));
    option_a.set("selected", m.version == a.value_or(default_a));
    options_a.push_back(option_a);
    option_b.set("version", std::to_string(m.version));
    option_b.set("selected", m.version == b.value_or(default_b));
    options_b.push_back(option_b);
  }
  for (const auto& m : *versions) {
    bars.push_back(
        {"v" + std::to_string(m.version) + " " + std::string(catalog::OperationName(m.operation)),
         static_cast<double>(m.rows), FormatCount(m.rows)});
  }
  auto erasures = ErasureList(ingestor, name);
  if (!erasures.ok()) return SendError(request, response, erasures.status());
  data.set("has_erasures", !erasures->empty());
  data.set("erasures", *erasures);
  data.set("versions", history);
  data.set("version_count", std::to_string(versions->size()));
  data.set("options_a", options_a);
  data.set("options_b", options_b);
  data.set("chart", BarChartData(bars, "rows by version"));
  if (a && b) data.set("diff", DiffData(engine, name, *a, *b));
  Send(request, response, RenderPage("dataset", name, data));
}

// Commits a version's files again as the newest version. The front door
// lets this through only with a write token or a write token's session
// (gateway/route_table.cpp), as it does the ingest API the upload page
// posts to. htmx is sent to the dataset page, which then lists the new
// version; a plain form post gets the same as a redirect.
void RestoreVersion(catalog::Catalog& catalog, const httplib::Request& request,
                    httplib::Response& response) {
  const std::string name = request.matches[1];
  if (Status s = catalog::ValidateDatasetName(name); !s.ok()) {
    return SendError(request, response, s);
  }
  auto version = ParseUint(request.get_param_value("version"));
  if (!version) {
    return SendError(request, response, Status::InvalidArgument("choose a version to restore"));
  }
  auto restored = catalog::Restore(catalog, name, catalog::RestoreTarget::OfVersion(*version));
  if (!restored.ok()) return SendError(request, response, restored.status());
  const std::string page = "/ui/datasets/" + name;
  if (request.has_header("HX-Request")) {
    response.set_header("HX-Redirect", page);
    response.status = 204;
    return;
  }
  response.set_redirect(page, 303);
}

void SqlPage(query::QueryEngine& engine, const httplib::Request& request,
             httplib::Response& response) {
  const std::string sql = request.get_param_value("q");
  uint64_t page_number = ParseUint(request.get_param_value("page")).value_or(1);
  if (page_number == 0) page_number = 1;
  Data data;
  data.set("q", sql);
  int status = 200;
  if (!sql.empty()) {
    Data result;
    const std::string base = "/ui/sql?q=" + UrlEncode(sql);
    result.set("csv_url", "/ui/sql.csv?q=" + UrlEncode(sql));
    auto page = RunPage(engine, sql, (page_number - 1) * kPageRows, kPageRows);
    if (!page.ok()) {
      result.set("query_error", ErrorData(page.status()));
      status = http::HttpStatusFor(page.status().code());
    } else {
      result.set("table", TableData(*page));
      result.set("page", std::to_string(page_number));
      if (page_number > 1)
        result.set("prev_url", base + "&page=" + std::to_string(page_number - 1));
      if (page->more) result.set("next_url", base + "&page=" + std::to_string(page_number + 1));
      std::string title;
      if (auto bars = ChartBars(*page, &title)) result.set("chart", BarChartData(*bars, title));
    }
    data.set("result", result);
  }
  if (WantsPart(request, "result")) {
    return Send(request, response, RenderTemplate("sql_result", data), status);
  }
  Send(request, response, RenderPage("sql", "SQL", data), status);
}

// The whole result as CSV, streamed as POST /v1/query streams it.
void SqlCsv(query::QueryEngine& engine, const httplib::Request& request,
            httplib::Response& response) {
  query::QueryRequest query;
  query.sql = request.get_param_value("q");
  query.limit = engine.options().max_rows;
  auto cursor = engine.Execute(query);
  if (!cursor.ok()) return SendError(request, response, cursor.status());
  response.set_header("Content-Disposition", "attachment; filename=\"result.csv\"");
  std::shared_ptr<query::QueryCursor> shared = std::move(*cursor);
  auto started = std::make_shared<bool>(false);
  response.set_chunked_content_provider(
      "text/csv; charset=utf-8", [shared, started](size_t, httplib::DataSink& sink) {
        std::string out;
        if (!*started) {
          *started = true;
          shared->formatter().AppendCsvHeader(out);
        }
        auto more = shared->NextCsv(out);
        if (!more.ok()) return false;  // cut the stream: a CSV has no place for an error
        if (!out.empty() && !sink.write(out.data(), out.size())) return false;
        if (!*more) sink.done();
        return true;
      });
}

void UploadPage(catalog::Catalog& catalog, const httplib::Request& request,
                httplib::Response& response) {
  Data data;
  data.set("dataset", request.get_param_value("dataset"));
  List names;
  if (auto listing = catalog.ListDatasets(); listing.ok()) {
    for (const auto& d : listing->datasets) names.push_back(Data("name", d.name));
  }
  data.set("datasets", names);
  Send(request, response, RenderPage("upload", "Upload", data));
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
  auto filter = [&]() -> Result<vector::MetadataFilter> {
    if (filter_text.find_first_not_of(" \t\r\n") == std::string::npos)
      return vector::MetadataFilter{};
    auto parsed = json::parse(filter_text, nullptr, false);
    if (parsed.is_discarded()) {
      return Status::InvalidArgument(
          "the filter must be a JSON object, like {\"state\": \"TX\", \"rate\": {\"lte\": 80}}");
    }
    return vector::MetadataFilter::Parse(parsed);
  };
  if (!query_text.empty()) {
    data.set("search", HitsData(
                           [&]() -> Result<std::vector<vector::Hit>> {
                             LH_ASSIGN_OR_RETURN(auto parsed_filter, filter());
                             return vectors.SearchText(name, query_text, static_cast<size_t>(k),
                                                       std::nullopt, parsed_filter);
                           },
                           &http_status));
  } else if (!vector_text.empty()) {
    data.set("search", HitsData(
                           [&]() -> Result<std::vector<vector::Hit>> {
                             LH_ASSIGN_OR_RETURN(auto query, ParseQueryVector(vector_text));
                             LH_ASSIGN_OR_RETURN(auto parsed_filter, filter());
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

void StaticFile(const httplib::Request& request, httplib::Response& response) {
  const std::string path = "static/" + std::string(request.matches[1]);
  auto content = FindAsset(path);
  if (!content) {
    return SendError(request, response, Status::NotFound("no static file " + path));
  }
  // The files change only with the binary; a restart may bring new ones.
  response.set_header("Cache-Control", "public, max-age=300");
  response.set_content(content->data(), content->size(), std::string(ContentTypeFor(path)));
}

}  // namespace

void RegisterUiRoutes(httplib::Server& router, catalog::Catalog& catalog,
                      query::QueryEngine& engine, vector::VectorService& vectors,
                      ingest::Ingestor* ingestor) {
  router.Get("/", [&](const httplib::Request& request, httplib::Response& response) {
    Overview(catalog, vectors, request, response);
  });
  router.Get("/ui/?", [](const httplib::Request&, httplib::Response& response) {
    response.set_redirect("/");
  });
  router.Get(R"(/static/([A-Za-z0-9_.-]+))", StaticFile);
  router.Get(
      R"(/ui/datasets/([^/]+))",
      [&catalog, &engine, ingestor](const httplib::Request& request, httplib::Response& response) {
        DatasetPage(catalog, engine, ingestor, request, response);
      });
  router.Post(R"(/ui/datasets/([^/]+)/restore)",
              [&](const httplib::Request& request, httplib::Response& response) {
                RestoreVersion(catalog, request, response);
              });
  router.Get("/ui/sql", [&](const httplib::Request& request, httplib::Response& response) {
    SqlPage(engine, request, response);
  });
  router.Get("/ui/sql.csv", [&](const httplib::Request& request, httplib::Response& response) {
    SqlCsv(engine, request, response);
  });
  router.Get("/ui/upload", [&](const httplib::Request& request, httplib::Response& response) {
    UploadPage(catalog, request, response);
  });
  router.Get("/ui/indexes", [&](const httplib::Request& request, httplib::Response& response) {
    IndexesPage(vectors, request, response);
  });
  // POST too: a search vector of a few hundred numbers can outgrow a URL.
  auto index_page = [&](const httplib::Request& request, httplib::Response& response) {
    IndexPage(vectors, request, response);
  };
  router.Get(R"(/ui/indexes/([^/]+))", index_page);
  router.Post(R"(/ui/indexes/([^/]+))", index_page);
}

}  // namespace lakehouse::web
