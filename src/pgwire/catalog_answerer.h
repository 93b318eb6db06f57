// pgwire: answers the statements PostgreSQL clients send about the catalog (pg_catalog,
// information_schema, version(), ...) from a side database that holds no dataset data.
//
// Promises:
//  - Routes() decides from the statement's words alone whether a statement
//    is for this answerer: it names pg_catalog or information_schema, a
//    relation or function whose name starts with pg_, or one of the
//    functions clients call at connect (format_type, obj_description,
//    col_description, has_*_privilege, current_schemas).
//  - The side database is an in-memory DuckDB that holds only the catalog
//    tables: pg_namespace, pg_class, pg_attribute, pg_type, pg_database,
//    pg_settings, pg_roles, pg_user, pg_am, pg_collation, pg_tablespace,
//    pg_tables, the empty pg_index, pg_description, pg_proc, pg_constraint,
//    pg_inherits, pg_attrdef (and the others psql's \d reads), and
//    information_schema's tables, columns and schemata. Each dataset is a
//    table of schema public with the columns of its current version, typed
//    as pgwire announces them in results (pg_types.h).
//  - The tables are rebuilt when a dataset's current version changes: each
//    statement lists the datasets (one catalog listing) and rebuilds only
//    when a name or version differs from the last build.
//  - The fence: the side database has external access, extensions and
//    community extensions off and its configuration locked, so no statement
//    reads a file or the network; only one SELECT runs, anything else is
//    kPermissionDenied (42501). Datasets are not tables there: a statement
//    that reads both a catalog table and a dataset is kUnprocessable
//    (0A000), never answered with empty rows.
//  - Results are held whole (catalog answers are small) and bounded by
//    `max_rows` like the engine's.
//
// Thread-safe: statements run one at a time under a lock. The catalog must
// outlive the answerer; a cursor it returns does not hold the answerer.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "common/status.h"
#include "query/query_engine.h"

namespace lakehouse::pgwire {

// Whether `sql` is a statement for the catalog answerer (see above).
bool RoutesToCatalog(std::string_view sql);

// `sql` as the side database reads it: pg_catalog. qualifiers dropped
// (its tables are in its default schema), information_schema. read from
// its own schema, OPERATOR(pg_catalog.~) as ~, COLLATE pg_catalog.default
// dropped, and ::regclass/::regtype/::regproc/::oid casts to integers.
// Text in quotes and comments is left alone.
std::string RewriteCatalogSql(std::string_view sql);

struct CatalogAnswererOptions {
  std::string database = "lakehouse";  // current_database(), pg_database
  size_t max_rows = 10'000'000;
};

class CatalogAnswerer {
 public:
  static Result<std::unique_ptr<CatalogAnswerer>> Open(catalog::Catalog& catalog,
                                                       CatalogAnswererOptions options);
  virtual ~CatalogAnswerer() = default;
  // Runs `request.sql` (rewritten) with its params; the cursor holds the
  // whole result. Errors as the engine's: kInvalidArgument for text that
  // does not parse or bind, kPermissionDenied for anything but a SELECT,
  // kUnprocessable for a statement that also names a dataset.
  virtual Result<std::unique_ptr<query::QueryCursor>> Execute(
      const query::QueryRequest& request) = 0;
  // The parameters and columns of `request.sql`, running nothing.
  virtual Result<query::StatementShape> Describe(const query::QueryRequest& request) = 0;
};

// What version() answers everywhere: "PostgreSQL 15.0 (Lakehouse <version>,
// DuckDB <version>)", which drivers parse for "PostgreSQL X.Y".
std::string PgVersionString();

}  // namespace lakehouse::pgwire
