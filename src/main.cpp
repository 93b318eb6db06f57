// The `lakehouse` binary: subcommands only; each one's work lives in src/cli.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/service_commands.h"
#include "common/logging.h"
#include "common/version.h"
#include "query/engine_info.h"

int main(int argc, char** argv) {
  CLI::App app{"Lakehouse: a versioned knowledge substrate for staffing analytics and local AI"};
  app.require_subcommand(1);
  std::optional<std::string> log_level;
  app.add_option("--log-level", log_level,
                 "trace, debug, info, warn, error, off (default: config, then info)")
      ->envname("LAKEHOUSE_LOG_LEVEL");

  lakehouse::cli::ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run every service in one process");
  serve_cmd->add_option("--data", serve.data_dir, "Data directory")->required();
  serve_cmd->add_option("--listen", serve.listen, "host:port (default 127.0.0.1:8080)");
  serve_cmd->add_option("--config", serve.config_path, "TOML config file")
      ->check(CLI::ExistingFile);

  lakehouse::cli::ServiceOptions service;
  auto add_service = [&](const char* name, const char* what) {
    auto* cmd = app.add_subcommand(name, what);
    cmd->add_option("--config", service.config_path, "TOML config file")
        ->required()
        ->check(CLI::ExistingFile);
    return cmd;
  };
  auto* storaged_cmd = add_service("storaged", "Run the object storage service alone");
  auto* catalogd_cmd = add_service("catalogd", "Run the catalog and ingest service alone");
  auto* queryd_cmd = add_service("queryd", "Run the query service alone");

  auto* version_cmd = app.add_subcommand("version", "Print the versions of lakehouse and DuckDB");

  CLI11_PARSE(app, argc, argv);
  if (auto s = lakehouse::SetLogLevel(log_level.value_or("info")); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 2;
  }
  if (*version_cmd) {
    std::cout << "lakehouse " << lakehouse::kVersion << " (duckdb "
              << lakehouse::query::DuckDbVersion() << ")\n";
    return 0;
  }
  if (*serve_cmd) {
    serve.log_level = log_level;
    return lakehouse::cli::RunServe(serve);
  }
  service.log_level = log_level;
  if (*storaged_cmd) return lakehouse::cli::RunStoraged(service);
  if (*catalogd_cmd) return lakehouse::cli::RunCatalogd(service);
  if (*queryd_cmd) return lakehouse::cli::RunQueryd(service);
  return 2;
}
