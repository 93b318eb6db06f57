// The Datasets routes of API.md (catalogd + ingest), tags and restore
// included, translating requests to Catalog and Ingestor calls. Also the
// routes split mode needs between services: POST .../commit (a prepared
// version) and POST .../vacuum.
#pragma once

#include <httplib.h>

#include "catalog/catalog.h"
#include "ingest/ingestor.h"

namespace lakehouse::server {

// `ingestor` may be null where this process cannot ingest.
void RegisterDatasetRoutes(httplib::Server& router, catalog::Catalog& catalog,
                           ingest::Ingestor* ingestor);

}  // namespace lakehouse::server
