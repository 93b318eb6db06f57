// Where `serve` and `catalogd` get their Iceberg tables: the publisher that
// writes each dataset's table after every change, the catalog that calls
// it, the startup publish that repairs what a crash left, and the REST
// catalog's routes under [iceberg].
#pragma once

#include <httplib.h>

#include <memory>
#include <string>
#include <thread>

#include "catalog/catalog.h"
#include "common/config.h"
#include "common/status.h"
#include "iceberg/publishing_catalog.h"
#include "iceberg/table_publisher.h"
#include "storage/object_store.h"

namespace lakehouse::cli {

// Lifetimes: `store` and `inner` must outlive it; it must outlive every
// user of catalog() and source(). Its destructor waits for the startup
// publish to end.
class IcebergTables {
 public:
  // With [iceberg] enabled and a location engines can read
  // (iceberg/locations.h), publishes each dataset after every change;
  // otherwise publishes nothing (logged). `scratch_dir` holds temp files.
  static std::unique_ptr<IcebergTables> Open(const Config& config, storage::ObjectStore& store,
                                             catalog::Catalog& inner,
                                             const std::string& scratch_dir);
  ~IcebergTables();

  // Publishes every dataset on a thread of its own, writing what a crash or
  // an unreachable store left out: once the process's parts are set up.
  void RepairInBackground();

  // The catalog every part that changes datasets must be given.
  catalog::Catalog& catalog() { return publishing_ ? *publishing_ : inner_; }
  // The REST catalog's tables; null when nothing is published.
  iceberg::TableSource* source() { return publisher_.get(); }

 private:
  explicit IcebergTables(catalog::Catalog& inner) : inner_(inner) {}

  catalog::Catalog& inner_;
  std::unique_ptr<iceberg::TablePublisher> publisher_;
  std::unique_ptr<iceberg::PublishingCatalog> publishing_;
  std::thread startup_;
};

// Registers the catalog's routes (server/iceberg_routes.h) on `router` when
// [iceberg] enabled and `source` is not null; logs why not otherwise.
// `source` must outlive `router`'s serving.
void ServeIcebergCatalog(httplib::Server& router, const IcebergConfig& config,
                         iceberg::TableSource* source);

}  // namespace lakehouse::cli
