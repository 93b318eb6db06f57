// iceberg::DuckSession — a private in-memory DuckDB for one call that reads
// or writes a Parquet file: no extensions installed or loaded, one thread,
// no spilling, and file access fenced to the paths the call names.
//
// Threads: a session belongs to the call that opened it; any number of
// sessions may be open at once on different threads. Lifetimes: results and
// appenders made on connection() must be destroyed before the session.
#pragma once

#include <duckdb.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace lakehouse::iceberg {

struct DuckSessionFence {
  std::vector<std::string> files;        // readable and writable files
  std::vector<std::string> directories;  // readable and writable directories
};

// Move-only; a moved-from session holds nothing. (Raw handles rather than
// query/duckdb_handles.h: this header is the iceberg part's, and query is a
// part only its sources may include.)
class DuckSession {
 public:
  // kInternal when DuckDB cannot open or refuses a setting.
  static Result<DuckSession> Open(const DuckSessionFence& fence);

  DuckSession(DuckSession&& other) noexcept;
  DuckSession& operator=(DuckSession&& other) noexcept;
  DuckSession(const DuckSession&) = delete;
  DuckSession& operator=(const DuckSession&) = delete;
  ~DuckSession();

  duckdb_connection connection() const { return connection_; }

 private:
  DuckSession() = default;
  void Close();

  duckdb_database database_ = nullptr;
  duckdb_connection connection_ = nullptr;
};

// DuckDB's message of a failed query, with every occurrence of `path`
// replaced by `name`, so an error can name an object key instead of where
// its bytes happen to live on this machine.
std::string ScrubbedError(duckdb_result* result, const std::string& path, std::string_view name);

}  // namespace lakehouse::iceberg
