#include "query/query_engine.h"

#include <cctype>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "common/logging.h"
#include "common/sql_quote.h"
#include "query/data_file_cache.h"
#include "query/dataset_scan.h"
#include "query/duckdb_handles.h"
#include "query/path_scrubber.h"
#include "query/sql_fence.h"
#include "query/sql_functions.h"

namespace lakehouse::query {
namespace {

using Clock = std::chrono::steady_clock;

// Interrupts queries that outlive their deadline.
class Watchdog {
 public:
  Watchdog() : thread_([this] { Run(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  uint64_t Watch(duckdb_connection connection, Clock::time_point deadline) {
    std::lock_guard lock(mu_);
    uint64_t id = next_id_++;
    entries_[id] = {connection, deadline};
    cv_.notify_all();
    return id;
  }

  // Returns true when the watchdog interrupted this query.
  bool Unwatch(uint64_t id) {
    std::lock_guard lock(mu_);
    bool fired = fired_.erase(id) > 0;
    entries_.erase(id);
    return fired;
  }

 private:
  struct Entry {
    duckdb_connection connection;
    Clock::time_point deadline;
  };

  void Run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      auto next = Clock::now() + std::chrono::seconds(1);
      for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->second.deadline <= Clock::now()) {
          duckdb_interrupt(it->second.connection);
          fired_.insert(it->first);
          it = entries_.erase(it);
        } else {
          next = std::min(next, it->second.deadline);
          ++it;
        }
      }
      cv_.wait_until(lock, next);
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, Entry> entries_;
  std::set<uint64_t> fired_;
  uint64_t next_id_ = 1;
  bool stop_ = false;
  std::thread thread_;
};

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
  std::optional<Status> error;                // the first resolution failure
  // The query names a column `filename` (see FencedSql::names_filename).
  bool names_filename = false;
  // Held until the query's cursor is destroyed (or until binding fails).
  ScanPins pins;
  // Set once a cursor owns the connection slot: its destructor gives the
  // slot back, so a failure after that must not give it back again.
  bool cursor_owns_slot = false;
};
thread_local BindContext* current_bind = nullptr;

struct TableRef {
  std::string dataset;
  std::optional<uint64_t> version;
  std::optional<std::string> tag;
};

std::optional<TableRef> ParseTableRef(std::string_view name) {
  TableRef ref;
  size_t at = name.find('@');
  ref.dataset = std::string(name.substr(0, at));
  if (!catalog::ValidateDatasetName(ref.dataset).ok()) return std::nullopt;
  if (at != std::string_view::npos) {
    std::string_view digits = name.substr(at + 1);
    // A tag starts with a letter; anything else must be a version number.
    if (catalog::ValidateTagName(digits).ok()) {
      ref.tag = std::string(digits);
      return ref;
    }
    if (digits.empty() || digits.size() > 18) return std::nullopt;
    uint64_t v = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    ref.version = v;
  }
  return ref;
}

// The refusal of a query over the memory bound: the work needs more memory
// than the server allows, which no smaller request body would change.
Status MemoryExhausted(const std::string& limit, const std::string& message) {
  return Status::ResourceExhausted("query exceeded the memory limit of " + limit +
                                   " ([queryd] memory_limit): " + message);
}

Result<std::string> ReadSetting(duckdb_connection connection, const std::string& name) {
  Prepared prepared;
  if (duckdb_prepare(connection, "SELECT current_setting($1)::VARCHAR", prepared.out()) !=
          DuckDBSuccess ||
      duckdb_bind_varchar(prepared.get(), 1, name.c_str()) != DuckDBSuccess) {
    return Status::Internal("cannot prepare the read of a setting");
  }
  QueryResult result;
  if (duckdb_execute_prepared(prepared.get(), result.out()) != DuckDBSuccess) {
    return Status::NotFound(duckdb_result_error(result.get()));
  }
  char* text = duckdb_value_varchar(result.get(), 0, 0);
  std::string value = text != nullptr ? text : "";
  duckdb_free(text);
  return value;
}

bool HasColumn(const catalog::Manifest& manifest, std::string_view name) {
  for (const auto& column : manifest.schema) {
    if (column.name.size() == name.size() &&
        std::equal(name.begin(), name.end(), column.name.begin(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return true;
    }
  }
  return false;
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

class EngineImpl;

class CursorImpl final : public QueryCursor {
 public:
  CursorImpl(EngineImpl& engine, size_t slot, uint64_t watch_id, Prepared prepared,
             std::vector<ResultColumn> columns, std::map<std::string, uint64_t> versions,
             ScanPins pins, size_t limit, Clock::time_point start)
      : engine_(engine),
        slot_(slot),
        watch_id_(watch_id),
        prepared_(std::move(prepared)),
        formatter_(std::move(columns)),
        versions_(std::move(versions)),
        pins_(std::move(pins)),
        limit_(limit),
        start_(start) {}
  ~CursorImpl() override;

  Status Start();
  const std::vector<ResultColumn>& columns() const override { return formatter_.columns(); }
  const std::map<std::string, uint64_t>& versions() const override { return versions_; }
  const ChunkFormatter& formatter() const override { return formatter_; }
  Result<bool> NextJson(std::string& out) override {
    return Next([&](duckdb_data_chunk chunk, size_t rows) {
      formatter_.AppendJson(chunk, rows, first_row_, out);
    });
  }
  Result<bool> NextCsv(std::string& out) override {
    return Next(
        [&](duckdb_data_chunk chunk, size_t rows) { formatter_.AppendCsv(chunk, rows, out); });
  }
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
  std::map<std::string, uint64_t> versions_;
  // Released after the destructor's body, once DuckDB is done with the files.
  ScanPins pins_;
  size_t limit_;
  Clock::time_point start_;
  uint64_t rows_ = 0;
  bool truncated_ = false;
  bool done_ = false;
  bool first_row_ = true;
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
  const QueryEngineOptions& options() const override { return options_; }
  DataFileCacheStats cache_stats() const override { return cache_->stats(); }
  Result<std::string> Setting(const std::string& name) override;

  void Release(size_t slot) {
    {
      std::lock_guard lock(pool_mu_);
      free_slots_.push_back(slot);
    }
    pool_cv_.notify_one();
  }
  Watchdog& watchdog() { return watchdog_; }
  // `status` without the server's directories in its message.
  Status Scrub(const Status& status) const { return scrubber_.Scrub(status); }
  // The failure vector_search or embed recorded for the query on `slot`, if
  // it is what DuckDB reported (so its Status code survives DuckDB).
  std::optional<Status> FunctionFailure(size_t slot, std::string_view message) {
    return functions_.FailureFor(connection_ids_[slot], message);
  }

  // Called by DuckDB (through the replacement scan) while binding on the
  // query's own thread.
  void Resolve(duckdb_replacement_scan_info info, const char* table_name);
  Result<catalog::Manifest> ResolveVersion(const TableRef& ref, BindContext& bind);
  Result<ResolvedScan> ResolveScan(const TableRef& ref, BindContext& bind);

 private:
  Result<size_t> AcquireSlot();
  Result<std::unique_ptr<QueryCursor>> Run(size_t slot, const QueryRequest& request,
                                           BindContext& bind, Clock::time_point start);
  // Fences, then prepares `sql` on the slot's connection.
  Result<Prepared> Prepare(size_t slot, const std::string& sql, BindContext& bind);
  Status BindFailure(size_t slot, const BindContext& bind, duckdb_prepared_statement prepared);
  Status ConfigureScrubber(duckdb_connection setup, storage::ObjectStore& store);

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

void ReplacementScan(duckdb_replacement_scan_info info, const char* table_name, void* data) {
  static_cast<EngineImpl*>(data)->Resolve(info, table_name);
}

void EngineImpl::Resolve(duckdb_replacement_scan_info info, const char* table_name) {
  BindContext* bind = current_bind;
  if (bind == nullptr) return;
  auto ref = ParseTableRef(table_name);
  if (!ref) return;  // not a dataset name: let DuckDB report it
  auto fail = [&](const Status& error) {
    if (!bind->error) bind->error = error;
    duckdb_replacement_scan_set_error(info, error.message().c_str());
  };
  auto it = bind->scans.find(table_name);
  if (it == bind->scans.end()) {
    // A self-join sees the version its first mention saw.
    auto scan = ResolveScan(*ref, *bind);
    if (!scan.ok()) return fail(scan.status());
    it = bind->scans.emplace(table_name, std::move(*scan)).first;
  }
  const ResolvedScan& scan = it->second;
  LogicalType varchar(duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR));
  std::vector<duckdb_value> values;
  for (const auto& p : scan.paths) values.push_back(duckdb_create_varchar(p.c_str()));
  Value list(duckdb_create_list_value(varchar.get(), values.data(), values.size()));
  for (auto& v : values) duckdb_destroy_value(&v);
  if (scan.deletion_set == 0 && !scan.by_name) {
    duckdb_replacement_scan_set_function_name(info, "read_parquet");
    duckdb_replacement_scan_add_parameter(info, list.get());
    return;
  }
  Value by_name(duckdb_create_bool(scan.by_name));
  duckdb_replacement_scan_add_parameter(info, list.get());
  if (scan.deletion_set != 0) {
    Value set(duckdb_create_uint64(scan.deletion_set));
    duckdb_replacement_scan_set_function_name(info, "lakehouse_scan_live");
    duckdb_replacement_scan_add_parameter(info, set.get());
  } else {
    duckdb_replacement_scan_set_function_name(info, "lakehouse_scan");
  }
  duckdb_replacement_scan_add_parameter(info, by_name.get());
}

Result<catalog::Manifest> EngineImpl::ResolveVersion(const TableRef& ref, BindContext& bind) {
  std::optional<uint64_t> version = ref.version;
  if (ref.tag) {
    LH_ASSIGN_OR_RETURN(uint64_t tagged, catalog_.GetTag(ref.dataset, *ref.tag));
    version = tagged;
  }
  if (!version && bind.as_of != nullptr) {
    if (auto pin = bind.as_of->find(ref.dataset); pin != bind.as_of->end()) version = pin->second;
  }
  auto manifest =
      version ? catalog_.GetVersion(ref.dataset, *version) : catalog_.GetCurrent(ref.dataset);
  if (manifest.ok() && manifest->operation == catalog::Operation::kDelete) {
    return Status::NotFound("version " + std::to_string(manifest->version) + " of " + ref.dataset +
                            " is a deletion and has no rows");
  }
  if (!manifest.ok() && manifest.status().code() == StatusCode::kNotFound) {
    return Status::NotFound(version ? manifest.status().message()
                                    : "unknown dataset \"" + ref.dataset + "\"");
  }
  return manifest;
}

Result<ResolvedScan> EngineImpl::ResolveScan(const TableRef& ref, BindContext& bind) {
  LH_ASSIGN_OR_RETURN(catalog::Manifest manifest, ResolveVersion(ref, bind));
  ResolvedScan scan;
  scan.by_name = manifest.mixed_schema;
  for (const auto& file : manifest.files) {
    LH_ASSIGN_OR_RETURN(auto lease, cache_->Acquire(file.key));
    scan.paths.push_back(lease.path());
    bind.pins.leases.push_back(std::move(lease));
  }
  if (HasDeletes(manifest)) {
    LH_ASSIGN_OR_RETURN(auto set, LoadDeletionSet(manifest, deletion_vectors_->Loader()));
    bind.pins.deletions.push_back(deletion_sets_.Register(std::move(set)));
    scan.deletion_set = bind.pins.deletions.back().id();
  }
  if (bind.names_filename && !HasColumn(manifest, "filename")) {
    // DuckDB would answer `filename` with the data file's server path.
    return Status::PermissionDenied(
        "column filename is refused: " + ref.dataset +
        " has no column of that name, and DuckDB would answer it with a server file path");
  }
  auto [existing, inserted] = bind.versions.emplace(ref.dataset, manifest.version);
  if (!inserted && existing->second != manifest.version) {
    // Two versions of one dataset in one query: the first one bound keeps
    // the plain name, any other is reported as name@N.
    bind.versions[ref.dataset + "@" + std::to_string(manifest.version)] = manifest.version;
  }
  return scan;
}

Status EngineImpl::Init(storage::ObjectStore& store) {
  std::error_code ec;
  std::filesystem::create_directories(options_.scratch_dir + "/spill", ec);
  if (ec) return Status::FromErrno(ec.value(), "create " + options_.scratch_dir);
  deletion_vectors_ = std::make_unique<DeletionVectorCache>(store);
  LH_ASSIGN_OR_RETURN(cache_, DataFileCache::Open({.dir = options_.scratch_dir + "/cache",
                                                   .max_bytes = options_.cache_bytes},
                                                  store));

  Config config;
  if (duckdb_create_config(config.out()) != DuckDBSuccess) {
    return Status::Internal("duckdb_create_config failed");
  }
  char* error = nullptr;
  if (duckdb_open_ext(nullptr, database_.out(), config.get(), &error) != DuckDBSuccess) {
    std::string message = error ? error : "unknown error";
    duckdb_free(error);
    return Status::Internal("cannot open DuckDB: " + message);
  }
  duckdb_add_replacement_scan(database_.get(), ReplacementScan, this, nullptr);

  // The fence, set once and locked: after lock_configuration no statement can
  // change any of it.
  std::vector<std::string> allowed = {cache_->dir() + "/"};
  // Only the data files' directory: manifests and other objects stay out of
  // reach of read_text() and friends.
  if (auto data_file = store.LocalPathOf(catalog::DataFilePrefix("probe") + "file")) {
    allowed.push_back(std::filesystem::path(*data_file).parent_path().parent_path().string() + "/");
  }
  std::string allowed_list;
  for (const auto& dir : allowed)
    allowed_list += (allowed_list.empty() ? "" : ", ") + SqlString(dir);
  Connection setup;
  if (duckdb_connect(database_.get(), setup.out()) != DuckDBSuccess) {
    return Status::Internal("cannot connect to DuckDB");
  }
  // Registered in the system catalog, so every connection has them; before
  // the fence is locked, like the rest of the setup.
  LH_RETURN_IF_ERROR(RegisterSqlFunctions(setup.get(), functions_));
  LH_RETURN_IF_ERROR(RegisterDatasetScan(setup.get(), deletion_sets_));
  const std::vector<std::string> statements = {
      "SET threads = " + std::to_string(options_.threads),
      "SET memory_limit = " + SqlString(options_.memory_limit),
      "SET temp_directory = " + SqlString(options_.scratch_dir + "/spill"),
      std::string("SET allocator_background_threads = ") +
          (options_.release_idle_memory ? "true" : "false"),
      "SET autoinstall_known_extensions = false",
      "SET autoload_known_extensions = false",
      "SET allow_community_extensions = false",
      // A data file never changes under its key (an erasure writes a new
      // key), so its footer is parsed once, not at every query: what keeps
      // a version of many small files close to one of a single file.
      "SET parquet_metadata_cache = true",
      "SET allowed_directories = [" + allowed_list + "]",
      "SET enable_external_access = false",
      "SET lock_configuration = true",
  };
  for (const auto& sql : statements) LH_RETURN_IF_ERROR(Exec(setup.get(), sql));
  LH_RETURN_IF_ERROR(ConfigureScrubber(setup.get(), store));
  LH_ASSIGN_OR_RETURN(auto fence, SqlFence::Open(setup.get()));
  fence_.emplace(std::move(fence));

  for (size_t i = 0; i < options_.connections; ++i) {
    Connection connection;
    if (duckdb_connect(database_.get(), connection.out()) != DuckDBSuccess) {
      return Status::Internal("cannot connect to DuckDB");
    }
    connection_ids_.push_back(ConnectionId(connection.get()));
    connections_.push_back(std::move(connection));
    free_slots_.push_back(i);
  }
  return Status::Ok();
}

// The directories a message must not show: the data files', the scratch
// space's, and DuckDB's own (home, secrets, extensions, spill), read from
// its settings so none is missed.
Status EngineImpl::ConfigureScrubber(duckdb_connection setup, storage::ObjectStore& store) {
  if (auto data_file = store.LocalPathOf(catalog::DataFilePrefix("probe") + "file")) {
    // <root>/objects/data%2F... : the store's root, whatever its layout.
    auto root = std::filesystem::path(*data_file).parent_path().parent_path().parent_path();
    scrubber_.Add(root.string(), "<data>");
  }
  scrubber_.Add(options_.scratch_dir, "<scratch>");
  QueryResult result;
  if (duckdb_query(setup,
                   "SELECT name, value FROM duckdb_settings() WHERE name IN ('home_directory', "
                   "'secret_directory', 'extension_directory', 'temp_directory')",
                   result.out()) != DuckDBSuccess) {
    return Status::Internal(std::string("cannot read DuckDB's settings: ") +
                            duckdb_result_error(result.get()));
  }
  for (idx_t row = 0; row < duckdb_row_count(result.get()); ++row) {
    char* name = duckdb_value_varchar(result.get(), 0, row);
    char* value = duckdb_value_varchar(result.get(), 1, row);
    if (name != nullptr && value != nullptr) scrubber_.Add(value, "<" + std::string(name) + ">");
    duckdb_free(name);
    duckdb_free(value);
  }
  if (const char* home = std::getenv("HOME")) scrubber_.Add(home, "<home>");
  return Status::Ok();
}

Result<std::string> EngineImpl::Setting(const std::string& name) {
  LH_ASSIGN_OR_RETURN(size_t slot, AcquireSlot());
  auto value = ReadSetting(connections_[slot].get(), name);
  Release(slot);
  return value;
}

Result<size_t> EngineImpl::AcquireSlot() {
  std::unique_lock lock(pool_mu_);
  bool available = pool_cv_.wait_for(lock, std::chrono::milliseconds(options_.timeout_ms),
                                     [this] { return !free_slots_.empty(); });
  if (!available) {
    return Status::Unavailable("all " + std::to_string(connections_.size()) +
                               " query connections stayed busy");
  }
  size_t slot = free_slots_.back();
  free_slots_.pop_back();
  return slot;
}

Result<std::unique_ptr<QueryCursor>> EngineImpl::Execute(const QueryRequest& request) {
  if (request.sql.find_first_not_of(" \t\r\n;") == std::string::npos) {
    return Status::InvalidArgument("sql is empty");
  }
  if (request.limit == 0 || request.limit > options_.max_rows) {
    return Status::InvalidArgument("limit must be 1.." + std::to_string(options_.max_rows));
  }
  auto start = Clock::now();
  LH_ASSIGN_OR_RETURN(size_t slot, AcquireSlot());
  BindContext bind;
  bind.as_of = &request.as_of;
  current_bind = &bind;
  auto cursor = Run(slot, request, bind, start);
  current_bind = nullptr;
  if (!cursor.ok() && !bind.cursor_owns_slot) Release(slot);
  if (!cursor.ok()) return Scrub(cursor.status());
  return cursor;
}

Status EngineImpl::BindFailure(size_t slot, const BindContext& bind,
                               duckdb_prepared_statement prepared) {
  if (bind.error) return *bind.error;
  std::string message = duckdb_prepare_error(prepared) ? duckdb_prepare_error(prepared) : "";
  if (auto failure = FunctionFailure(slot, message)) return *failure;
  // The C API gives no error type for a failed prepare; the fence's refusals
  // are recognised by DuckDB's own error class prefix.
  if (message.starts_with("Permission Error") || message.starts_with("Invalid Configuration")) {
    return Status::PermissionDenied(message);
  }
  if (message.starts_with("Catalog Error: Table with name")) return Status::NotFound(message);
  if (message.starts_with("Out of Memory Error")) {
    return MemoryExhausted(options_.memory_limit, message);
  }
  return Status::InvalidArgument(message);
}

Result<Prepared> EngineImpl::Prepare(size_t slot, const std::string& sql, BindContext& bind) {
  duckdb_connection connection = connections_[slot].get();
  // The fence decides on the parse alone; nothing below runs for a refusal.
  LH_ASSIGN_OR_RETURN(FencedSql fenced, fence_->Check(connection, sql));
  bind.names_filename = bind.names_filename || fenced.names_filename;
  Extracted extracted;
  idx_t count = duckdb_extract_statements(connection, fenced.sql.c_str(), extracted.out());
  if (count != 1) {
    const char* error = duckdb_extract_statements_error(extracted.get());
    return Status::InvalidArgument(error ? error : "expected one SQL statement");
  }
  Prepared prepared;
  if (duckdb_prepare_extracted_statement(connection, extracted.get(), 0, prepared.out()) !=
      DuckDBSuccess) {
    return BindFailure(slot, bind, prepared.get());
  }
  // The fence already decided; this holds should the parse and the prepare
  // ever disagree.
  duckdb_statement_type type = duckdb_prepared_statement_type(prepared.get());
  if (type != DUCKDB_STATEMENT_TYPE_SELECT && type != DUCKDB_STATEMENT_TYPE_EXPLAIN) {
    return Status::PermissionDenied("only read-only queries (SELECT, EXPLAIN) may run; this is " +
                                    std::string(StatementTypeName(type)));
  }
  return prepared;
}

Result<std::unique_ptr<QueryCursor>> EngineImpl::Run(size_t slot, const QueryRequest& request,
                                                     BindContext& bind, Clock::time_point start) {
  duckdb_connection connection = connections_[slot].get();
  functions_.BeginQuery(connection_ids_[slot],
                        start + std::chrono::milliseconds(options_.timeout_ms));
  LH_ASSIGN_OR_RETURN(Prepared prepared, Prepare(slot, request.sql, bind));
  if (duckdb_nparams(prepared.get()) > 0) {
    return Status::InvalidArgument("the query has parameters ($1, ?) but none can be bound");
  }

  // Columns the formatter cannot read natively are cast in a wrapping query.
  idx_t column_count = duckdb_prepared_statement_column_count(prepared.get());
  std::vector<ResultColumn> columns(column_count);
  bool needs_rewrite = false;
  // Per column: cast in a wrapping query, and whether that cast is to_json.
  std::vector<bool> cast(column_count), as_json(column_count);
  for (idx_t c = 0; c < column_count; ++c) {
    LogicalType logical(duckdb_prepared_statement_column_logical_type(prepared.get(), c));
    // The C API hands over a copy the caller must free.
    const char* name = duckdb_prepared_statement_column_name(prepared.get(), c);
    columns[c].name = name != nullptr ? name : "";
    duckdb_free(const_cast<char*>(name));
    columns[c].type = TypeName(logical.get());
    cast[c] = !IsNativelyFormatted(logical.get());
    as_json[c] = cast[c] && IsNested(duckdb_get_type_id(logical.get()));
    needs_rewrite = needs_rewrite || cast[c];
  }
  if (needs_rewrite) {
    std::string sql = request.sql;
    while (!sql.empty() && (sql.back() == ';' || isspace(static_cast<unsigned char>(sql.back())))) {
      sql.pop_back();
    }
    std::string select, aliases;
    for (idx_t c = 0; c < column_count; ++c) {
      std::string alias = "c" + std::to_string(c);
      aliases += (c ? ", " : "") + alias;
      std::string expr = alias;
      if (cast[c]) {
        expr = as_json[c] ? "CAST(to_json(" + alias + ") AS VARCHAR)"
                          : "CAST(" + alias + " AS VARCHAR)";
      }
      select += (c ? ", " : "") + expr;
    }
    std::string wrapped =
        "SELECT " + select + " FROM (" + sql + "\n) AS lakehouse_result(" + aliases + ")";
    // The wrapper holds the user's text too, so it passes the fence as well.
    LH_ASSIGN_OR_RETURN(prepared, Prepare(slot, wrapped, bind));
  }
  for (idx_t c = 0; c < column_count; ++c) {
    LogicalType logical(duckdb_prepared_statement_column_logical_type(prepared.get(), c));
    ResultColumn& column = columns[c];
    column.physical = duckdb_get_type_id(logical.get());
    switch (column.physical) {
      case DUCKDB_TYPE_BOOLEAN:
        column.encoding = ColumnEncoding::kBoolean;
        break;
      case DUCKDB_TYPE_TINYINT:
      case DUCKDB_TYPE_SMALLINT:
      case DUCKDB_TYPE_INTEGER:
      case DUCKDB_TYPE_BIGINT:
        column.encoding = ColumnEncoding::kSigned;
        break;
      case DUCKDB_TYPE_UTINYINT:
      case DUCKDB_TYPE_USMALLINT:
      case DUCKDB_TYPE_UINTEGER:
      case DUCKDB_TYPE_UBIGINT:
        column.encoding = ColumnEncoding::kUnsigned;
        break;
      case DUCKDB_TYPE_FLOAT:
        column.encoding = ColumnEncoding::kFloat;
        break;
      case DUCKDB_TYPE_DOUBLE:
        column.encoding = ColumnEncoding::kDouble;
        break;
      case DUCKDB_TYPE_DATE:
        column.encoding = ColumnEncoding::kDate;
        break;
      case DUCKDB_TYPE_TIMESTAMP:
        column.encoding = ColumnEncoding::kTimestamp;
        break;
      case DUCKDB_TYPE_DECIMAL:
        column.encoding = ColumnEncoding::kDecimal;
        column.physical = duckdb_decimal_internal_type(logical.get());
        column.decimal_scale = duckdb_decimal_scale(logical.get());
        break;
      default:
        column.encoding = as_json[c] ? ColumnEncoding::kRawJson : ColumnEncoding::kString;
    }
  }

  uint64_t watch_id =
      watchdog_.Watch(connection, start + std::chrono::milliseconds(options_.timeout_ms));
  auto cursor = std::make_unique<CursorImpl>(*this, slot, watch_id, std::move(prepared),
                                             std::move(columns), std::move(bind.versions),
                                             std::move(bind.pins), request.limit, start);
  bind.cursor_owns_slot = true;
  LH_RETURN_IF_ERROR(cursor->Start());
  return std::unique_ptr<QueryCursor>(std::move(cursor));
}

CursorImpl::~CursorImpl() {
  result_.reset();
  engine_.watchdog().Unwatch(watch_id_);
  prepared_.reset();
  engine_.Release(slot_);
}

Status CursorImpl::Start() {
  if (duckdb_execute_prepared_streaming(prepared_.get(), result_.out()) != DuckDBSuccess) {
    return FetchError();
  }
  return Status::Ok();
}

Status CursorImpl::FetchError() {
  const char* message = duckdb_result_error(result_.get());
  std::optional<Status> status = engine_.FunctionFailure(slot_, message ? message : "");
  if (!status) {
    status = ErrorFromResult(duckdb_result_error_type(result_.get()),
                             message ? message : "query failed", engine_.options().memory_limit);
  }
  // The watchdog's interrupt and a SQL function giving up at the deadline
  // read the same to the client.
  if (status->code() == StatusCode::kTimeout) {
    return Status::Timeout("query exceeded its time limit of " +
                           std::to_string(engine_.options().timeout_ms) + " ms");
  }
  return engine_.Scrub(*status);
}

template <typename Emit>
Result<bool> CursorImpl::Next(Emit emit) {
  if (done_) return false;
  DataChunk chunk(duckdb_fetch_chunk(*result_.get()));
  if (!chunk) {
    done_ = true;
    if (duckdb_result_error(result_.get()) != nullptr) return FetchError();
    return false;
  }
  size_t size = duckdb_data_chunk_get_size(chunk.get());
  size_t room = limit_ - rows_;
  size_t take = std::min(size, room);
  emit(chunk.get(), take);
  rows_ += take;
  if (rows_ >= limit_) {
    done_ = true;
    if (size > take) {
      truncated_ = true;
    } else {
      DataChunk more(duckdb_fetch_chunk(*result_.get()));
      truncated_ = more && duckdb_data_chunk_get_size(more.get()) > 0;
    }
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<QueryEngine>> QueryEngine::Open(const QueryEngineOptions& options,
                                                       catalog::Catalog& catalog,
                                                       storage::ObjectStore& store) {
  if (options.scratch_dir.empty()) return Status::InvalidArgument("query scratch dir is empty");
  if (options.connections == 0) return Status::InvalidArgument("connections must be at least 1");
  auto engine = std::make_unique<EngineImpl>(options, catalog);
  LH_RETURN_IF_ERROR(engine->Init(store));
  return std::unique_ptr<QueryEngine>(std::move(engine));
}

}  // namespace lakehouse::query
