#include "cli/service_commands.h"

#include <filesystem>

#include "common/config.h"
#include "common/logging.h"
#include "common/version.h"
#include "server/health_routes.h"
#include "server/http_server.h"
#include "server/object_routes.h"
#include "server/shutdown.h"
#include "storage/local_object_store.h"

namespace lakehouse::cli {
namespace {

int Fail(const Status& status) {
  spdlog::error("{}", status.ToString());
  return 1;
}

Result<Config> LoadOptionalConfig(const std::optional<std::string>& path) {
  if (!path) return Config{};
  return LoadConfigFile(*path);
}

// Binds, announces the address, and serves until SIGINT/SIGTERM.
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

}  // namespace

int RunServe(const ServeOptions& options) {
  server::ShutdownWatcher watcher;
  auto config = LoadOptionalConfig(options.config_path);
  if (!config.ok()) return Fail(config.status());
  if (Status s = SetLogLevel(options.log_level.value_or(config->log.level)); !s.ok())
    return Fail(s);

  storage::LocalObjectStoreOptions store_options;
  store_options.root = (std::filesystem::path(options.data_dir) / "objects").string();
  store_options.max_object_bytes = config->storaged.max_object_bytes;
  auto store = storage::LocalObjectStore::Open(store_options);
  if (!store.ok()) return Fail(store.status());
  spdlog::info("storage: local directory {}", (*store)->root());

  server::HttpServer http(config->http, config->storaged.max_object_bytes);
  server::RegisterHealthRoutes(http.router());
  server::RegisterObjectRoutes(http.router(), **store, config->storaged.max_object_bytes);
  return ServeUntilSignal(watcher, http, options.listen.value_or(config->gateway.listen), "serve");
}

int RunStoraged(const std::string& config_path, const std::optional<std::string>& log_level) {
  server::ShutdownWatcher watcher;
  auto config = LoadConfigFile(config_path);
  if (!config.ok()) return Fail(config.status());
  if (Status s = SetLogLevel(log_level.value_or(config->log.level)); !s.ok()) return Fail(s);

  storage::LocalObjectStoreOptions store_options;
  store_options.root = config->storaged.root;
  store_options.max_object_bytes = config->storaged.max_object_bytes;
  auto store = storage::LocalObjectStore::Open(store_options);
  if (!store.ok()) return Fail(store.status());
  spdlog::info("storage: local directory {}", (*store)->root());

  server::HttpServer http(config->http, config->storaged.max_object_bytes);
  server::RegisterHealthRoutes(http.router());
  server::RegisterObjectRoutes(http.router(), **store, config->storaged.max_object_bytes);
  return ServeUntilSignal(watcher, http, config->storaged.listen, "storaged");
}

}  // namespace lakehouse::cli
