// Private to the query part: EngineImpl, CursorImpl and the bind state of one query.
//
// The engine's work is spread over files that each do one job:
// query_engine.cpp (opening DuckDB, its fence settings and the connection
// pool), dataset_binding.cpp (dataset names to the files of a version),
// statement_runner.cpp (one statement from the fence to a started cursor),
// query_cursor.cpp (streaming its rows), query_errors.cpp (DuckDB's failures
// as Status values) and query_watchdog.cpp (time limits).
#pragma once

#include <duckdb.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "query/data_file_cache.h"
#include "query/dataset_scan.h"
#include "query/duckdb_handles.h"
#include "query/path_scrubber.h"
#include "query/query_engine.h"
#include "query/query_watchdog.h"
#include "query/result_chunks.h"
#include "query/sql_fence.h"
#include "query/sql_functions.h"

namespace lakehouse::query {

using Clock = std::chrono::steady_clock;

// What a query holds while it runs: the cached files it reads, pinned so
// eviction cannot pull them from under DuckDB, and the deletion sets its
// scans test rows against.
struct ScanPins {
  std::vector<DataFileCache::Lease> leases;
  std::vector<DeletionSets::Registration> deletions;
};

// How one dataset name in the query is read: a table function and its
// arguments (dataset_scan.h).
struct ResolvedScan {
  std::vector<std::string> paths;
  uint64_t deletion_set = 0;  // 0: no deletes
  bool by_name = false;       // the files' schemas differ
};

// What the replacement scan needs while one query is being bound on this
// thread: the pins it must honour and the versions it resolved.
struct BindContext {
  const std::map<std::string, uint64_t>* as_of = nullptr;
  std::map<std::string, uint64_t> versions;
  std::map<std::string, ResolvedScan> scans;  // by table name as written
  std::set<std::string> datasets_read;        // by dataset name
  std::optional<Status> error;                // the first resolution failure
  // The query names a column `filename` (see FencedSql::names_filename).
  bool names_filename = false;
  // Held until the query's cursor is destroyed (or until binding fails).
  ScanPins pins;
  // Set once a cursor owns the connection slot: its destructor gives the
  // slot back, so a failure after that must not give it back again.
  bool cursor_owns_slot = false;
};
// The query being bound on this thread, if any: DuckDB calls the
// replacement scan with no way to pass it along.
extern thread_local BindContext* current_bind;

// A dataset name as a query writes it: `name`, `name@3` or `name@tag`.
struct TableRef {
  std::string dataset;
  std::optional<uint64_t> version;
  std::optional<std::string> tag;
};

class EngineImpl;

class CursorImpl final : public QueryCursor {
 public:
  CursorImpl(EngineImpl& engine, size_t slot, uint64_t watch_id, Prepared prepared,
             std::vector<ResultColumn> columns, std::vector<ColumnLayout> layouts,
             std::map<std::string, uint64_t> versions, ScanPins pins, size_t limit,
             Clock::time_point start)
      : engine_(engine),
        slot_(slot),
        watch_id_(watch_id),
        prepared_(std::move(prepared)),
        formatter_(std::move(columns)),
        encoder_(std::move(layouts)),
        versions_(std::move(versions)),
        pins_(std::move(pins)),
        limit_(limit),
        start_(start) {}
  ~CursorImpl() override;

  Status Start();
  const std::vector<ResultColumn>& columns() const override { return formatter_.columns(); }
  const std::map<std::string, uint64_t>& versions() const override { return versions_; }
  const ChunkFormatter& formatter() const override { return formatter_; }
  Result<bool> NextJson(std::string& out) override;
  Result<bool> NextCsv(std::string& out) override;
  Result<bool> NextText(TextRows& out) override;
  // Held so the destructor can detach it (QueryCancel).
  void set_cancel(std::shared_ptr<QueryCancel> cancel) { cancel_ = std::move(cancel); }
  uint64_t row_count() const override { return rows_; }
  bool truncated() const override { return truncated_; }
  double elapsed_ms() const override {
    return std::chrono::duration<double, std::milli>(Clock::now() - start_).count();
  }

 private:
  template <typename Emit>
  Result<bool> Next(Emit emit);
  Status FetchError();

  EngineImpl& engine_;
  size_t slot_;
  uint64_t watch_id_;
  Prepared prepared_;
  QueryResult result_;
  ChunkFormatter formatter_;
  ChunkEncoder encoder_;
  std::map<std::string, uint64_t> versions_;
  // Released after the destructor's body, once DuckDB is done with the files.
  ScanPins pins_;
  size_t limit_;
  Clock::time_point start_;
  uint64_t rows_ = 0;
  bool truncated_ = false;
  bool done_ = false;
  bool first_row_ = true;
  std::shared_ptr<QueryCancel> cancel_;
};

// The result columns of a prepared statement, before any rewrite, and
// which of them must be cast for the encoder to read them.
struct ColumnPlan {
  std::vector<ResultColumn> columns;
  std::vector<bool> cast;     // cast in a wrapping query
  std::vector<bool> as_json;  // and that cast is to_json
  bool needs_rewrite = false;
};

class EngineImpl final : public QueryEngine {
 public:
  EngineImpl(const QueryEngineOptions& options, catalog::Catalog& catalog)
      : options_(options), catalog_(catalog), functions_(options.functions) {}

  ~EngineImpl() override {
    connections_.clear();
    database_.reset();
  }

  Status Init(storage::ObjectStore& store);
  Result<std::unique_ptr<QueryCursor>> Execute(const QueryRequest& request) override;
  Result<StatementShape> Describe(const QueryRequest& request) override;
  const QueryEngineOptions& options() const override { return options_; }
  DataFileCacheStats cache_stats() const override { return cache_->stats(); }
  Result<std::string> Setting(const std::string& name) override;

  void Release(size_t slot);
  duckdb_connection connection(size_t slot) { return connections_[slot].get(); }
  Watchdog& watchdog() { return watchdog_; }
  // `status` without the server's directories in its message.
  Status Scrub(const Status& status) const { return scrubber_.Scrub(status); }
  // The failure a search function or embed recorded for the query on `slot`, if
  // it is what DuckDB reported (so its Status code survives DuckDB).
  std::optional<Status> FunctionFailure(size_t slot, std::string_view message) {
    return functions_.FailureFor(connection_ids_[slot], message);
  }

  // Called by DuckDB (through the replacement scan) while binding on the
  // query's own thread.
  void Resolve(duckdb_replacement_scan_info info, const char* table_name);
  Result<catalog::Manifest> ResolveVersion(const TableRef& ref, BindContext& bind);
  Result<ResolvedScan> ResolveScan(const TableRef& ref, BindContext& bind);
  // After binding: every dataset the as_of pins name must be one the query
  // read, so a misspelt or forgotten pin is not silently ignored.
  Status CheckAsOf(const BindContext& bind);

 private:
  // query_engine.cpp: DuckDB, its settings and the pool of connections.
  Status OpenDatabase();
  Status ConfigureDatabase(duckdb_connection setup, storage::ObjectStore& store);
  Status OpenConnections();
  Status ConfigureScrubber(duckdb_connection setup, storage::ObjectStore& store);
  Result<size_t> AcquireSlot();
  // dataset_binding.cpp: sends DuckDB's unknown table names to Resolve.
  void RegisterReplacementScan();

  // statement_runner.cpp: one statement, from the fence to a started cursor.
  Result<std::unique_ptr<QueryCursor>> Run(size_t slot, const QueryRequest& request,
                                           BindContext& bind, Clock::time_point start);
  // Fences, then prepares `sql` on the slot's connection.
  Result<Prepared> Prepare(size_t slot, const std::string& sql, BindContext& bind);
  // Binds request.params to `prepared`'s parameters.
  Result<StatementShape> Shape(size_t slot, const QueryRequest& request, BindContext& bind);
  Status BindFailure(size_t slot, const BindContext& bind, duckdb_prepared_statement prepared);
  Result<std::unique_ptr<QueryCursor>> StartCursor(size_t slot, const QueryRequest& request,
                                                   BindContext& bind, Clock::time_point start,
                                                   Prepared prepared, ColumnPlan plan);

  QueryEngineOptions options_;
  catalog::Catalog& catalog_;
  // Declared before database_ and the connections, so it outlives anything
  // reading its files.
  std::unique_ptr<DataFileCache> cache_;
  std::unique_ptr<DeletionVectorCache> deletion_vectors_;  // set by Init
  DeletionSets deletion_sets_;  // outlives database_, whose scans read it
  SqlFunctionState functions_;  // outlives database_, which calls into it
  Database database_;
  std::vector<Connection> connections_;
  std::vector<idx_t> connection_ids_;  // DuckDB's id of each pooled connection
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<size_t> free_slots_;
  Watchdog watchdog_;
  std::optional<SqlFence> fence_;  // set by Init
  PathScrubber scrubber_;          // set by Init
};

}  // namespace lakehouse::query
