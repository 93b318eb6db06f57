// The Iceberg tables of serve and catalogd: publisher, publishing catalog, startup repair, routes.
#include "cli/iceberg_setup.h"

#include <spdlog/spdlog.h>

#include "iceberg/locations.h"
#include "server/iceberg_routes.h"

namespace lakehouse::cli {

std::unique_ptr<IcebergTables> IcebergTables::Open(const Config& config,
                                                   storage::ObjectStore& store,
                                                   catalog::Catalog& inner,
                                                   const std::string& scratch_dir) {
  std::unique_ptr<IcebergTables> tables(new IcebergTables(inner));
  if (!config.iceberg.enabled) {
    spdlog::info("iceberg: [iceberg] enabled = false: datasets are not published as tables");
    return tables;
  }
  const std::string bucket = config.storaged.backend == "s3" ? config.s3.bucket : "";
  auto locations = iceberg::LocationsFor(store, config.iceberg.location, bucket);
  if (!locations.ok()) {
    spdlog::warn("iceberg: datasets are not published as tables: {}", locations.status().message());
    return tables;
  }
  tables->publisher_ = std::make_unique<iceberg::TablePublisher>(
      inner, store, iceberg::PublisherOptions{std::move(*locations), scratch_dir});
  tables->publishing_ = std::make_unique<iceberg::PublishingCatalog>(inner, *tables->publisher_);
  return tables;
}

void IcebergTables::RepairInBackground() {
  if (!publisher_ || startup_.joinable()) return;
  startup_ = std::thread([publisher = publisher_.get()] {
    Status s = publisher->PublishAll();
    if (s.ok()) {
      spdlog::info("iceberg: every dataset's table is published");
    } else {
      spdlog::warn(
          "iceberg: startup publish incomplete (each dataset is published again on its "
          "next change or load): {}",
          s.message());
    }
  });
}

IcebergTables::~IcebergTables() {
  if (startup_.joinable()) startup_.join();
}

void ServeIcebergCatalog(httplib::Server& router, const IcebergConfig& config,
                         iceberg::TableSource* source) {
  if (!config.enabled) {
    spdlog::info("iceberg: [iceberg] enabled = false: no REST catalog");
    return;
  }
  if (source == nullptr) {
    spdlog::info("iceberg: no tables are published: no REST catalog");
    return;
  }
  server::RegisterIcebergRoutes(router, *source, config.namespace_name);
  spdlog::info("iceberg: REST catalog at {}/ (namespace \"{}\")", server::kIcebergBase,
               config.namespace_name);
}

}  // namespace lakehouse::cli
