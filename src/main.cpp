// The `lakehouse` binary: subcommands only; each one's work lives in src/cli.
#include <CLI/CLI.hpp>

#include <charconv>
#include <csignal>
#include <iostream>

#include "cli/client_commands.h"
#include "cli/completion.h"
#include "cli/demo_command.h"
#include "cli/index_commands.h"
#include "cli/search_command.h"
#include "cli/service_commands.h"
#include "cli/vector_commands.h"
#include "common/logging.h"
#include "common/version.h"
#include "query/engine_info.h"

namespace {

namespace cli = lakehouse::cli;

// CLI11 keeps pointers to these until parsing is over, so they live in one
// object that main() owns and never moves.
struct Commands {
  std::optional<std::string> log_level;

  cli::ServeOptions serve;
  CLI::App* serve_cmd = nullptr;
  cli::ServiceOptions service;
  CLI::App* storaged_cmd = nullptr;
  CLI::App* catalogd_cmd = nullptr;
  CLI::App* queryd_cmd = nullptr;
  CLI::App* vectord_cmd = nullptr;
  CLI::App* gateway_cmd = nullptr;
  CLI::App* version_cmd = nullptr;

  std::optional<std::string> url;
  cli::IngestCommand ingest;
  CLI::App* ingest_cmd = nullptr;
  cli::IngestCommand upsert;
  CLI::App* upsert_cmd = nullptr;
  std::string change_dataset, delete_where, erase_where;
  CLI::App* delete_cmd = nullptr;
  CLI::App* erase_cmd = nullptr;
  CLI::App* erasures_cmd = nullptr;
  CLI::App* compact_cmd = nullptr;

  cli::SqlCommand sql;
  std::vector<std::string> as_of;
  CLI::App* sql_cmd = nullptr;
  std::optional<std::string> dataset_name;
  CLI::App* datasets_cmd = nullptr;
  std::string delete_dataset;
  CLI::App* datasets_delete_cmd = nullptr;
  cli::SearchCommand search;
  CLI::App* search_cmd = nullptr;

  std::string vacuum_name;
  uint64_t vacuum_keep = 1;
  CLI::App* vacuum_cmd = nullptr;
  std::string tag_dataset, tag_name;
  uint64_t tag_version = 0;
  CLI::App* tag_cmd = nullptr;
  CLI::App* tags_cmd = nullptr;
  CLI::App* untag_cmd = nullptr;
  cli::RestoreCommand restore;
  CLI::App* restore_cmd = nullptr;

  cli::DemoCommand demo;
  CLI::App* demo_cmd = nullptr;
  cli::VectorsCommand vectors;
  CLI::App* vectors_cmd = nullptr;
  cli::IndexCommand index;
  CLI::App* index_cmd = nullptr;

  std::string completion_shell;
  CLI::App* completion_cmd = nullptr;
};

void AddUrl(CLI::App* cmd, Commands& c) {
  cmd->add_option("--url", c.url,
                  "Server URL (default: $LAKEHOUSE_URL, then http://127.0.0.1:8080)");
}

void AddServiceCommands(CLI::App& app, Commands& c) {
  c.serve_cmd = app.add_subcommand("serve", "Run every service in one process");
  c.serve_cmd->add_option("--data", c.serve.data_dir, "Data directory")->required();
  c.serve_cmd->add_option("--listen", c.serve.listen, "host:port (default 127.0.0.1:8080)");
  c.serve_cmd->add_option("--config", c.serve.config_path, "TOML config file")
      ->check(CLI::ExistingFile);

  auto add_service = [&app, &c](const char* name, const char* what) {
    auto* cmd = app.add_subcommand(name, what);
    cmd->add_option("--config", c.service.config_path, "TOML config file")
        ->required()
        ->check(CLI::ExistingFile);
    return cmd;
  };
  c.storaged_cmd = add_service("storaged", "Run the object storage service alone");
  c.catalogd_cmd = add_service("catalogd", "Run the catalog and ingest service alone");
  c.queryd_cmd = add_service("queryd", "Run the query service alone");
  c.vectord_cmd = add_service("vectord", "Run the vector index service alone");
  c.gateway_cmd =
      add_service("gateway", "Run the front door alone, forwarding to the services by URL");
}

// The CSV options, each sent as the query parameter of the same name.
void AddCsvOptions(CLI::App* command, cli::IngestCommand& ingest) {
  struct Option {
    const char* flag;
    const char* param;
    const char* help;
  };
  static constexpr Option kOptions[] = {
      {"--delimiter", "delimiter", "CSV: the field delimiter, one character or tab"},
      {"--header", "header", "CSV: true or false (default: detected)"},
      {"--null", "null", "CSV: the text that stands for NULL, such as NA"},
      {"--encoding", "encoding", "CSV: utf-8 (default), latin-1, windows-1252, utf-16 ..."},
      {"--skip", "skip", "CSV: lines before the header to drop"},
      {"--dateformat", "dateformat", "CSV: strptime pattern of dates, such as %d/%m/%Y"},
      {"--timestampformat", "timestampformat", "CSV: strptime pattern of timestamps"},
  };
  for (const Option& option : kOptions) {
    command->add_option_function<std::string>(
        option.flag,
        [&ingest, param = option.param](const std::string& value) {
          ingest.csv_options[param] = value;
        },
        option.help);
  }
}

void AddIngestCommands(CLI::App& app, Commands& c) {
  c.ingest_cmd =
      app.add_subcommand("ingest", "Ingest a CSV, JSON or Parquet file as a new version");
  c.ingest_cmd->add_option("file", c.ingest.file, "The file")->required()->check(CLI::ExistingFile);
  c.ingest_cmd->add_option("--dataset", c.ingest.dataset, "Dataset name")->required();
  c.ingest_cmd->add_option("--mode", c.ingest.mode, "append or overwrite")
      ->check(CLI::IsMember({"append", "overwrite"}));
  c.ingest_cmd
      ->add_option("--format", c.ingest.format,
                   "csv, json or parquet (default: from the file name)")
      ->check(CLI::IsMember({"csv", "json", "parquet"}));
  c.ingest_cmd->add_flag("--evolve", c.ingest.evolve_schema,
                         "Append with new columns added and safe widenings applied");
  c.ingest_cmd->add_flag("--force", c.ingest.force,
                         "Append even a file the current version was made from");
  AddCsvOptions(c.ingest_cmd, c.ingest);
  AddUrl(c.ingest_cmd, c);

  c.upsert.mode = "upsert";
  c.upsert_cmd = app.add_subcommand(
      "upsert", "Replace the rows whose key matches the file's, insert the rest: a new version");
  c.upsert_cmd->add_option("file", c.upsert.file, "The file")->required()->check(CLI::ExistingFile);
  c.upsert_cmd->add_option("--dataset", c.upsert.dataset, "Dataset name")->required();
  c.upsert_cmd->add_option("--key", c.upsert.key, "Key column(s), comma-separated")->required();
  c.upsert_cmd
      ->add_option("--format", c.upsert.format,
                   "csv, json or parquet (default: from the file name)")
      ->check(CLI::IsMember({"csv", "json", "parquet"}));
  c.upsert_cmd->add_flag("--evolve", c.upsert.evolve_schema,
                         "Upsert with new columns added and safe widenings applied");
  AddCsvOptions(c.upsert_cmd, c.upsert);
  AddUrl(c.upsert_cmd, c);
}

void AddRowChangeCommands(CLI::App& app, Commands& c) {
  c.delete_cmd =
      app.add_subcommand("delete", "Delete the rows a SQL predicate holds for: a new version");
  c.delete_cmd->add_option("name", c.change_dataset, "Dataset")->required();
  c.delete_cmd->add_option("--where", c.delete_where, "SQL boolean expression over the columns")
      ->required();
  AddUrl(c.delete_cmd, c);
  c.erase_cmd = app.add_subcommand(
      "erase",
      "Remove rows from every kept version, down to the stored bytes (admin): right to be "
      "forgotten");
  c.erase_cmd->add_option("name", c.change_dataset, "Dataset")->required();
  c.erase_cmd->add_option("--where", c.erase_where, "SQL boolean expression over the columns")
      ->required();
  AddUrl(c.erase_cmd, c);
  c.erasures_cmd = app.add_subcommand("erasures", "List a dataset's erasures");
  c.erasures_cmd->add_option("name", c.change_dataset, "Dataset")->required();
  AddUrl(c.erasures_cmd, c);
  c.compact_cmd = app.add_subcommand(
      "compact", "Rewrite small files and deleted rows into larger files: a new version");
  c.compact_cmd->add_option("name", c.change_dataset, "Dataset")->required();
  AddUrl(c.compact_cmd, c);
}

void AddQueryCommands(CLI::App& app, Commands& c) {
  c.sql_cmd = app.add_subcommand("sql", "Run a read-only SQL query");
  c.sql_cmd->add_option("query", c.sql.sql, "The SQL")->required();
  c.sql_cmd->add_option("--format", c.sql.format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  c.sql_cmd->add_option("--limit", c.sql.limit, "Most rows to return");
  c.sql_cmd->add_option("--as-of", c.as_of, "Pin a dataset version: name=N (repeatable)");
  AddUrl(c.sql_cmd, c);

  c.datasets_cmd =
      app.add_subcommand("datasets", "List datasets, show one with its versions, or delete one");
  c.datasets_cmd->add_option("name", c.dataset_name, "A dataset");
  AddUrl(c.datasets_cmd, c);
  c.datasets_delete_cmd = c.datasets_cmd->add_subcommand(
      "delete", "Delete a dataset (admin); its versions stay readable by number until vacuumed");
  c.datasets_delete_cmd->add_option("name", c.delete_dataset, "Dataset")->required();
  AddUrl(c.datasets_delete_cmd, c);
}

void AddSearchCommand(CLI::App& app, Commands& c) {
  c.search_cmd = app.add_subcommand(
      "search", "Search a text index: by meaning and keywords together (hybrid), or either alone");
  c.search_cmd->add_option("index", c.search.index, "Index name")->required();
  c.search_cmd->add_option("text", c.search.text, "What to look for")->required();
  c.search_cmd->add_option("-k", c.search.k, "How many results (default 10)");
  c.search_cmd->add_option("--filter", c.search.filter,
                           "Metadata filter, a JSON object such as {\"state\": \"TX\"}");
  c.search_cmd->add_option("--mode", c.search.mode,
                           "hybrid (keyword and vector ranks fused; the default for an index "
                           "with a full-text part), vector or keyword");
  c.search_cmd->add_flag("--highlight", c.search.highlight,
                         "Show the query's words each hit holds (as indexed: stemmed)");
  c.search_cmd->add_option("--format", c.search.format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  AddUrl(c.search_cmd, c);
}

void AddVersionCommands(CLI::App& app, Commands& c) {
  c.vacuum_cmd = app.add_subcommand("vacuum", "Remove old versions and unreferenced data files");
  c.vacuum_cmd->add_option("name", c.vacuum_name, "Dataset")->required();
  c.vacuum_cmd->add_option("--keep", c.vacuum_keep, "Versions to keep (newest first)")->required();
  AddUrl(c.vacuum_cmd, c);

  c.tag_cmd = app.add_subcommand("tag", "Name a version of a dataset (or move the name)");
  c.tag_cmd->add_option("name", c.tag_dataset, "Dataset")->required();
  c.tag_cmd->add_option("tag", c.tag_name, "Tag: [a-z][a-z0-9_.-]{0,62}")->required();
  c.tag_cmd->add_option("--version", c.tag_version, "The version it names")->required();
  AddUrl(c.tag_cmd, c);
  c.tags_cmd = app.add_subcommand("tags", "List a dataset's tags");
  c.tags_cmd->add_option("name", c.tag_dataset, "Dataset")->required();
  AddUrl(c.tags_cmd, c);
  c.untag_cmd = app.add_subcommand("untag", "Remove a tag");
  c.untag_cmd->add_option("name", c.tag_dataset, "Dataset")->required();
  c.untag_cmd->add_option("tag", c.tag_name, "Tag")->required();
  AddUrl(c.untag_cmd, c);

  c.restore_cmd =
      app.add_subcommand("restore", "Commit an earlier version's data again as the newest version");
  c.restore_cmd->add_option("name", c.restore.dataset, "Dataset")->required();
  auto* restore_version = c.restore_cmd->add_option("--version", c.restore.version, "The version");
  auto* restore_tag =
      c.restore_cmd->add_option("--tag", c.restore.tag, "The tag naming the version");
  restore_version->excludes(restore_tag);
  AddUrl(c.restore_cmd, c);
}

void AddDemoCommand(CLI::App& app, Commands& c) {
  c.demo_cmd = app.add_subcommand(
      "demo", "Load the staffing demo data: candidates, clients, jobs, placements, timesheets");
  c.demo_cmd->add_option("--scale", c.demo.scale, "Size: 1 = 2,000 candidates, N = N times that")
      ->check(CLI::Range(1, 1000));
  AddUrl(c.demo_cmd, c);
}

void AddVectorCommands(CLI::App& app, Commands& c) {
  c.vectors_cmd = app.add_subcommand("vectors", "Vector indexes: list, create, add, search...");
  c.vectors_cmd->require_subcommand(1);
  cli::VectorsCommand& vectors = c.vectors;
  auto vectors_action = [&c](const char* action, const char* what) {
    auto* cmd = c.vectors_cmd->add_subcommand(action, what);
    // The callback runs after this function has returned: capture the object, not the reference.
    cmd->callback([vectors = &c.vectors, action] { vectors->action = action; });
    AddUrl(cmd, c);
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
}

void AddIndexCommands(CLI::App& app, Commands& c) {
  cli::IndexCommand& index = c.index;
  c.index_cmd = app.add_subcommand("index", "Dataset text indexes: create, refresh");
  c.index_cmd->require_subcommand(1);
  auto* icreate = c.index_cmd->add_subcommand(
      "create", "Index a dataset's text column for search by meaning (or refresh that index)");
  icreate->callback([index = &c.index] { index->action = "create"; });
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
  icreate->add_flag("--no-full-text", index.no_full_text,
                    "No keyword (BM25) part: the index is searched by meaning alone");
  icreate->add_option("--stemmer", index.stemmer, "Keyword stemming: english (default) or none")
      ->check(CLI::IsMember({"english", "none"}));
  icreate->add_option("--k1", index.k1, "BM25 k1: how fast repeats of a word stop counting (1.2)");
  icreate->add_option("--b", index.b, "BM25 b: how much long texts are penalised, 0..1 (0.75)");
  AddUrl(icreate, c);
  auto* irefresh = c.index_cmd->add_subcommand(
      "refresh", "Bring a dataset text index up to its dataset's current version");
  irefresh->callback([index = &c.index] { index->action = "refresh"; });
  irefresh->add_option("index", index.index, "Index name")->required();
  irefresh->add_flag("--rebuild", index.rebuild, "Build afresh rather than refresh");
  AddUrl(irefresh, c);
}

void AddCompletionCommand(CLI::App& app, Commands& c) {
  c.completion_cmd = app.add_subcommand(
      "completion", "Print a shell completion script: source <(lakehouse completion bash)");
  c.completion_cmd->add_option("shell", c.completion_shell, "The shell")
      ->required()
      ->check(CLI::IsMember({"bash"}));
}

// The script completes `lakehouse` and the name it was run by (say
// build/lakehouse), since bash completes commands by the word typed.
int PrintCompletion(const CLI::App& app, const char* argv0) {
  std::vector<std::string> commands = {"lakehouse"};
  if (argv0 != nullptr && std::string_view(argv0) != "lakehouse") commands.emplace_back(argv0);
  std::cout << cli::BashCompletion(app, commands);
  return 0;
}

// Each `--as-of name=N` into sql.as_of; false after reporting a malformed one.
bool ParseAsOf(const std::vector<std::string>& as_of, cli::SqlCommand& sql) {
  for (const auto& pin : as_of) {
    size_t eq = pin.find('=');
    uint64_t version = 0;
    const char* digits = pin.data() + (eq == std::string::npos ? pin.size() : eq + 1);
    auto [end, ec] = std::from_chars(digits, pin.data() + pin.size(), version);
    if (eq == std::string::npos || ec != std::errc() || end != pin.data() + pin.size() ||
        digits == end) {
      std::cerr << "--as-of must be name=version, got " << pin << "\n";
      return false;
    }
    sql.as_of[pin.substr(0, eq)] = version;
  }
  return true;
}

// Nothing when the subcommand is not one that talks to a server.
std::optional<int> RunClientCommand(Commands& c, const cli::ClientOptions& client) {
  if (*c.ingest_cmd) return cli::RunIngest(client, c.ingest);
  if (*c.upsert_cmd) return cli::RunIngest(client, c.upsert);
  if (*c.delete_cmd) return cli::RunDeleteRows(client, c.change_dataset, c.delete_where);
  if (*c.compact_cmd) return cli::RunCompact(client, c.change_dataset);
  if (*c.erase_cmd) return cli::RunErase(client, c.change_dataset, c.erase_where);
  if (*c.erasures_cmd) return cli::RunErasures(client, c.change_dataset);
  if (*c.sql_cmd) return ParseAsOf(c.as_of, c.sql) ? cli::RunSql(client, c.sql) : 2;
  if (*c.datasets_delete_cmd) return cli::RunDatasetsDelete(client, c.delete_dataset);
  if (*c.datasets_cmd) return cli::RunDatasets(client, c.dataset_name);
  if (*c.search_cmd) return cli::RunSearch(client, c.search);
  if (*c.vacuum_cmd) return cli::RunVacuum(client, c.vacuum_name, c.vacuum_keep);
  if (*c.tag_cmd) return cli::RunTag(client, c.tag_dataset, c.tag_name, c.tag_version);
  if (*c.tags_cmd) return cli::RunTags(client, c.tag_dataset);
  if (*c.untag_cmd) return cli::RunUntag(client, c.tag_dataset, c.tag_name);
  if (*c.restore_cmd) {
    if (!c.restore.version && !c.restore.tag) {
      std::cerr << "restore needs --version N or --tag T\n";
      return 2;
    }
    return cli::RunRestore(client, c.restore);
  }
  if (*c.vectors_cmd) return cli::RunVectors(client, c.vectors);
  if (*c.index_cmd) return cli::RunIndex(client, c.index);
  if (*c.demo_cmd) return cli::RunDemo(client, c.demo);
  return std::nullopt;
}

int RunCommand(Commands& c) {
  if (*c.version_cmd) {
    std::cout << "lakehouse " << lakehouse::kVersion << " (duckdb "
              << lakehouse::query::DuckDbVersion() << ")\n";
    return 0;
  }
  if (*c.serve_cmd) {
    c.serve.log_level = c.log_level;
    return cli::RunServe(c.serve);
  }
  cli::ClientOptions client{cli::ResolveUrl(c.url)};
  if (auto code = RunClientCommand(c, client)) return *code;
  c.service.log_level = c.log_level;
  if (*c.storaged_cmd) return cli::RunStoraged(c.service);
  if (*c.catalogd_cmd) return cli::RunCatalogd(c.service);
  if (*c.queryd_cmd) return cli::RunQueryd(c.service);
  if (*c.vectord_cmd) return cli::RunVectord(c.service);
  if (*c.gateway_cmd) return cli::RunGateway(c.service);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // cpp-httplib 0.11 writes to sockets without MSG_NOSIGNAL: a peer that hangs
  // up mid-response would otherwise kill the whole process with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"Lakehouse: a versioned knowledge substrate for staffing analytics and local AI"};
  app.require_subcommand(1);
  Commands c;
  app.add_option("--log-level", c.log_level,
                 "trace, debug, info, warn, error, off (default: config, then info)")
      ->envname("LAKEHOUSE_LOG_LEVEL");

  // The order here is the order --help lists them in.
  AddServiceCommands(app, c);
  c.version_cmd = app.add_subcommand("version", "Print the versions of lakehouse and DuckDB");
  AddIngestCommands(app, c);
  AddRowChangeCommands(app, c);
  AddQueryCommands(app, c);
  AddSearchCommand(app, c);
  AddVersionCommands(app, c);
  AddDemoCommand(app, c);
  AddVectorCommands(app, c);
  AddIndexCommands(app, c);
  AddCompletionCommand(app, c);

  CLI11_PARSE(app, argc, argv);
  if (*c.completion_cmd) return PrintCompletion(app, argv[0]);
  if (auto s = lakehouse::SetLogLevel(c.log_level.value_or("info")); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 2;
  }
  return RunCommand(c);
}
