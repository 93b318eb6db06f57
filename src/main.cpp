// The `lakehouse` binary: subcommands only; each one's work lives in src/cli.
#include <CLI/CLI.hpp>

#include <charconv>
#include <csignal>
#include <iostream>

#include "cli/client_commands.h"
#include "cli/demo_command.h"
#include "cli/index_commands.h"
#include "cli/service_commands.h"
#include "cli/vector_commands.h"
#include "common/logging.h"
#include "common/version.h"
#include "query/engine_info.h"

int main(int argc, char** argv) {
  // cpp-httplib 0.11 writes to sockets without MSG_NOSIGNAL: a peer that hangs
  // up mid-response would otherwise kill the whole process with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
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
  auto* vectord_cmd = add_service("vectord", "Run the vector index service alone");
  auto* gateway_cmd =
      add_service("gateway", "Run the front door alone, forwarding to the services by URL");

  auto* version_cmd = app.add_subcommand("version", "Print the versions of lakehouse and DuckDB");

  std::optional<std::string> url;
  auto add_url = [&](CLI::App* cmd) {
    cmd->add_option("--url", url,
                    "Server URL (default: $LAKEHOUSE_URL, then http://127.0.0.1:8080)");
  };
  lakehouse::cli::IngestCommand ingest;
  auto* ingest_cmd =
      app.add_subcommand("ingest", "Ingest a CSV, JSON or Parquet file as a new version");
  ingest_cmd->add_option("file", ingest.file, "The file")->required()->check(CLI::ExistingFile);
  ingest_cmd->add_option("--dataset", ingest.dataset, "Dataset name")->required();
  ingest_cmd->add_option("--mode", ingest.mode, "append or overwrite")
      ->check(CLI::IsMember({"append", "overwrite"}));
  ingest_cmd
      ->add_option("--format", ingest.format, "csv, json or parquet (default: from the file name)")
      ->check(CLI::IsMember({"csv", "json", "parquet"}));
  ingest_cmd->add_flag("--evolve", ingest.evolve_schema,
                       "Append with new columns added and safe widenings applied");
  add_url(ingest_cmd);

  lakehouse::cli::IngestCommand upsert;
  upsert.mode = "upsert";
  auto* upsert_cmd = app.add_subcommand(
      "upsert", "Replace the rows whose key matches the file's, insert the rest: a new version");
  upsert_cmd->add_option("file", upsert.file, "The file")->required()->check(CLI::ExistingFile);
  upsert_cmd->add_option("--dataset", upsert.dataset, "Dataset name")->required();
  upsert_cmd->add_option("--key", upsert.key, "Key column(s), comma-separated")->required();
  upsert_cmd
      ->add_option("--format", upsert.format, "csv, json or parquet (default: from the file name)")
      ->check(CLI::IsMember({"csv", "json", "parquet"}));
  upsert_cmd->add_flag("--evolve", upsert.evolve_schema,
                       "Upsert with new columns added and safe widenings applied");
  add_url(upsert_cmd);

  std::string change_dataset, delete_where;
  auto* delete_cmd =
      app.add_subcommand("delete", "Delete the rows a SQL predicate holds for: a new version");
  delete_cmd->add_option("name", change_dataset, "Dataset")->required();
  delete_cmd->add_option("--where", delete_where, "SQL boolean expression over the columns")
      ->required();
  add_url(delete_cmd);
  std::string erase_where;
  auto* erase_cmd = app.add_subcommand(
      "erase",
      "Remove rows from every kept version, down to the stored bytes (admin): right to be "
      "forgotten");
  erase_cmd->add_option("name", change_dataset, "Dataset")->required();
  erase_cmd->add_option("--where", erase_where, "SQL boolean expression over the columns")
      ->required();
  add_url(erase_cmd);
  auto* erasures_cmd = app.add_subcommand("erasures", "List a dataset's erasures");
  erasures_cmd->add_option("name", change_dataset, "Dataset")->required();
  add_url(erasures_cmd);
  auto* compact_cmd = app.add_subcommand(
      "compact", "Rewrite small files and deleted rows into larger files: a new version");
  compact_cmd->add_option("name", change_dataset, "Dataset")->required();
  add_url(compact_cmd);

  lakehouse::cli::SqlCommand sql;
  std::vector<std::string> as_of;
  auto* sql_cmd = app.add_subcommand("sql", "Run a read-only SQL query");
  sql_cmd->add_option("query", sql.sql, "The SQL")->required();
  sql_cmd->add_option("--format", sql.format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  sql_cmd->add_option("--limit", sql.limit, "Most rows to return");
  sql_cmd->add_option("--as-of", as_of, "Pin a dataset version: name=N (repeatable)");
  add_url(sql_cmd);

  std::optional<std::string> dataset_name;
  auto* datasets_cmd =
      app.add_subcommand("datasets", "List datasets, or show one with its versions");
  datasets_cmd->add_option("name", dataset_name, "A dataset");
  add_url(datasets_cmd);

  std::string vacuum_name;
  uint64_t vacuum_keep = 1;
  auto* vacuum_cmd =
      app.add_subcommand("vacuum", "Remove old versions and unreferenced data files");
  vacuum_cmd->add_option("name", vacuum_name, "Dataset")->required();
  vacuum_cmd->add_option("--keep", vacuum_keep, "Versions to keep (newest first)")->required();
  add_url(vacuum_cmd);

  std::string tag_dataset, tag_name;
  uint64_t tag_version = 0;
  auto* tag_cmd = app.add_subcommand("tag", "Name a version of a dataset (or move the name)");
  tag_cmd->add_option("name", tag_dataset, "Dataset")->required();
  tag_cmd->add_option("tag", tag_name, "Tag: [a-z][a-z0-9_.-]{0,62}")->required();
  tag_cmd->add_option("--version", tag_version, "The version it names")->required();
  add_url(tag_cmd);
  auto* tags_cmd = app.add_subcommand("tags", "List a dataset's tags");
  tags_cmd->add_option("name", tag_dataset, "Dataset")->required();
  add_url(tags_cmd);
  auto* untag_cmd = app.add_subcommand("untag", "Remove a tag");
  untag_cmd->add_option("name", tag_dataset, "Dataset")->required();
  untag_cmd->add_option("tag", tag_name, "Tag")->required();
  add_url(untag_cmd);

  lakehouse::cli::RestoreCommand restore;
  auto* restore_cmd =
      app.add_subcommand("restore", "Commit an earlier version's data again as the newest version");
  restore_cmd->add_option("name", restore.dataset, "Dataset")->required();
  auto* restore_version = restore_cmd->add_option("--version", restore.version, "The version");
  auto* restore_tag = restore_cmd->add_option("--tag", restore.tag, "The tag naming the version");
  restore_version->excludes(restore_tag);
  add_url(restore_cmd);

  lakehouse::cli::DemoCommand demo;
  auto* demo_cmd = app.add_subcommand(
      "demo", "Load the staffing demo data: candidates, clients, jobs, placements, timesheets");
  demo_cmd->add_option("--scale", demo.scale, "Size: 1 = 2,000 candidates, N = N times that")
      ->check(CLI::Range(1, 1000));
  add_url(demo_cmd);

  lakehouse::cli::VectorsCommand vectors;
  auto* vectors_cmd = app.add_subcommand("vectors", "Vector indexes: list, create, add, search...");
  vectors_cmd->require_subcommand(1);
  auto vectors_action = [&](const char* action, const char* what) {
    auto* cmd = vectors_cmd->add_subcommand(action, what);
    cmd->callback([&vectors, action] { vectors.action = action; });
    add_url(cmd);
    return cmd;
  };
  vectors_action("list", "List the indexes");
  auto* vcreate = vectors_action("create", "Create an index");
  vcreate->add_option("index", vectors.index, "Index name")->required();
  vcreate->add_option("--dim", vectors.dim, "Dimension")->required();
  vcreate->add_option("--metric", vectors.metric, "cosine, l2 or ip")
      ->check(CLI::IsMember({"cosine", "l2", "ip"}));
  vcreate->add_option("--m", vectors.m, "HNSW M (4-64)");
  vcreate->add_option("--ef-construction", vectors.ef_construction, "HNSW ef_construction");
  vcreate->add_option("--ef-search", vectors.ef_search, "Default ef of a search");
  auto* vshow = vectors_action("show", "Show an index's parameters and count");
  vshow->add_option("index", vectors.index, "Index name")->required();
  auto* vadd =
      vectors_action("add", "Add items from NDJSON: {\"id\",\"vector\",\"metadata\"} per line");
  vadd->add_option("index", vectors.index, "Index name")->required();
  vadd->add_option("file", vectors.file, "NDJSON file, - for stdin")->required();
  vadd->add_option("--batch", vectors.batch, "Items per request")->check(CLI::Range(1, 100000));
  auto* vget = vectors_action("get", "Show one item");
  vget->add_option("index", vectors.index, "Index name")->required();
  vget->add_option("id", vectors.id, "Item id")->required();
  auto* vsearch = vectors_action("search", "Nearest items to a vector");
  vsearch->add_option("index", vectors.index, "Index name")->required();
  vsearch->add_option("--vector", vectors.vector, "The query, a JSON array")->required();
  vsearch->add_option("-k", vectors.k, "How many results");
  vsearch->add_option("--ef", vectors.ef, "This search's ef");
  vsearch->add_option("--format", vectors.format, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  auto* vdelete = vectors_action("delete", "Delete an index, or one item of it");
  vdelete->add_option("index", vectors.index, "Index name")->required();
  vdelete->add_option("id", vectors.id, "Item id (omit to delete the whole index)");

  lakehouse::cli::IndexCommand index;
  auto* index_cmd = app.add_subcommand("index", "Dataset text indexes: create, refresh");
  index_cmd->require_subcommand(1);
  auto* icreate = index_cmd->add_subcommand(
      "create", "Index a dataset's text column for search by meaning (or refresh that index)");
  icreate->callback([&index] { index.action = "create"; });
  icreate->add_option("dataset", index.dataset, "Dataset name")->required();
  icreate->add_option("index", index.index, "Index name")->required();
  icreate->add_option("--text", index.text_column, "The column of text to embed")->required();
  icreate->add_option("--id", index.id_column, "The column of unique ids (default: id)");
  icreate->add_option("--model", index.model, "Embedder (default: the built-in one)");
  icreate
      ->add_option("--metadata", index.metadata_columns,
                   "Columns to keep as metadata (default: every other plain column)")
      ->delimiter(',');
  icreate->add_flag("--rebuild", index.rebuild, "Build afresh rather than refresh");
  add_url(icreate);
  auto* irefresh = index_cmd->add_subcommand(
      "refresh", "Bring a dataset text index up to its dataset's current version");
  irefresh->callback([&index] { index.action = "refresh"; });
  irefresh->add_option("index", index.index, "Index name")->required();
  irefresh->add_flag("--rebuild", index.rebuild, "Build afresh rather than refresh");
  add_url(irefresh);

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
  lakehouse::cli::ClientOptions client{lakehouse::cli::ResolveUrl(url)};
  if (*ingest_cmd) return lakehouse::cli::RunIngest(client, ingest);
  if (*upsert_cmd) return lakehouse::cli::RunIngest(client, upsert);
  if (*delete_cmd) return lakehouse::cli::RunDeleteRows(client, change_dataset, delete_where);
  if (*compact_cmd) return lakehouse::cli::RunCompact(client, change_dataset);
  if (*erase_cmd) return lakehouse::cli::RunErase(client, change_dataset, erase_where);
  if (*erasures_cmd) return lakehouse::cli::RunErasures(client, change_dataset);
  if (*sql_cmd) {
    for (const auto& pin : as_of) {
      size_t eq = pin.find('=');
      uint64_t version = 0;
      const char* digits = pin.data() + (eq == std::string::npos ? pin.size() : eq + 1);
      auto [end, ec] = std::from_chars(digits, pin.data() + pin.size(), version);
      if (eq == std::string::npos || ec != std::errc() || end != pin.data() + pin.size() ||
          digits == end) {
        std::cerr << "--as-of must be name=version, got " << pin << "\n";
        return 2;
      }
      sql.as_of[pin.substr(0, eq)] = version;
    }
    return lakehouse::cli::RunSql(client, sql);
  }
  if (*datasets_cmd) return lakehouse::cli::RunDatasets(client, dataset_name);
  if (*vacuum_cmd) return lakehouse::cli::RunVacuum(client, vacuum_name, vacuum_keep);
  if (*tag_cmd) return lakehouse::cli::RunTag(client, tag_dataset, tag_name, tag_version);
  if (*tags_cmd) return lakehouse::cli::RunTags(client, tag_dataset);
  if (*untag_cmd) return lakehouse::cli::RunUntag(client, tag_dataset, tag_name);
  if (*restore_cmd) {
    if (!restore.version && !restore.tag) {
      std::cerr << "restore needs --version N or --tag T\n";
      return 2;
    }
    return lakehouse::cli::RunRestore(client, restore);
  }
  if (*vectors_cmd) return lakehouse::cli::RunVectors(client, vectors);
  if (*index_cmd) return lakehouse::cli::RunIndex(client, index);
  if (*demo_cmd) return lakehouse::cli::RunDemo(client, demo);
  service.log_level = log_level;
  if (*storaged_cmd) return lakehouse::cli::RunStoraged(service);
  if (*catalogd_cmd) return lakehouse::cli::RunCatalogd(service);
  if (*queryd_cmd) return lakehouse::cli::RunQueryd(service);
  if (*vectord_cmd) return lakehouse::cli::RunVectord(service);
  if (*gateway_cmd) return lakehouse::cli::RunGateway(service);
  return 2;
}
