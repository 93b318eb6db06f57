// The query fence: decides from the parse tree alone, before DuckDB binds,
// prepares or runs anything, whether a user's SQL may run.
//
// Promises:
//  - Deciding has no side effect: the text is only parsed, by DuckDB's own
//    parser through json_serialize_sql, which neither binds nor runs it (not
//    even the PRAGMA expansion duckdb_extract_statements does).
//  - A statement passes only when it is one SELECT, or EXPLAIN [ANALYZE] of
//    one, in which
//     - every function called is on the allow list (sql_fence_functions.h),
//       decided by name whatever qualifies it, so no spelling (case,
//       quoting, comments, main.x, system.main.x) reaches a denied function;
//     - every table reference is a plain name that cannot be a file: an
//       identifier ([A-Za-z_][A-Za-z0-9_]*), a dataset@version or a
//       dataset@tag (but not a tag ending like a file name, such as
//       "final.csv"), never a path, glob or URL (DuckDB would read those as
//       files), never
//       schema-qualified, and never one of DuckDB's own views (duckdb_logs,
//       pg_settings, ...), which call functions the fence cannot see.
//  - Refusals are kPermissionDenied and name what was refused: the statement
//    kind, the function (with the reason it is denied), or the table
//    reference. Text that does not parse, or holds more than one statement,
//    is kInvalidArgument.
//  - What passes is the text to prepare: the user's own, or for EXPLAIN the
//    statement the fence checked with EXPLAIN put back in front of it, so
//    what DuckDB explains is exactly what was checked.
//
// Thread-safe: a fence is immutable once opened. Check runs its parse on the
// connection it is given, which the caller must not use at the same time.
#pragma once

#include <duckdb.h>

#include <set>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse::query {

struct FencedSql {
  std::string sql;  // the text to prepare
  // The statement names a column `filename`, which DuckDB also answers, on a
  // table read from files, with the file's path; the engine lets that through
  // only for datasets that have a real column of that name.
  bool names_filename = false;
};

class SqlFence {
 public:
  // Reads the names of DuckDB's own tables and views through `connection`,
  // which must be of the database the fence will guard.
  static Result<SqlFence> Open(duckdb_connection connection);

  Result<FencedSql> Check(duckdb_connection connection, std::string_view sql) const;

  // Checks `predicate` as the WHERE clause of a query over one dataset (a
  // row filter of a delete or an erasure): it must parse as one boolean
  // expression, alone, with no subquery, calling only allowed functions.
  // Whether its columns exist is for the binder to say. kInvalidArgument
  // when it does not parse or is more than an expression, kPermissionDenied
  // for a refused function or a subquery.
  Status CheckPredicate(duckdb_connection connection, std::string_view predicate) const;

 private:
  explicit SqlFence(std::set<std::string> catalog_names)
      : catalog_names_(std::move(catalog_names)) {}
  // `sql` is the statement to check, `offset` bytes into the user's text
  // (after EXPLAIN), so parse errors can say where in that text they are.
  Status CheckTree(duckdb_connection connection, std::string_view sql, size_t offset,
                   FencedSql& out) const;

  std::set<std::string> catalog_names_;  // lower case
};

}  // namespace lakehouse::query
