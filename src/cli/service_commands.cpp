// The service subcommands: each assembles its parts from config and serves until a signal.
#include "cli/service_commands.h"

#include "cli/iceberg_setup.h"
#include "cli/pgwire_setup.h"
#include "cli/serve_gauges.h"
#include "cli/service_setup.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "catalog/http_catalog.h"
#include "catalog/store_catalog.h"
#include "common/config.h"
#include "common/logging.h"
#include "common/version.h"
#include "embed/configured_embedders.h"
#include "gateway/access_control.h"
#include "gateway/front_door.h"
#include "gateway/proxy.h"
#include "http/client_pool.h"
#include "http/http_status.h"
#include "ingest/ingestor.h"
#include "query/query_engine.h"
#include "query/sql_reader.h"
#include "server/dataset_index_routes.h"
#include "server/dataset_routes.h"
#include "server/embed_routes.h"
#include "server/health_routes.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/object_routes.h"
#include "server/query_routes.h"
#include "server/request_body.h"
#include "server/shutdown.h"
#include "server/vector_routes.h"
#include "storage/configured_store.h"
#include "storage/http_object_store.h"
#include "storage/local_object_store.h"
#include "vector/dataset_indexer.h"
#include "vector/http_vector_search.h"
#include "web/ui_routes.h"

namespace lakehouse::cli {

int RunServe(const ServeOptions& options) {
  server::ShutdownWatcher watcher;
  Config config;
  if (options.config_path) {
    auto loaded = LoadConfigFile(*options.config_path);
    if (!loaded.ok()) return Fail(loaded.status());
    config = std::move(*loaded);
  }
  if (Status s = SetLogLevel(options.log_level.value_or(config.log.level)); !s.ok()) return Fail(s);

  const std::filesystem::path data(options.data_dir);
  // backend = "local": the objects live under --data. "s3": in the bucket,
  // shared with any other process on it; --data holds only scratch.
  Config store_config = config;
  store_config.storaged.root = (data / "objects").string();
  auto store = storage::OpenConfiguredStore(store_config);
  if (!store.ok()) return Fail(store.status());

  // Scratch space sits beside the objects, on the same filesystem, so an
  // ingested Parquet file is moved into the store rather than copied.
  catalog::StoreCatalog versions(**store);
  // Every change to a dataset is followed by its Iceberg table's.
  auto iceberg_tables =
      IcebergTables::Open(config, **store, versions, (data / "scratch" / "iceberg").string());
  catalog::Catalog& catalog = iceberg_tables->catalog();
  auto ingestor = ingest::Ingestor::Open(
      IngestOptions(config, (data / "scratch" / "ingest").string()), **store, catalog);
  if (!ingestor.ok()) return Fail(ingestor.status());
  // Vector indexes persist to the same store, one LHV1 object each. They come
  // before the query engine, whose search functions search them in process.
  embed::EmbedderSet embedders;
  if (Status s = embed::AddConfiguredEmbedders(config.embed, embedders); !s.ok()) return Fail(s);
  const std::string listen = options.listen.value_or(config.gateway.listen);
  auto vectors =
      vector::VectorService::Open(store->get(), VectorOptions(config.vectord, listen, &embedders));
  if (!vectors.ok()) return Fail(vectors.status());
  auto functions = SqlFunctionsFor(
      [&vectors](const std::string& index, vector::SearchMode mode, const std::string& text,
                 size_t k, const std::string& filter) -> Result<vector::SearchResult> {
        LH_ASSIGN_OR_RETURN(auto request, TextSearchRequest(mode, text, k, filter));
        return (*vectors)->Search(index, request);
      },
      embedders);
  if (!functions.ok()) return Fail(functions.status());
  auto query_options = QueryOptions(config.queryd, (data / "scratch" / "query").string());
  query_options.functions = std::move(*functions);
  auto engine = query::QueryEngine::Open(query_options, catalog, **store);
  if (!engine.ok()) return Fail(engine.status());

  auto listen_address = ParseListenAddress(listen);
  if (!listen_address.ok()) return Fail(listen_address.status());
  auto front_door = gateway::FrontDoor::Open(config.auth, *listen_address);
  if (!front_door.ok()) return Fail(front_door.status());

  server::HttpServer http(config.http, MaxBody(config));
  (*front_door)->Install(http);
  server::RegisterHealthRoutes(
      http.router(), {StorageCheck("storage", **store),
                      {"catalog", [&catalog] { return catalog.ListDatasets().status(); }},
                      {"query", [&engine] {
                         LH_ASSIGN_OR_RETURN(auto cursor, (*engine)->Execute({"SELECT 1", 1, {}}));
                         std::string rows;
                         return cursor->NextJson(rows).status();
                       }}});
  // Only the public object routes: the parts in this process reach the store
  // directly, so nothing here needs the system's keys over HTTP.
  server::RegisterObjectRoutes(http.router(), **store, config.storaged.max_object_bytes,
                               server::ObjectApi::kPublic);
  // Dataset text indexes read their rows through the engine in process.
  query::EngineSqlReader dataset_rows(**engine);
  vector::DatasetIndexer indexer(**vectors, &dataset_rows, embedders);
  server::RegisterDatasetRoutes(http.router(), catalog, ingestor->get(),
                                [&indexer](const std::string& dataset) -> Result<nlohmann::json> {
                                  LH_ASSIGN_OR_RETURN(auto outcomes, indexer.Reconcile(dataset));
                                  return server::ReconcileJson(outcomes)["indexes"];
                                });
  ServeIcebergCatalog(http.router(), config.iceberg, iceberg_tables->source());
  iceberg_tables->RepairInBackground();
  server::RegisterQueryRoutes(http.router(), **engine);
  server::RegisterVectorRoutes(http.router(), **vectors);
  server::RegisterDatasetIndexRoutes(http.router(), indexer);
  server::RegisterEmbedRoutes(http.router(), embedders);
  web::RegisterUiRoutes(http.router(), catalog, **engine, **vectors, ingestor->get());
  AddServeGauges((*front_door)->metrics(), catalog, **store, **vectors, **engine);
  // Declared after the engine, so it stops (after the HTTP listener) before
  // the engine closes.
  auto pgwire = StartPgwire(config, **engine, catalog, (*front_door)->access());
  if (!pgwire.ok()) return Fail(pgwire.status());
  if (*pgwire) AddPgwireGauges((*front_door)->metrics(), **pgwire);
  return ServeUntilSignal(watcher, http, listen, "serve");
}

int RunStoraged(const ServiceOptions& options) {
  server::ShutdownWatcher watcher;
  auto config = LoadServiceConfig(options);
  if (!config.ok()) return Fail(config.status());

  auto store = storage::OpenConfiguredStore(*config);  // backend = "local" or "s3"
  if (!store.ok()) return Fail(store.status());

  server::HttpServer http(config->http, config->storaged.max_object_bytes);
  server::RegisterHealthRoutes(http.router(), {StorageCheck("storage", **store)});
  // Users' keys on the public routes (reached through the gateway); the
  // system's own keys on the internal ones, for catalogd, queryd and vectord.
  server::RegisterObjectRoutes(http.router(), **store, config->storaged.max_object_bytes,
                               server::ObjectApi::kPublic);
  server::RegisterObjectRoutes(http.router(), **store, config->storaged.max_object_bytes,
                               server::ObjectApi::kInternal);
  return ServeUntilSignal(watcher, http, config->storaged.listen, "storaged");
}

// catalogd's word to vectord after an erasure (POST .../indexes/reconcile);
// none without a vectord_url.
Result<server::ErasureListener> TellVectord(const std::string& vectord_url) {
  if (vectord_url.empty()) {
    spdlog::info("catalog: no vectord_url; erasures reach no text index");
    return server::ErasureListener();
  }
  LH_ASSIGN_OR_RETURN(
      auto created,
      http::ClientPool::Create({.base_url = vectord_url, .service = "vectord", .timeout_s = 600}));
  std::shared_ptr<http::ClientPool> pool = std::move(created);
  return server::ErasureListener([pool](const std::string& dataset) -> Result<nlohmann::json> {
    auto lease = pool->Acquire();
    auto answer =
        lease->Post("/v1/datasets/" + dataset + "/indexes/reconcile", "", "application/json");
    if (!answer) {
      lease.Discard();
      return pool->TransportError(answer.error());
    }
    if (answer->status != 200) return http::StatusFromHttp(answer->status, answer->body);
    auto body = nlohmann::json::parse(answer->body, nullptr, false);
    if (!body.is_object() || !body.contains("indexes")) {
      return Status::IoError("vectord answered a malformed reconcile report");
    }
    return body["indexes"];
  });
}

int RunCatalogd(const ServiceOptions& options) {
  server::ShutdownWatcher watcher;
  auto config = LoadServiceConfig(options);
  if (!config.ok()) return Fail(config.status());

  std::string where;
  auto store =
      ServiceStore(*config, config->catalogd.storage, config->catalogd.storaged_url, &where);
  if (!store.ok()) return Fail(store.status());
  catalog::StoreCatalog versions(**store);
  auto iceberg_tables =
      IcebergTables::Open(*config, **store, versions, config->catalogd.scratch + "/iceberg");
  catalog::Catalog& catalog = iceberg_tables->catalog();
  auto ingestor =
      ingest::Ingestor::Open(IngestOptions(*config, config->catalogd.scratch), **store, catalog);
  if (!ingestor.ok()) return Fail(ingestor.status());
  spdlog::info("catalog: storage: {}", where);

  server::HttpServer http(config->http, config->catalogd.max_ingest_bytes);
  server::RegisterHealthRoutes(http.router(), {StorageCheck("storaged", **store)});
  auto on_erased = TellVectord(config->catalogd.vectord_url);
  if (!on_erased.ok()) return Fail(on_erased.status());
  server::RegisterDatasetRoutes(http.router(), catalog, ingestor->get(), *on_erased);
  // The Iceberg catalog is served where the catalog runs (the gateway's
  // route table sends /iceberg/v1/ here).
  ServeIcebergCatalog(http.router(), config->iceberg, iceberg_tables->source());
  iceberg_tables->RepairInBackground();
  return ServeUntilSignal(watcher, http, config->catalogd.listen, "catalogd");
}

int RunQueryd(const ServiceOptions& options) {
  server::ShutdownWatcher watcher;
  auto config = LoadServiceConfig(options);
  if (!config.ok()) return Fail(config.status());

  std::string where;
  auto store = ServiceStore(*config, config->queryd.storage, config->queryd.storaged_url, &where);
  if (!store.ok()) return Fail(store.status());
  // On direct storage the catalog is read from the store too (it holds
  // nothing storage does not, and queries never commit), so queryd depends on
  // nothing but the bucket; otherwise it asks catalogd.
  std::unique_ptr<catalog::Catalog> catalog;
  std::string catalog_where;
  if (config->queryd.storage == "direct") {
    catalog = std::make_unique<catalog::StoreCatalog>(**store);
    catalog_where = "read from storage";
  } else {
    auto remote = catalog::HttpCatalog::Create(
        {.base_url = config->queryd.catalogd_url, .service = "catalogd"});
    if (!remote.ok()) return Fail(remote.status());
    catalog = std::move(*remote);
    catalog_where = "catalogd at " + config->queryd.catalogd_url;
  }
  // SQL's search functions ask vectord, bounded by the query time limit;
  // embed() uses this process's own default embedder.
  std::unique_ptr<vector::HttpVectorSearch> vectord;
  TextSearch search;
  if (config->queryd.vectord_url.empty()) {
    spdlog::info("query: no vectord_url; SQL vector_search() and its siblings are not available");
  } else {
    auto client = vector::HttpVectorSearch::Create(
        {.base_url = config->queryd.vectord_url,
         .service = "vectord",
         .timeout_s = std::max(1, config->queryd.timeout_ms / 1000)});
    if (!client.ok()) return Fail(client.status());
    vectord = std::move(*client);
    search = [&vectord](const std::string& index, vector::SearchMode mode, const std::string& text,
                        size_t k, const std::string& filter) {
      return vectord->Search(index, mode, text, k, filter);
    };
    spdlog::info("query: vector_search(), text_search() and hybrid_search() at vectord {}",
                 config->queryd.vectord_url);
  }
  embed::EmbedderSet embedders;
  if (Status s = embed::AddConfiguredEmbedders(config->embed, embedders); !s.ok()) return Fail(s);
  auto functions = SqlFunctionsFor(std::move(search), embedders);
  if (!functions.ok()) return Fail(functions.status());
  auto query_options = QueryOptions(config->queryd, config->queryd.scratch);
  query_options.functions = std::move(*functions);
  auto engine = query::QueryEngine::Open(query_options, *catalog, **store);
  if (!engine.ok()) return Fail(engine.status());
  spdlog::info("query: catalog {}, storage: {}", catalog_where, where);

  server::HttpServer http(config->http, server::kMaxJsonBody);
  const bool direct = config->queryd.storage == "direct";
  server::RegisterHealthRoutes(
      http.router(),
      {StorageCheck(direct ? "storage" : "storaged", **store),
       {direct ? "catalog" : "catalogd", [&catalog] { return catalog->ListDatasets().status(); }}});
  server::RegisterQueryRoutes(http.router(), **engine);
  // queryd's HTTP API sits behind the gateway, which checks tokens; its
  // PostgreSQL clients come straight here, so the tokens are read here too.
  gateway::AccessControl access;
  if (!config->auth.token_file.empty()) {
    auto loaded = gateway::AccessControl::FromTokenFile(config->auth.token_file);
    if (!loaded.ok()) return Fail(loaded.status());
    access = std::move(*loaded);
  }
  auto pgwire = StartPgwire(*config, **engine, *catalog, access);
  if (!pgwire.ok()) return Fail(pgwire.status());
  return ServeUntilSignal(watcher, http, config->queryd.listen, "queryd");
}

int RunVectord(const ServiceOptions& options) {
  server::ShutdownWatcher watcher;
  auto config = LoadServiceConfig(options);
  if (!config.ok()) return Fail(config.status());
  std::unique_ptr<storage::ObjectStore> store;
  if (config->vectord.storage == "storaged" && config->vectord.storaged_url.empty()) {
    spdlog::info("vectord: no storaged_url; indexes are ephemeral");
  } else {
    std::string where;
    auto opened =
        ServiceStore(*config, config->vectord.storage, config->vectord.storaged_url, &where);
    if (!opened.ok()) return Fail(opened.status());
    store = std::move(*opened);
    spdlog::info("vectord: persisting to {}", where);
  }
  embed::EmbedderSet embedders;
  if (Status s = embed::AddConfiguredEmbedders(config->embed, embedders); !s.ok()) return Fail(s);
  auto vectors = vector::VectorService::Open(
      store.get(), VectorOptions(config->vectord, config->vectord.listen, &embedders));
  if (!vectors.ok()) return Fail(vectors.status());
  server::HttpServer http(config->http, 64 << 20);
  std::vector<server::HealthCheck> checks;
  if (store) {
    checks.push_back(
        StorageCheck(config->vectord.storage == "direct" ? "storage" : "storaged", *store));
  }
  server::RegisterHealthRoutes(http.router(), std::move(checks));
  server::RegisterVectorRoutes(http.router(), **vectors);
  server::RegisterEmbedRoutes(http.router(), embedders);
  // Dataset text indexes read their rows from queryd, when there is one.
  std::unique_ptr<query::HttpSqlReader> dataset_rows;
  if (!config->vectord.queryd_url.empty()) {
    auto reader = query::HttpSqlReader::Create(config->vectord.queryd_url);
    if (!reader.ok()) return Fail(reader.status());
    dataset_rows = std::move(*reader);
  }
  vector::DatasetIndexer indexer(**vectors, dataset_rows.get(), embedders);
  server::RegisterDatasetIndexRoutes(http.router(), indexer);
  return ServeUntilSignal(watcher, http, config->vectord.listen, "vectord");
}

int RunGateway(const ServiceOptions& options) {
  server::ShutdownWatcher watcher;
  auto config = LoadServiceConfig(options);
  if (!config.ok()) return Fail(config.status());
  auto listen = ParseListenAddress(config->gateway.listen);
  if (!listen.ok()) return Fail(listen.status());
  auto front_door = gateway::FrontDoor::Open(config->auth, *listen);
  if (!front_door.ok()) return Fail(front_door.status());

  // Uploads and long queries pass through: the request timeout is generous;
  // a dead service is found by the short connect timeout.
  gateway::Upstreams upstreams;
  const std::pair<gateway::Service, const std::string*> services[] = {
      {gateway::Service::kStoraged, &config->gateway.storaged_url},
      {gateway::Service::kCatalogd, &config->gateway.catalogd_url},
      {gateway::Service::kQueryd, &config->gateway.queryd_url},
      {gateway::Service::kVectord, &config->gateway.vectord_url}};
  for (const auto& [service, url] : services) {
    if (Status s = upstreams.Add(service, *url, /*connect_timeout_ms=*/2000, /*timeout_s=*/3600);
        !s.ok()) {
      return Fail(s);
    }
    spdlog::info("gateway: {} at {}", gateway::ServiceName(service), *url);
  }
  server::HttpServer http(config->http, MaxBody(*config));
  (*front_door)->Install(http);
  server::RegisterHealthRoutes(http.router(), upstreams.HealthChecks());
  gateway::RegisterProxyRoutes(http.router(), upstreams, 64 << 20);
  return ServeUntilSignal(watcher, http, config->gateway.listen, "gateway");
}

}  // namespace lakehouse::cli
