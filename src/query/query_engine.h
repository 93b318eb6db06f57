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
//  - On a remote store the data files a query binds are copied to a bounded
//    local cache (data_file_cache.h) and pinned there until its cursor is
//    destroyed; a cold query fetches only the files of the versions it reads.
//  - Queries run in parallel on a pool of connections; rows stream out chunk
//    by chunk through a cursor rather than being built whole.
//  - A statement may have parameters ($1..$n, or ?), given as text and cast
//    by DuckDB to the type each has in the statement, exactly as many as it
//    has. Describe tells a statement's parameters and columns without
//    running it, through the same fence and name resolution.
//  - SQL has functions beyond DuckDB's own, answered by callbacks the
//    opener supplies (SqlFunctions below), so this module needs no vectord
//    or embedder: vector_search, text_search and hybrid_search(index, text,
//    k [, filter := ...]) and embed(text). They are
//    registered before the fence is locked and add no file or network access
//    of their own; whatever a callback reaches is the opener's choice.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "query/data_file_cache.h"
#include "query/result_format.h"
#include "storage/object_store.h"

namespace lakehouse::query {

// Which SQL search function asks, and so how the index ranks its items:
// vector_search by nearest vectors, text_search by BM25 keywords (the index
// needs a full-text part), hybrid_search by both fused by reciprocal rank.
enum class SearchMode { kVector, kKeyword, kHybrid };

// One row of a search function: an item of the index, best first.
struct SearchRow {
  std::string id;
  std::optional<float> distance;  // set where the vector ranker found the item
  std::string metadata = "{}";    // the item's metadata, a JSON object's text
  double score = 0;               // higher is better, in every mode
  // The item's place (from 1) in the vector and the keyword ranking, unset
  // where that ranking did not find it. In keyword mode the engine numbers
  // keyword_rank by position when the callback leaves it unset.
  std::optional<int64_t> vector_rank;
  std::optional<int64_t> keyword_rank;
};

// The callbacks behind SQL's search functions and embed(). A null callback
// leaves its functions registered but failing with "... is not available",
// so a query names what is missing instead of "no such function".
struct SqlFunctions {
  // `SELECT * FROM vector_search('index', 'text', k [, filter := '{...}'])`:
  // columns id VARCHAR, distance FLOAT, metadata JSON, nearest first.
  // text_search and hybrid_search take the same arguments and add score
  // DOUBLE, vector_rank INTEGER and keyword_rank INTEGER, best first, with
  // NULL where a row has no distance or rank.
  // All three call this with their mode. `filter` is a metadata filter
  // (vector/metadata_filter.h) as the text of a JSON object, empty for none;
  // the callback applies it inside the search, so up to k items that pass
  // come back, not the passing few of the best k. Called while the query is
  // bound, on the thread that runs Execute, once per distinct (mode, index,
  // text, k, filter) in a query; the engine has already checked
  // 1 <= k <= kMaxSearchK, non-NULL arguments and that the filter is a JSON
  // object. An error fails the query with its code kept (kNotFound for an
  // unknown index is a 404, kUnavailable a 503, kInvalidArgument for a
  // filter it cannot use or a mode the index cannot answer a 400) and its
  // message prefixed with the function and index name. The query's time
  // limit does not interrupt the call: the callback must bound its own time
  // (a call that returns after the deadline fails the query with kTimeout).
  std::function<Result<std::vector<SearchRow>>(SearchMode mode, const std::string& index,
                                               const std::string& text, size_t k,
                                               const std::string& filter)>
      search;
  // `embed('text')`: FLOAT[], NULL for NULL. Called while the query runs,
  // from DuckDB's worker threads at once, with up to one chunk (2048) of
  // texts and at most a few MiB of them: it must be thread-safe, and return
  // one vector per text in order or an error for the whole batch (which
  // fails the query, its code kept). Between calls the engine checks the
  // query's deadline and gives up with kTimeout once it has passed.
  std::function<Result<std::vector<std::vector<float>>>(std::span<const std::string> texts)> embed;
};
inline constexpr size_t kMaxSearchK = 10000;
// The longest text the search functions and embed() accept, in bytes: a
// longer one fails the query with kInvalidArgument naming the bound, before
// any of it is copied or embedded.
inline constexpr size_t kMaxSqlFunctionTextBytes = 1u << 20;

struct QueryEngineOptions {
  // Local directory for spilling and for copies of remote data files
  // (<scratch_dir>/cache, see data_file_cache.h).
  std::string scratch_dir;
  // The bound of those copies; a store with local files is read in place.
  uint64_t cache_bytes = 10ull << 30;
  int timeout_ms = 30000;
  std::string memory_limit = "2GB";
  int threads = 2;
  size_t connections = 8;
  size_t max_rows = 10'000'000;  // the largest `limit` a request may ask for
  // DuckDB's allocator returns freed memory to the system after about a
  // second idle (jemalloc background threads), rather than keeping each
  // arena at its peak until the next query reuses it.
  bool release_idle_memory = true;
  // What the search functions and embed() call; whatever they refer to must
  // outlive the engine.
  SqlFunctions functions;
};

// Stops a query from another thread, as a client's cancel request does.
// Thread-safe. The engine attaches the query a request starts from the
// moment it holds a connection until its cursor is destroyed; Cancel in
// that time interrupts it, and Execute or the cursor's Next* call that is
// interrupted fails with kTimeout ("query was cancelled"). A Cancel while
// nothing is attached does nothing, like PostgreSQL's.
class QueryCancel {
 public:
  void Cancel();
  // For the engine.
  void Attach(std::function<void()> interrupt);
  void Detach();
  bool cancelled() const;

 private:
  mutable std::mutex mu_;
  std::function<void()> interrupt_;  // set while a query is attached
  bool cancelled_ = false;           // of the query attached now
};

struct QueryRequest {
  QueryRequest() = default;
  // The common case, so callers need not name the fields they leave alone.
  QueryRequest(std::string sql_text, size_t row_limit, std::map<std::string, uint64_t> pins = {})
      : sql(std::move(sql_text)), limit(row_limit), as_of(std::move(pins)) {}

  std::string sql;
  size_t limit = 1000;
  std::map<std::string, uint64_t> as_of;  // dataset -> version
  // The values of $1..$n in order, as text (nullopt: NULL). DuckDB casts
  // each to its parameter's type; text it cannot cast fails the query with
  // kInvalidArgument. A count other than the statement's is kInvalidArgument.
  std::vector<std::optional<std::string>> params;
  // Set to let another thread stop the query (see QueryCancel).
  std::shared_ptr<QueryCancel> cancel;
};

// What a statement takes and returns, learnt by preparing it.
struct StatementShape {
  // One per parameter, kUnknown where the statement leaves its type open
  // (`SELECT $1`): such a parameter is bound as VARCHAR.
  std::vector<ValueType> params;
  std::vector<ResultColumn> columns;
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
  // Appends the next chunk's rows as text cells (result_format.h); false
  // once the result (or the limit) is exhausted. The caller clears `out`
  // between chunks as it likes: only appends are made.
  virtual Result<bool> NextText(TextRows& out) = 0;
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
  // The parameters and result columns of `request.sql` (its params, limit
  // are ignored), through the fence and name resolution as Execute, with the
  // same errors; nothing runs. Holds a query connection only while it works.
  virtual Result<StatementShape> Describe(const QueryRequest& request) = 0;
  virtual const QueryEngineOptions& options() const = 0;
  // The data file cache's counters (all zero on a store read in place).
  virtual DataFileCacheStats cache_stats() const = 0;
  // The value of one of DuckDB's settings, for operators and tests: queries
  // themselves cannot read settings (they hold server paths).
  virtual Result<std::string> Setting(const std::string& name) = 0;
};

}  // namespace lakehouse::query
