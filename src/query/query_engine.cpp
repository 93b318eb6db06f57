// The query engine object: opening DuckDB behind its fence, and the pool of connections.
#include "query/query_engine.h"

#include <cstdlib>
#include <filesystem>

#include "common/sql_quote.h"
#include "query/engine_impl.h"
#include "query/engine_info.h"

namespace lakehouse::query {
namespace {

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

// The directories DuckDB may read, as an SQL list: the cache's and, on a
// store with local files, only the data files' directory, so manifests and
// other objects stay out of reach of read_text() and friends.
std::string AllowedDirectories(const DataFileCache& cache, storage::ObjectStore& store) {
  std::vector<std::string> allowed = {cache.dir() + "/"};
  if (auto data_file = store.LocalPathOf(catalog::DataFilePrefix("probe") + "file")) {
    allowed.push_back(std::filesystem::path(*data_file).parent_path().parent_path().string() + "/");
  }
  std::string allowed_list;
  for (const auto& dir : allowed)
    allowed_list += (allowed_list.empty() ? "" : ", ") + SqlString(dir);
  return allowed_list;
}

}  // namespace

Status EngineImpl::Init(storage::ObjectStore& store) {
  std::error_code ec;
  std::filesystem::create_directories(options_.scratch_dir + "/spill", ec);
  if (ec) return Status::FromErrno(ec.value(), "create " + options_.scratch_dir);
  deletion_vectors_ = std::make_unique<DeletionVectorCache>(store);
  LH_ASSIGN_OR_RETURN(cache_, DataFileCache::Open({.dir = options_.scratch_dir + "/cache",
                                                   .max_bytes = options_.cache_bytes},
                                                  store));
  LH_RETURN_IF_ERROR(OpenDatabase());
  Connection setup;
  if (duckdb_connect(database_.get(), setup.out()) != DuckDBSuccess) {
    return Status::Internal("cannot connect to DuckDB");
  }
  LH_RETURN_IF_ERROR(ConfigureDatabase(setup.get(), store));
  LH_RETURN_IF_ERROR(ConfigureScrubber(setup.get(), store));
  LH_ASSIGN_OR_RETURN(auto fence, SqlFence::Open(setup.get()));
  fence_.emplace(std::move(fence));
  return OpenConnections();
}

Status EngineImpl::OpenDatabase() {
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
  RegisterReplacementScan();
  return Status::Ok();
}

// The fence, set once and locked: after lock_configuration no statement can
// change any of it.
Status EngineImpl::ConfigureDatabase(duckdb_connection setup, storage::ObjectStore& store) {
  // Registered in the system catalog, so every connection has them; before
  // the fence is locked, like the rest of the setup.
  LH_RETURN_IF_ERROR(RegisterSqlFunctions(setup, functions_));
  LH_RETURN_IF_ERROR(RegisterDatasetScan(setup, deletion_sets_));
  const std::vector<std::string> statements = {
      "SET threads = " + std::to_string(options_.threads),
      "SET memory_limit = " + SqlString(options_.memory_limit),
      "SET temp_directory = " + SqlString(options_.scratch_dir + "/spill"),
      std::string("SET allocator_background_threads = ") +
          (options_.release_idle_memory ? "true" : "false"),
      // What PostgreSQL clients ask at connect, answered alike over HTTP;
      // macros of the default schema come before DuckDB's own functions.
      "CREATE OR REPLACE MACRO version() AS " + SqlString(SqlVersionString()),
      "CREATE OR REPLACE MACRO current_database() AS " + SqlString(kSqlDatabaseName),
      "CREATE OR REPLACE MACRO current_schema() AS 'public'",
      "SET autoinstall_known_extensions = false",
      "SET autoload_known_extensions = false",
      "SET allow_community_extensions = false",
      // A data file never changes under its key (an erasure writes a new
      // key), so its footer is parsed once, not at every query: what keeps
      // a version of many small files close to one of a single file.
      "SET parquet_metadata_cache = true",
      "SET allowed_directories = [" + AllowedDirectories(*cache_, store) + "]",
      "SET enable_external_access = false",
      "SET lock_configuration = true",
  };
  for (const auto& sql : statements) LH_RETURN_IF_ERROR(Exec(setup, sql));
  return Status::Ok();
}

Status EngineImpl::OpenConnections() {
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

void EngineImpl::Release(size_t slot) {
  {
    std::lock_guard lock(pool_mu_);
    free_slots_.push_back(slot);
  }
  pool_cv_.notify_one();
}

void QueryCancel::Cancel() {
  std::lock_guard lock(mu_);
  if (!interrupt_ || cancelled_) return;
  cancelled_ = true;
  interrupt_();
}

void QueryCancel::Attach(std::function<void()> interrupt) {
  std::lock_guard lock(mu_);
  interrupt_ = std::move(interrupt);
  cancelled_ = false;
}

void QueryCancel::Detach() {
  std::lock_guard lock(mu_);
  interrupt_ = nullptr;
}

bool QueryCancel::cancelled() const {
  std::lock_guard lock(mu_);
  return cancelled_;
}

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
