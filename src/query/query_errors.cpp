// Maps DuckDB's failures (error types, prepare messages) to Status values.
#include "query/query_errors.h"

namespace lakehouse::query {

Status MemoryExhausted(const std::string& limit, const std::string& message) {
  return Status::ResourceExhausted("query exceeded the memory limit of " + limit +
                                   " ([queryd] memory_limit): " + message);
}

Status ErrorFromResult(duckdb_error_type type, const std::string& message,
                       const std::string& memory_limit) {
  switch (type) {
    case DUCKDB_ERROR_PERMISSION:
    case DUCKDB_ERROR_MISSING_EXTENSION:
    case DUCKDB_ERROR_AUTOLOAD:
    case DUCKDB_INVALID_CONFIGURATION:
    case DUCKDB_ERROR_SETTINGS:
      return Status::PermissionDenied(message);
    case DUCKDB_ERROR_INTERRUPT:
      return Status::Timeout(message);
    case DUCKDB_ERROR_OUT_OF_MEMORY:
      return MemoryExhausted(memory_limit, message);
    case DUCKDB_ERROR_IO:
      return Status::IoError(message);
    case DUCKDB_ERROR_INTERNAL:
    case DUCKDB_ERROR_FATAL:
      return Status::Internal(message);
    default:
      return Status::InvalidArgument(message);
  }
}

Status ErrorFromPrepare(const std::string& message, const std::string& memory_limit) {
  // The C API gives no error type for a failed prepare; the fence's refusals
  // are recognised by DuckDB's own error class prefix.
  if (message.starts_with("Permission Error") || message.starts_with("Invalid Configuration")) {
    return Status::PermissionDenied(message);
  }
  if (message.starts_with("Catalog Error: Table with name")) return Status::NotFound(message);
  if (message.starts_with("Out of Memory Error")) return MemoryExhausted(memory_limit, message);
  return Status::InvalidArgument(message);
}

std::string_view StatementTypeName(duckdb_statement_type type) {
  switch (type) {
    case DUCKDB_STATEMENT_TYPE_INSERT:
      return "INSERT";
    case DUCKDB_STATEMENT_TYPE_UPDATE:
      return "UPDATE";
    case DUCKDB_STATEMENT_TYPE_DELETE:
      return "DELETE";
    case DUCKDB_STATEMENT_TYPE_CREATE:
      return "CREATE";
    case DUCKDB_STATEMENT_TYPE_ALTER:
      return "ALTER";
    case DUCKDB_STATEMENT_TYPE_DROP:
      return "DROP";
    case DUCKDB_STATEMENT_TYPE_COPY:
      return "COPY";
    case DUCKDB_STATEMENT_TYPE_ATTACH:
      return "ATTACH";
    case DUCKDB_STATEMENT_TYPE_DETACH:
      return "DETACH";
    case DUCKDB_STATEMENT_TYPE_SET:
    case DUCKDB_STATEMENT_TYPE_VARIABLE_SET:
      return "SET";
    case DUCKDB_STATEMENT_TYPE_PRAGMA:
      return "PRAGMA";
    case DUCKDB_STATEMENT_TYPE_LOAD:
      return "INSTALL/LOAD";
    case DUCKDB_STATEMENT_TYPE_EXPORT:
      return "EXPORT";
    case DUCKDB_STATEMENT_TYPE_CALL:
      return "CALL";
    case DUCKDB_STATEMENT_TYPE_TRANSACTION:
      return "a transaction statement";
    default:
      return "a statement that is not a query";
  }
}

}  // namespace lakehouse::query
