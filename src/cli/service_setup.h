// What the service subcommands build from their config: options, stores, SQL functions, checks.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/service_commands.h"
#include "common/config.h"
#include "embed/embedder_set.h"
#include "ingest/ingestor.h"
#include "query/query_engine.h"
#include "server/health_routes.h"
#include "server/http_server.h"
#include "server/shutdown.h"
#include "storage/object_store.h"
#include "vector/index.h"
#include "vector/index_search.h"
#include "vector/vector_service.h"

namespace lakehouse::cli {

// Logs the status and returns the exit code 1.
int Fail(const Status& status);

// A deep health check of storage: the cheapest real call, a one-key list.
// `store` must outlive the check.
server::HealthCheck StorageCheck(std::string name, storage::ObjectStore& store);

// Binds `listen`, announces the address, and serves until SIGINT/SIGTERM.
// Returns the exit code.
int ServeUntilSignal(server::ShutdownWatcher& watcher, server::HttpServer& http,
                     const std::string& listen, std::string_view what);

// Reads the config file and applies the log level (the option's, else the config's).
Result<Config> LoadServiceConfig(const ServiceOptions& options);

query::QueryEngineOptions QueryOptions(const QuerydConfig& config, std::string scratch);
ingest::IngestOptions IngestOptions(const Config& config, std::string scratch);

// A search of an index by text in one mode: (index, mode, text, k, filter)
// to its ranked hits; the filter is a metadata filter's JSON text, empty for
// none.
using TextSearch = std::function<Result<vector::SearchResult>(
    const std::string&, vector::SearchMode, const std::string&, size_t, const std::string&)>;

// SQL's search functions and embed() (query_engine.h): search through
// `search` (in process, or a vectord over HTTP; null: the search functions
// refuse), and embed with the process's default embedder. `embedders` must
// outlive the functions.
Result<query::SqlFunctions> SqlFunctionsFor(TextSearch search, const embed::EmbedderSet& embedders);

// A search's hits as the rows of SQL's search functions, best first.
std::vector<query::SearchRow> SearchRows(const vector::SearchResult& result);

// `filter` (a JSON object's text, empty for none) parsed into a request for
// VectorService::Search, the in-process search of `serve`.
Result<vector::SearchRequest> TextSearchRequest(vector::SearchMode mode, const std::string& text,
                                                size_t k, const std::string& filter);

// A split-mode service's objects: "direct" opens the [storaged] backend in
// this process (so a deployment on S3 needs no storaged); "storaged" talks to
// storaged at `storaged_url`. `where` says which, for the logs.
Result<std::unique_ptr<storage::ObjectStore>> ServiceStore(const Config& config,
                                                           const std::string& storage,
                                                           const std::string& storaged_url,
                                                           std::string* where);

// How this process's vector service shares `_vectors/` with others on the
// same store; `embedders` must outlive the service.
vector::VectorServiceOptions VectorOptions(const VectordConfig& config, const std::string& listen,
                                           const embed::EmbedderSet* embedders);

// The largest request body any route of the process accepts.
uint64_t MaxBody(const Config& config);

}  // namespace lakehouse::cli
