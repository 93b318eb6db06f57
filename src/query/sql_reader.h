// query::SqlReader — the whole answer of one read-only SQL statement, as JSON
// rows: what other parts (dataset text indexes) need from queryd, in process
// (EngineSqlReader) or over HTTP (HttpSqlReader), with the same fence,
// limits and version pinning as any query.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "http/client_pool.h"
#include "query/query_engine.h"

namespace lakehouse::query {

struct SqlAnswer {
  std::vector<std::string> columns;               // names, in order
  std::vector<std::string> types;                 // their SQL types
  nlohmann::json rows = nlohmann::json::array();  // arrays of values
  std::map<std::string, uint64_t> versions;       // the dataset versions read
  bool truncated = false;                         // more rows than request.limit
};

class SqlReader {
 public:
  virtual ~SqlReader() = default;
  virtual Result<SqlAnswer> Read(const QueryRequest& request) = 0;
};

class EngineSqlReader final : public SqlReader {
 public:
  explicit EngineSqlReader(QueryEngine& engine) : engine_(engine) {}
  Result<SqlAnswer> Read(const QueryRequest& request) override;

 private:
  QueryEngine& engine_;
};

// POST /v1/query to a queryd; its errors come back with their status codes,
// a transport failure as kUnavailable naming queryd and its URL.
class HttpSqlReader final : public SqlReader {
 public:
  static Result<std::unique_ptr<HttpSqlReader>> Create(const std::string& queryd_url);
  Result<SqlAnswer> Read(const QueryRequest& request) override;

 private:
  explicit HttpSqlReader(std::unique_ptr<http::ClientPool> pool) : pool_(std::move(pool)) {}
  std::unique_ptr<http::ClientPool> pool_;
};

}  // namespace lakehouse::query
