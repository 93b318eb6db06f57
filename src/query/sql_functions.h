// The DuckDB side of SQL's vector_search(), text_search(), hybrid_search()
// and embed() (see SqlFunctions in query_engine.h): registration through the
// C API, and what the engine needs to report a callback's failure with its
// own Status code.
//
// DuckDB turns an error raised inside a function into a message with its own
// error class ("Binder Error: ...", "Invalid Input Error: ..."), losing the
// code that says "unknown index" (404) from "vectord is down" (503). So each
// failure is also recorded against the connection that ran it, and the
// engine, seeing a failed query, asks for it back.
#pragma once

#include <duckdb.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "query/query_engine.h"

namespace lakehouse::query {

class SqlFunctionState {
 public:
  explicit SqlFunctionState(SqlFunctions functions) : functions_(std::move(functions)) {}

  // The engine calls this before each query on a connection: forgets the
  // previous query's failure and search results, and sets the time after
  // which the functions give up with kTimeout rather than start more work.
  void BeginQuery(idx_t connection, std::chrono::steady_clock::time_point deadline);
  // Whether the query on `connection` is past its deadline.
  bool PastDeadline(idx_t connection);
  // The failure a function recorded on `connection` during this query, when
  // DuckDB's message for the failed query is that failure's.
  std::optional<Status> FailureFor(idx_t connection, std::string_view duckdb_message);

  // For the functions themselves.
  const SqlFunctions& functions() const { return functions_; }
  void RecordFailure(idx_t connection, const Status& status);
  // The search callback, once per distinct mode and arguments in a query: a
  // query may be bound more than once (EXPLAIN, the engine's type-casting
  // wrapper). `filter` is a JSON object's text, empty for none. An error's
  // message is prefixed with the function and the index ("text_search('x'): ").
  Result<std::shared_ptr<const std::vector<SearchRow>>> Search(idx_t connection, SearchMode mode,
                                                               const std::string& index,
                                                               const std::string& text, size_t k,
                                                               const std::string& filter);

 private:
  using SearchKey = std::tuple<SearchMode, std::string, std::string, size_t, std::string>;
  struct PerConnection {
    std::optional<Status> failure;  // the first of the query
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    std::map<SearchKey, std::shared_ptr<const std::vector<SearchRow>>> searches;
  };

  SqlFunctions functions_;
  std::mutex mu_;
  std::map<idx_t, PerConnection> connections_;
};

// Registers vector_search, text_search, hybrid_search and embed in the
// database's system catalog, so every connection sees them. `state` must outlive the database.
Status RegisterSqlFunctions(duckdb_connection connection, SqlFunctionState& state);

// The SQL name of the function that searches in `mode` ("text_search").
std::string_view SearchFunctionName(SearchMode mode);

// The id DuckDB gives a connection (what FailureFor and BeginQuery take).
idx_t ConnectionId(duckdb_connection connection);

}  // namespace lakehouse::query
