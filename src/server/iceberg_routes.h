// The read-only Iceberg REST catalog under /iceberg/v1/ (docs/api.md, "Iceberg
// REST catalog"): the datasets of an iceberg::TableSource as the tables of one
// namespace, so Spark, Trino, DuckDB, PyIceberg and Snowflake read them.
//
// Promises:
//  - Every answer under /iceberg/v1/, success or not, is in the Iceberg REST
//    spec's shape; every error is {"error": {"message", "type", "code"}},
//    whatever the path or method (a HEAD's error has no body).
//  - Nothing here writes: every create, commit, drop, rename or register is
//    403 ForbiddenException naming the Lakehouse route that does it.
//  - Paths are decoded from the raw request target once, by the spec's rules
//    (a namespace's levels are separated by %1F); a malformed escape is 400.
//  - A table name that is not a valid dataset name is 404 NoSuchTableException,
//    as no such table can exist; the source is not asked.
#pragma once

#include <httplib.h>

#include <string>
#include <string_view>

#include "common/status.h"
#include "iceberg/table_source.h"

namespace lakehouse::server {

// The path every route of the catalog sits under; clients are given
// "http://HOST:PORT/iceberg" as the catalog's URI and add "/v1/...".
inline constexpr std::string_view kIcebergBase = "/iceberg/v1";

// Registers the catalog's routes for every method under kIcebergBase.
// `source` must outlive `router`'s serving; `namespace_name` is the one
// namespace, whose tables are the source's datasets.
void RegisterIcebergRoutes(httplib::Server& router, iceberg::TableSource& source,
                           std::string namespace_name);

// Writes `status` as an Iceberg error: its HTTP status and a "type" from its
// code (kNotFound takes `not_found_type`, e.g. "NoSuchTableException").
// Also for refusals made before routing (the front door's 401).
void WriteIcebergError(httplib::Response& response, const Status& status,
                       std::string_view not_found_type = "NotFoundException");

}  // namespace lakehouse::server
