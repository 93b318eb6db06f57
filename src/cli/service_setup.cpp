// Service set-up from config: option structs, the store a service uses, SQL functions, checks.
#include "cli/service_setup.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "common/logging.h"
#include "common/version.h"
#include "storage/configured_store.h"
#include "storage/http_object_store.h"

namespace lakehouse::cli {

int Fail(const Status& status) {
  spdlog::error("{}", status.ToString());
  return 1;
}

server::HealthCheck StorageCheck(std::string name, storage::ObjectStore& store) {
  return {std::move(name), [&store] {
            storage::ListOptions one;
            one.limit = 1;
            return store.List(one).status();
          }};
}

int ServeUntilSignal(server::ShutdownWatcher& watcher, server::HttpServer& http,
                     const std::string& listen, std::string_view what) {
  auto address = ParseListenAddress(listen);
  if (!address.ok()) return Fail(address.status());
  auto port = http.Bind(*address);
  if (!port.ok()) return Fail(port.status());
  watcher.Start([&http] { http.Stop(); });
  spdlog::info("lakehouse {} {} listening on http://{}:{}", kVersion, what, address->host, *port);
  http.Run();
  spdlog::info("stopped");
  return 0;
}

Result<Config> LoadServiceConfig(const ServiceOptions& options) {
  auto config = LoadConfigFile(options.config_path);
  if (!config.ok()) return config.status();
  LH_RETURN_IF_ERROR(SetLogLevel(options.log_level.value_or(config->log.level)));
  return config;
}

query::QueryEngineOptions QueryOptions(const QuerydConfig& config, std::string scratch) {
  query::QueryEngineOptions options;
  options.scratch_dir = std::move(scratch);
  options.timeout_ms = config.timeout_ms;
  options.memory_limit = config.memory_limit;
  options.threads = config.threads;
  options.connections = static_cast<size_t>(config.connections);
  options.max_rows = static_cast<size_t>(config.max_rows);
  options.cache_bytes = config.cache_bytes;
  options.release_idle_memory = config.release_idle_memory;
  return options;
}

namespace {

vector::SearchMode VectorMode(query::SearchMode mode) {
  switch (mode) {
    case query::SearchMode::kKeyword:
      return vector::SearchMode::kKeyword;
    case query::SearchMode::kHybrid:
      return vector::SearchMode::kHybrid;
    case query::SearchMode::kVector:
      break;
  }
  return vector::SearchMode::kVector;
}

std::optional<int64_t> RankOf(const std::optional<size_t>& rank) {
  if (!rank) return std::nullopt;
  return static_cast<int64_t>(*rank);
}

}  // namespace

std::vector<query::SearchRow> SearchRows(const vector::SearchResult& result) {
  std::vector<query::SearchRow> rows;
  rows.reserve(result.hits.size());
  for (const auto& hit : result.hits) {
    query::SearchRow row;
    row.id = hit.id;
    row.distance = hit.distance;
    row.metadata = hit.metadata ? hit.metadata->dump() : "{}";
    row.score = hit.score;
    row.vector_rank = RankOf(hit.vector_rank);
    row.keyword_rank = RankOf(hit.keyword_rank);
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<vector::SearchRequest> TextSearchRequest(vector::SearchMode mode, const std::string& text,
                                                size_t k, const std::string& filter) {
  vector::SearchRequest request;
  request.text = text;
  request.mode = mode;
  request.k = k;
  LH_ASSIGN_OR_RETURN(request.filter, vector::MetadataFilter::ParseText(filter));
  return request;
}

Result<query::SqlFunctions> SqlFunctionsFor(TextSearch search,
                                            const embed::EmbedderSet& embedders) {
  query::SqlFunctions functions;
  if (search) {
    functions.search = [search = std::move(search)](
                           query::SearchMode mode, const std::string& index,
                           const std::string& text, size_t k,
                           const std::string& filter) -> Result<std::vector<query::SearchRow>> {
      LH_ASSIGN_OR_RETURN(auto found, search(index, VectorMode(mode), text, k, filter));
      return SearchRows(found);
    };
  }
  LH_ASSIGN_OR_RETURN(std::shared_ptr<embed::Embedder> embedder, embedders.Find(""));
  functions.embed = [embedder](std::span<const std::string> texts) {
    return embedder->Embed(texts);
  };
  return functions;
}

ingest::IngestOptions IngestOptions(const Config& config, std::string scratch) {
  ingest::IngestOptions options;
  options.scratch_dir = std::move(scratch);
  options.max_bytes = config.catalogd.max_ingest_bytes;
  options.compact_file_bytes = config.catalogd.compact_file_bytes;
  options.auto_compact_small_files = config.catalogd.auto_compact_small_files;
  options.threads = config.queryd.threads;
  options.memory_limit = config.queryd.memory_limit;
  return options;
}

Result<std::unique_ptr<storage::ObjectStore>> ServiceStore(const Config& config,
                                                           const std::string& storage,
                                                           const std::string& storaged_url,
                                                           std::string* where) {
  if (storage == "direct") {
    *where = config.storaged.backend == "s3"
                 ? "s3 bucket " + config.s3.bucket + " at " + config.s3.endpoint
                 : "local directory " + config.storaged.root;
    return storage::OpenConfiguredStore(config);
  }
  *where = "storaged at " + storaged_url;
  LH_ASSIGN_OR_RETURN(auto remote, storage::HttpObjectStore::Create(
                                       {.base_url = storaged_url, .service = "storaged"}));
  return std::unique_ptr<storage::ObjectStore>(std::move(remote));
}

// The writer id is the host and listen address, stable across a
// restart so a writer that crashed takes its own claim back; with port 0
// there is no stable address, and the pid makes it unique instead.
vector::VectorServiceOptions VectorOptions(const VectordConfig& config, const std::string& listen,
                                           const embed::EmbedderSet* embedders) {
  vector::VectorServiceOptions options;
  options.embedders = embedders;
  options.role = config.role == "writer"   ? vector::VectorRole::kWriter
                 : config.role == "reader" ? vector::VectorRole::kReader
                                           : vector::VectorRole::kAuto;
  options.reload_interval = std::chrono::milliseconds(config.reload_interval_ms);
  options.compact_deltas = static_cast<size_t>(config.compact_deltas);
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown-host");
  options.writer_id = std::string(host) + " " + listen;
  if (auto address = ParseListenAddress(listen); !address.ok() || address->port == 0) {
    options.writer_id += " pid " + std::to_string(::getpid());
  }
  return options;
}

uint64_t MaxBody(const Config& config) {
  return std::max(config.storaged.max_object_bytes, config.catalogd.max_ingest_bytes);
}

}  // namespace lakehouse::cli
