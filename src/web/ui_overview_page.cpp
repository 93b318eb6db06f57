// GET /: the UI's overview page, every dataset and vector index at a glance.
#include "common/version.h"
#include "web/templates.h"
#include "web/ui_format.h"
#include "web/ui_http.h"
#include "web/ui_pages.h"

namespace lakehouse::web {
namespace {

List IndexList(vector::VectorService& vectors) {
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
  return index_list;
}

}  // namespace

void OverviewPage(catalog::Catalog& catalog, vector::VectorService& vectors,
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
    item.set("updated", TimeData(d.updated_unix_ms));
    dataset_list.push_back(item);
    total_bytes += d.bytes;
    total_rows += d.rows;
  }
  List index_list = IndexList(vectors);
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

}  // namespace lakehouse::web
