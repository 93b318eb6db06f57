// The UI's dataset pages: history, profile, preview, diff and erasures; restoring; uploading.
#include <map>
#include <optional>

#include "catalog/restore.h"
#include "common/percent_encoding.h"
#include "http/http_status.h"
#include "web/bar_chart.h"
#include "web/dataset_profile.h"
#include "web/query_table.h"
#include "web/templates.h"
#include "web/ui_format.h"
#include "web/ui_http.h"
#include "web/ui_pages.h"

namespace lakehouse::web {
namespace {

constexpr size_t kPreviewRows = 20;  // rows of a dataset version's preview

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
  data.set("preview_sql_url", "/ui/sql?q=" + PercentEncode(sql));
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
  data.set("diff_sql_url", "/ui/sql?q=" + PercentEncode(sql));
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
    item.set("started", TimeData(it->started_unix_ms));
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

// What a dataset page is about: its versions, the newest one holding data,
// the version previewed and the two versions compared, if any.
struct DatasetView {
  std::string name;
  const std::vector<catalog::Manifest>* versions = nullptr;  // oldest first, never empty
  const catalog::Manifest* latest = nullptr;                 // null when none holds data
  uint64_t preview = 0;
  std::optional<uint64_t> a, b;
};

// One row of the history table.
Data HistoryItem(const DatasetView& view, const catalog::Manifest& m, const List& tags) {
  Data item;
  item.set("version", std::to_string(m.version));
  item.set("operation", std::string(catalog::OperationName(m.operation)));
  item.set("rows", FormatCount(m.rows));
  item.set("bytes", FormatBytes(m.bytes));
  item.set("source", SourceText(m));
  item.set("created", TimeData(m.created_unix_ms));
  item.set("previewed", m.version == view.preview);
  item.set("readable", m.operation != catalog::Operation::kDelete);
  item.set("preview_url", "/ui/datasets/" + view.name + "?version=" + std::to_string(m.version));
  const std::string counts = CountsText(m.counts);
  item.set("counts", counts);
  item.set("has_counts", !counts.empty());
  if (m.restored_from) item.set("restored_from", std::to_string(*m.restored_from));
  item.set("tags", tags);
  item.set("erased", !m.erasures.empty() && m.operation != catalog::Operation::kErase);
  // Restoring the newest version would only copy it; a deletion holds no
  // files to bring back. After a deletion every earlier version qualifies.
  item.set("restorable", m.operation != catalog::Operation::kDelete &&
                             m.version != view.versions->back().version);
  return item;
}

// The history table (newest first), the diff form's choices and the chart of
// rows by version.
void AddHistory(const DatasetView& view, const std::vector<catalog::Tag>& tags, Data& data) {
  const auto& versions = *view.versions;
  std::map<uint64_t, List> tags_by_version;
  for (const auto& t : tags) tags_by_version[t.version].push_back(Data("tag", t.tag));
  List history, options_a, options_b;
  // Defaults for the diff form: the current version against its parent.
  uint64_t default_b = view.latest ? view.latest->version : versions.back().version;
  uint64_t default_a = view.latest && view.latest->parent ? *view.latest->parent : default_b;
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    const auto& m = *it;
    history.push_back(HistoryItem(view, m, tags_by_version[m.version]));
    if (m.operation == catalog::Operation::kDelete) continue;
    Data option_a, option_b;
    option_a.set("version", std::to_string(m.version));
    option_a.set("selected", m.version == view.a.value_or(default_a));
    options_a.push_back(option_a);
    option_b.set("version", std::to_string(m.version));
    option_b.set("selected", m.version == view.b.value_or(default_b));
    options_b.push_back(option_b);
  }
  std::vector<Bar> bars;
  bars.reserve(versions.size());
  for (const auto& m : versions) {
    bars.push_back(
        {"v" + std::to_string(m.version) + " " + std::string(catalog::OperationName(m.operation)),
         static_cast<double>(m.rows), FormatCount(m.rows)});
  }
  data.set("versions", history);
  data.set("version_count", std::to_string(versions.size()));
  data.set("options_a", options_a);
  data.set("options_b", options_b);
  data.set("chart", BarChartData(bars, "rows by version"));
}

// The whole page, once the parts asked for alone have been ruled out.
void SendDatasetPage(catalog::Catalog& catalog, query::QueryEngine& engine,
                     ingest::Ingestor* ingestor, const DatasetView& view, Data data,
                     const httplib::Request& request, httplib::Response& response) {
  const auto& versions = *view.versions;
  data.set("deleted", versions.back().operation == catalog::Operation::kDelete);
  if (view.latest) {
    data.set("version", std::to_string(view.latest->version));
    data.set("rows", FormatCount(view.latest->rows));
    data.set("bytes", FormatBytes(view.latest->bytes));
    data.set("files", std::to_string(view.latest->files.size()));
    data.set("updated", TimeData(view.latest->created_unix_ms));
  }
  auto tags = catalog.ListTags(view.name);
  if (!tags.ok()) return SendError(request, response, tags.status());
  AddHistory(view, *tags, data);
  auto erasures = ErasureList(ingestor, view.name);
  if (!erasures.ok()) return SendError(request, response, erasures.status());
  data.set("has_erasures", !erasures->empty());
  data.set("erasures", *erasures);
  if (view.a && view.b) data.set("diff", DiffData(engine, view.name, *view.a, *view.b));
  Send(request, response, RenderPage("dataset", view.name, data));
}

}  // namespace

void DatasetPage(catalog::Catalog& catalog, query::QueryEngine& engine, ingest::Ingestor* ingestor,
                 const httplib::Request& request, httplib::Response& response) {
  const std::string name = request.matches[1];
  if (Status s = catalog::ValidateDatasetName(name); !s.ok()) {
    return SendError(request, response, s);
  }
  auto versions = catalog.ListVersions(name);
  if (!versions.ok()) return SendError(request, response, versions.status());
  if (versions->empty()) {
    return SendError(request, response, catalog::DatasetNotFound(name));
  }
  DatasetView view;
  view.name = name;
  view.versions = &*versions;
  // The newest version holding data: a deleted dataset's earlier versions
  // stay readable until vacuumed.
  for (const auto& m : *versions) {
    if (m.operation != catalog::Operation::kDelete) view.latest = &m;
  }
  view.preview = view.latest ? view.latest->version : versions->back().version;
  if (auto v = ParseUint(request.get_param_value("version"))) view.preview = *v;

  const catalog::Manifest* shown = nullptr;
  for (const auto& m : *versions) {
    if (m.version == view.preview && m.operation != catalog::Operation::kDelete) shown = &m;
  }
  if (WantsPart(request, "preview")) {
    return Send(request, response,
                RenderTemplate("dataset_preview", PreviewData(engine, name, view.preview, shown)));
  }
  view.a = ParseUint(request.get_param_value("a"));
  view.b = ParseUint(request.get_param_value("b"));
  if (WantsPart(request, "diff")) {
    if (!view.a || !view.b) {
      return SendError(request, response,
                       Status::InvalidArgument("choose two versions to compare"));
    }
    return Send(request, response,
                RenderTemplate("dataset_diff", DiffData(engine, name, *view.a, *view.b)));
  }
  SendDatasetPage(catalog, engine, ingestor, view, PreviewData(engine, name, view.preview, shown),
                  request, response);
}

void DatasetProfilePage(catalog::Catalog& catalog, query::QueryEngine& engine,
                        const httplib::Request& request, httplib::Response& response) {
  const std::string name = request.matches[1];
  if (Status s = catalog::ValidateDatasetName(name); !s.ok()) {
    return SendError(request, response, s);
  }
  auto current = catalog.GetCurrent(name);
  if (!current.ok()) return SendError(request, response, current.status());
  Data data;
  auto profile = ProfileVersion(engine, name, current->version, current->rows);
  int status = 200;
  if (profile.ok()) {
    data = ProfileData(*profile);
  } else {
    data.set("profile_version", std::to_string(current->version));
    data.set("profile_error", ErrorData(profile.status()));
    status = http::HttpStatusFor(profile.status().code());
  }
  data.set("name", name);
  if (WantsPart(request, "profile")) {
    return Send(request, response, RenderTemplate("dataset_profile", data), status);
  }
  Send(request, response, RenderPage("dataset_profile_page", name + " profile", data), status);
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

void UploadPage(catalog::Catalog& catalog, const httplib::Request& request,
                httplib::Response& response) {
  Data data;
  data.set("dataset", request.get_param_value("dataset"));
  List names;
  if (auto listing = catalog.ListDatasets(); listing.ok()) {
    for (const auto& d : listing->datasets) {
      Data item;
      item.set("name", d.name);
      item.set("version", std::to_string(d.version));
      item.set("rows", FormatCount(d.rows));
      names.push_back(item);
    }
  }
  data.set("datasets", names);
  Send(request, response, RenderPage("upload", "Upload", data));
}

}  // namespace lakehouse::web
