// The long-running subcommands: `serve` (everything in one process) and one
// subcommand per service (`storaged`, `catalogd`, `queryd`, `vectord`), each reading its
// TOML config.
#pragma once

#include <optional>
#include <string>

namespace lakehouse::cli {

struct ServeOptions {
  std::string data_dir;
  std::optional<std::string> listen;       // overrides the default 127.0.0.1:8080
  std::optional<std::string> config_path;  // limits and log level
  std::optional<std::string> log_level;    // overrides the config's [log] level
};

struct ServiceOptions {
  std::string config_path;
  std::optional<std::string> log_level;
};

// Each returns the process exit code.
int RunServe(const ServeOptions& options);
int RunStoraged(const ServiceOptions& options);
int RunCatalogd(const ServiceOptions& options);
int RunQueryd(const ServiceOptions& options);
int RunVectord(const ServiceOptions& options);
int RunGateway(const ServiceOptions& options);

}  // namespace lakehouse::cli
