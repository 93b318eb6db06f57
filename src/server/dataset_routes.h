// The Datasets routes of docs/api.md (catalogd + ingest), tags and restore
// included, translating requests to Catalog and Ingestor calls. Also the
// routes split mode needs between services: POST .../commit (a prepared
// version), POST .../rewrite-files (an erasure's) and POST .../vacuum.
#pragma once

#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "ingest/ingestor.h"

namespace lakehouse::server {

// Told of each erasure once it is done, to drop the erased rows from the
// dataset's text indexes; answers what it did (JSON for the erase answer).
using ErasureListener = std::function<Result<nlohmann::json>(const std::string& dataset)>;

// `ingestor` may be null where this process cannot ingest; `on_erased` may
// be empty where no index is built from datasets.
void RegisterDatasetRoutes(httplib::Server& router, catalog::Catalog& catalog,
                           ingest::Ingestor* ingestor, const ErasureListener& on_erased = {});

}  // namespace lakehouse::server
