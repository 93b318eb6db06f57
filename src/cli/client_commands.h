// The client subcommands: talk to a running server over HTTP (--url, then
// $LAKEHOUSE_URL, then http://127.0.0.1:8080), print tables for people and
// CSV/JSON for scripts, exit non-zero with the server's message on error.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace lakehouse::cli {

struct ClientOptions {
  std::string url;  // resolved by ResolveUrl
};

// --url if given, else $LAKEHOUSE_URL, else the default.
std::string ResolveUrl(const std::optional<std::string>& flag);

struct IngestCommand {
  std::string file;
  std::string dataset;
  std::string mode = "append";  // append, overwrite or upsert
  std::optional<std::string> format;
  std::string key;  // an upsert's key columns, comma-separated
  bool evolve_schema = false;
  bool force = false;  // append even the bytes the current version was made from
  // CSV options by their query parameter (delimiter, header, null, encoding,
  // skip, dateformat, timestampformat); the server checks the values.
  std::map<std::string, std::string> csv_options;
};
int RunIngest(const ClientOptions& client, const IngestCommand& command);

struct SqlCommand {
  std::string sql;
  std::string format = "table";  // table, csv, json
  uint64_t limit = 1000;
  std::map<std::string, uint64_t> as_of;
};
int RunSql(const ClientOptions& client, const SqlCommand& command);

int RunDatasets(const ClientOptions& client, const std::optional<std::string>& name);
// DELETE /v1/datasets/{name} (admin): commits a `delete` version and prints
// it with the version it ended, which stays readable until vacuumed. An
// unknown dataset exits 1 with the server's message.
int RunDatasetsDelete(const ClientOptions& client, const std::string& name);
int RunVacuum(const ClientOptions& client, const std::string& name, uint64_t keep);

// Row changes of the current version: a delete by predicate, a compaction.
int RunDeleteRows(const ClientOptions& client, const std::string& name, const std::string& where);
int RunCompact(const ClientOptions& client, const std::string& name);
// Erasure: rows gone from every kept version; and the log of erasures.
int RunErase(const ClientOptions& client, const std::string& name, const std::string& where);
int RunErasures(const ClientOptions& client, const std::string& name);

int RunTag(const ClientOptions& client, const std::string& name, const std::string& tag,
           uint64_t version);
int RunTags(const ClientOptions& client, const std::string& name);
int RunUntag(const ClientOptions& client, const std::string& name, const std::string& tag);

// Exactly one of version and tag.
struct RestoreCommand {
  std::string dataset;
  std::optional<uint64_t> version;
  std::optional<std::string> tag;
};
int RunRestore(const ClientOptions& client, const RestoreCommand& command);

}  // namespace lakehouse::cli
