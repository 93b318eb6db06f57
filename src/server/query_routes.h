// POST /v1/query: runs a read-only query and streams its rows (chunked) as
// JSON or CSV.
#pragma once

#include <httplib.h>

#include "query/query_engine.h"

namespace lakehouse::server {

void RegisterQueryRoutes(httplib::Server& router, query::QueryEngine& engine);

}  // namespace lakehouse::server
