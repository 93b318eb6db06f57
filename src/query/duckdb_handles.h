// Owning wrappers for DuckDB C API handles, so every early return frees them.
#pragma once

#include <duckdb.h>

#include <string>
#include <utility>

#include "common/status.h"

namespace lakehouse::query {

template <typename T, void (*Destroy)(T*)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(T raw) : raw_(raw) {}
  Handle(Handle&& other) noexcept : raw_(std::exchange(other.raw_, nullptr)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      raw_ = std::exchange(other.raw_, nullptr);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  void reset() {
    if (raw_ != nullptr) Destroy(&raw_);
    raw_ = nullptr;
  }
  T get() const { return raw_; }
  T* out() {
    reset();
    return &raw_;
  }
  explicit operator bool() const { return raw_ != nullptr; }

 private:
  T raw_ = nullptr;
};

using Database = Handle<duckdb_database, duckdb_close>;
using Connection = Handle<duckdb_connection, duckdb_disconnect>;
using Config = Handle<duckdb_config, duckdb_destroy_config>;
using Prepared = Handle<duckdb_prepared_statement, duckdb_destroy_prepare>;
using Extracted = Handle<duckdb_extracted_statements, duckdb_destroy_extracted>;
using DataChunk = Handle<duckdb_data_chunk, duckdb_destroy_data_chunk>;
using LogicalType = Handle<duckdb_logical_type, duckdb_destroy_logical_type>;
using Value = Handle<duckdb_value, duckdb_destroy_value>;

// A duckdb_result, which lives by value rather than behind a pointer.
class QueryResult {
 public:
  QueryResult() = default;
  QueryResult(const QueryResult&) = delete;
  QueryResult& operator=(const QueryResult&) = delete;
  ~QueryResult() {
    if (owned_) duckdb_destroy_result(&result_);
  }
  duckdb_result* out() {
    if (owned_) duckdb_destroy_result(&result_);
    owned_ = true;
    return &result_;
  }
  duckdb_result* get() { return &result_; }
  void reset() {
    if (owned_) duckdb_destroy_result(&result_);
    owned_ = false;
  }

 private:
  duckdb_result result_{};
  bool owned_ = false;
};

// Runs SQL that returns nothing of interest (setup statements).
inline Status Exec(duckdb_connection connection, const std::string& sql) {
  QueryResult result;
  if (duckdb_query(connection, sql.c_str(), result.out()) != DuckDBSuccess) {
    return Status::Internal("duckdb: " + std::string(duckdb_result_error(result.get())) +
                            " (in: " + sql + ")");
  }
  return Status::Ok();
}

}  // namespace lakehouse::query
