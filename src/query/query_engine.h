// queryd: read-only SQL over dataset versions, through embedded DuckDB.
//
// Promises:
//  - Dataset names resolve when a query is bound: `candidates` to the files
//    of its current version, `"candidates@3"` to version 3, an `as_of` pin to
//    the pinned version. Every result names the versions it read.
//  - Only one read-only statement (SELECT, EXPLAIN) runs; anything else is
//    kPermissionDenied before it executes. DuckDB itself is fenced too: no
//    file access outside the data files, no network, no extensions, and its
//    configuration is locked, so a query cannot lift the fence.
//  - Each query has a time limit (kTimeout) and the database a memory limit.
//  - Queries run in parallel on a pool of connections; rows stream out chunk
//    by chunk through a cursor rather than being built whole.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "query/result_format.h"
#include "storage/object_store.h"

namespace lakehouse::query {

struct QueryEngineOptions {
  // Local directory for spilling and for copies of remote data files.
  std::string scratch_dir;
  int timeout_ms = 30000;
  std::string memory_limit = "2GB";
  int threads = 2;
  size_t connections = 8;
  size_t max_rows = 10'000'000;  // the largest `limit` a request may ask for
};

struct QueryRequest {
  std::string sql;
  size_t limit = 1000;
  std::map<std::string, uint64_t> as_of;  // dataset -> version
};

// A running query. Holds its connection until destroyed.
class QueryCursor {
 public:
  virtual ~QueryCursor() = default;
  virtual const std::vector<ResultColumn>& columns() const = 0;
  virtual const std::map<std::string, uint64_t>& versions() const = 0;
  // Appends the next chunk of rows; false once the result (or the limit) is
  // exhausted.
  virtual Result<bool> NextJson(std::string& out) = 0;
  virtual Result<bool> NextCsv(std::string& out) = 0;
  virtual const ChunkFormatter& formatter() const = 0;
  virtual uint64_t row_count() const = 0;
  virtual bool truncated() const = 0;
  virtual double elapsed_ms() const = 0;
};

class QueryEngine {
 public:
  static Result<std::unique_ptr<QueryEngine>> Open(const QueryEngineOptions& options,
                                                   catalog::Catalog& catalog,
                                                   storage::ObjectStore& store);
  virtual ~QueryEngine() = default;
  virtual Result<std::unique_ptr<QueryCursor>> Execute(const QueryRequest& request) = 0;
  virtual const QueryEngineOptions& options() const = 0;
};

}  // namespace lakehouse::query
