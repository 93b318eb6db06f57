// The Iceberg catalog's table source for serve and catalogd, and its routes when [iceberg] enabled.
#include "cli/iceberg_setup.h"

#include <spdlog/spdlog.h>

#include "server/iceberg_routes.h"

namespace lakehouse::cli {

Result<std::unique_ptr<iceberg::TableSource>> OpenIcebergTableSource(const Config& config,
                                                                     storage::ObjectStore& store,
                                                                     catalog::Catalog& catalog) {
  // The metadata writer (src/iceberg) constructs its TableSource here; until
  // it does, there is none and the catalog is not served.
  (void)config;
  (void)store;
  (void)catalog;
  return std::unique_ptr<iceberg::TableSource>();
}

void ServeIcebergCatalog(httplib::Server& router, const IcebergConfig& config,
                         iceberg::TableSource* source) {
  if (!config.enabled) {
    spdlog::info("iceberg: [iceberg] enabled = false: no REST catalog");
    return;
  }
  if (source == nullptr) {
    spdlog::info("iceberg: no table source: no REST catalog");
    return;
  }
  server::RegisterIcebergRoutes(router, *source, config.namespace_name);
  spdlog::info("iceberg: REST catalog at {}/ (namespace \"{}\")", server::kIcebergBase,
               config.namespace_name);
}

}  // namespace lakehouse::cli
