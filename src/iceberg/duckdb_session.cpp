// A locked-down in-memory DuckDB per Parquet read or write of the iceberg part.
#include "iceberg/duckdb_session.h"

#include <utility>

#include "common/sql_quote.h"
#include "query/duckdb_handles.h"

namespace lakehouse::iceberg {
namespace {

std::string SqlList(const std::vector<std::string>& items) {
  std::string list = "[";
  for (const std::string& item : items) {
    if (list.size() > 1) list += ", ";
    list += SqlString(item);
  }
  return list + "]";
}

// Set before the database opens, so nothing is fetched or loaded even while
// it starts.
Status ConfigureBeforeOpen(duckdb_config config) {
  for (const auto& [name, value] :
       {std::pair{"autoinstall_known_extensions", "false"},
        std::pair{"autoload_known_extensions", "false"},
        std::pair{"allow_community_extensions", "false"}, std::pair{"threads", "1"}}) {
    if (duckdb_set_config(config, name, value) != DuckDBSuccess) {
      return Status::Internal(std::string("cannot set DuckDB's ") + name);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<DuckSession> DuckSession::Open(const DuckSessionFence& fence) {
  query::Config config;
  if (duckdb_create_config(config.out()) != DuckDBSuccess) {
    return Status::Internal("duckdb_create_config failed");
  }
  LH_RETURN_IF_ERROR(ConfigureBeforeOpen(config.get()));
  DuckSession session;
  char* error = nullptr;
  if (duckdb_open_ext(nullptr, &session.database_, config.get(), &error) != DuckDBSuccess) {
    std::string message = error != nullptr ? error : "unknown error";
    duckdb_free(error);
    return Status::Internal("cannot open DuckDB: " + message);
  }
  if (duckdb_connect(session.database_, &session.connection_) != DuckDBSuccess) {
    return Status::Internal("cannot connect to DuckDB");
  }
  // Once external access is off, only the fenced paths can be opened, and
  // the lock keeps any later statement from lifting the fence.
  for (const std::string& sql :
       {std::string("SET temp_directory = ''"), "SET allowed_paths = " + SqlList(fence.files),
        "SET allowed_directories = " + SqlList(fence.directories),
        std::string("SET enable_external_access = false"),
        std::string("SET lock_configuration = true")}) {
    LH_RETURN_IF_ERROR(query::Exec(session.connection_, sql));
  }
  return session;
}

DuckSession::DuckSession(DuckSession&& other) noexcept
    : database_(std::exchange(other.database_, nullptr)),
      connection_(std::exchange(other.connection_, nullptr)) {}

DuckSession& DuckSession::operator=(DuckSession&& other) noexcept {
  if (this != &other) {
    Close();
    database_ = std::exchange(other.database_, nullptr);
    connection_ = std::exchange(other.connection_, nullptr);
  }
  return *this;
}

DuckSession::~DuckSession() { Close(); }

// The connection first: a database closes after everything made on it.
void DuckSession::Close() {
  if (connection_ != nullptr) duckdb_disconnect(&connection_);
  if (database_ != nullptr) duckdb_close(&database_);
  connection_ = nullptr;
  database_ = nullptr;
}

std::string ScrubbedError(duckdb_result* result, const std::string& path, std::string_view name) {
  const char* raw = duckdb_result_error(result);
  std::string message = raw != nullptr ? raw : "unknown DuckDB error";
  if (path.empty()) return message;
  for (size_t at = message.find(path); at != std::string::npos;
       at = message.find(path, at + name.size())) {
    message.replace(at, path.size(), name);
  }
  return message;
}

}  // namespace lakehouse::iceberg
