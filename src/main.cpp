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

  std::string storaged_config;
  auto* storaged_cmd = app.add_subcommand("storaged", "Run the object storage service");
  storaged_cmd->add_option("--config", storaged_config, "TOML config file")
      ->required()
      ->check(CLI::ExistingFile);

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
  if (*storaged_cmd) return lakehouse::cli::RunStoraged(storaged_config, log_level);
  return 2;
}
