// Where `serve` and `catalogd` get the Iceberg REST catalog: the TableSource
// its routes read, and their registration under [iceberg].
#pragma once

#include <httplib.h>

#include <memory>

#include "catalog/catalog.h"
#include "common/config.h"
#include "common/status.h"
#include "iceberg/table_source.h"
#include "storage/object_store.h"

namespace lakehouse::cli {

// The tables the catalog serves: every live dataset of `catalog`, its
// metadata kept in `store` under [iceberg] location. Null when nothing
// provides them yet (then the catalog is not served). `store` and `catalog`
// must outlive the source. Called once by each process that serves the
// catalog; an error stops it from starting.
Result<std::unique_ptr<iceberg::TableSource>> OpenIcebergTableSource(const Config& config,
                                                                     storage::ObjectStore& store,
                                                                     catalog::Catalog& catalog);

// Registers the catalog's routes (server/iceberg_routes.h) on `router` when
// [iceberg] enabled and `source` is not null; logs why not otherwise.
// `source` must outlive `router`'s serving.
void ServeIcebergCatalog(httplib::Server& router, const IcebergConfig& config,
                         iceberg::TableSource* source);

}  // namespace lakehouse::cli
