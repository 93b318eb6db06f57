// Client subcommands over HTTP: streamed ingest, sql, datasets, deletes, erasures, tags, restore.
#include "cli/client_commands.h"

#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/client_support.h"
#include "cli/counts.h"
#include "cli/progress.h"
#include "common/percent_encoding.h"
#include "http/http_status.h"

namespace lakehouse::cli {
namespace {

using nlohmann::json;

std::string TagPath(const std::string& name, const std::string& tag) {
  return "/v1/datasets/" + PercentEncode(name) + "/tags/" + PercentEncode(tag);
}

}  // namespace

constexpr const char* kDefaultUrl = "http://127.0.0.1:8080";

std::string ResolveUrl(const std::optional<std::string>& flag) {
  if (flag && !flag->empty()) return *flag;
  if (const char* env = std::getenv("LAKEHOUSE_URL"); env != nullptr && *env) return env;
  return kDefaultUrl;
}

int RunIngest(const ClientOptions& options, const IngestCommand& command) {
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(command.file, ec);
  if (ec) {
    std::cerr << "error: cannot read " << command.file << ": " << ec.message() << "\n";
    return 2;
  }
  std::ifstream in(command.file, std::ios::binary);
  std::string file_name = std::filesystem::path(command.file).filename().string();
  std::string path = "/v1/datasets/" + PercentEncode(command.dataset) +
                     "/ingest?mode=" + PercentEncode(command.mode) +
                     "&file_name=" + PercentEncode(file_name);
  if (command.format) path += "&format=" + PercentEncode(*command.format);
  if (!command.key.empty()) path += "&key=" + PercentEncode(command.key);
  if (command.evolve_schema) path += "&schema=evolve";
  if (command.force) path += "&force=true";
  for (const auto& [name, value] : command.csv_options) {
    path += "&" + name + "=" + PercentEncode(value);
  }
  Progress progress("upload " + file_name, size, ProgressUnit::kBytes);
  std::vector<char> buffer(1 << 20);
  auto client = MakeClient(options);
  auto result = client->Post(
      path, size,
      [&](size_t offset, size_t length, httplib::DataSink& sink) {
        size_t want = std::min(length, buffer.size());
        in.read(buffer.data(), static_cast<std::streamsize>(want));
        auto got = static_cast<size_t>(in.gcount());
        if (got == 0) return false;
        progress.Update(offset + got);
        return sink.write(buffer.data(), got);
      },
      "application/octet-stream");
  if (!result) {
    progress.Finish("failed");
    return ReportTransport(options, result.error());
  }
  if (result->status != 201) {
    progress.Finish("refused");
    return ReportHttp(result->status, result->body);
  }
  progress.Finish("done");
  auto body = json::parse(result->body, nullptr, false);
  std::cout << body.value("dataset", "") << ": version " << body.value("version", 0) << " ("
            << body.value("operation", "") << ", +"
            << Counted(body.value("rows_added", uint64_t{0}), "row") << ", ";
  if (body.contains("rows_updated")) std::cout << body.value("rows_updated", 0) << " updated, ";
  std::cout << body.value("rows", 0) << " in all)\n";
  return 0;
}

int RunDeleteRows(const ClientOptions& options, const std::string& name, const std::string& where) {
  auto client = MakeClient(options);
  auto result = client->Post("/v1/datasets/" + PercentEncode(name) + "/delete",
                             json{{"where", where}}.dump(), "application/json");
  if (!result) return ReportTransport(options, result.error());
  if (result->status != 200 && result->status != 201) {
    return ReportHttp(result->status, result->body);
  }
  auto body = json::parse(result->body, nullptr, false);
  std::cout << name << ": " << Counted(body.value("rows_deleted", uint64_t{0}), "row")
            << " deleted; "
            << (result->status == 201 ? "version " : "no new version, still version ")
            << body.value("version", 0) << " (" << Counted(body.value("rows", uint64_t{0}), "row")
            << ")\n";
  return 0;
}

int RunErase(const ClientOptions& options, const std::string& name, const std::string& where) {
  auto client = MakeClient(options);
  auto result = client->Post("/v1/datasets/" + PercentEncode(name) + "/erase",
                             json{{"where", where}}.dump(), "application/json");
  if (!result) return ReportTransport(options, result.error());
  if (result->status != 200 && result->status != 201) {
    return ReportHttp(result->status, result->body);
  }
  auto body = json::parse(result->body, nullptr, false);
  if (result->status == 200) {
    std::cout << name << ": no row matched; nothing erased\n";
    return 0;
  }
  std::cout << name << ": " << Counted(body.value("rows_erased", uint64_t{0}), "row")
            << " erased from " << Counted(body.value("files_rewritten", uint64_t{0}), "file")
            << "; " << Counted(body["versions_rewritten"].size(), "version") << " rewritten";
  if (body["version"].is_number()) std::cout << ", new version " << body["version"];
  for (const auto& index : body.value("indexes", json::array())) {
    std::cout << "; index " << index.value("index", "") << " dropped "
              << Counted(index.value("removed", uint64_t{0}), "item");
  }
  std::cout << "\n";
  return 0;
}

int RunErasures(const ClientOptions& options, const std::string& name) {
  auto client = MakeClient(options);
  auto result = client->Get("/v1/datasets/" + PercentEncode(name) + "/erasures");
  if (!result) return ReportTransport(options, result.error());
  if (result->status != 200) return ReportHttp(result->status, result->body);
  auto body = json::parse(result->body, nullptr, false);
  for (const auto& e : body.value("erasures", json::array())) {
    std::cout << e.value("started", "") << "  " << e.value("state", "") << "  "
              << Counted(e.value("rows_erased", uint64_t{0}), "row") << "  where "
              << e.value("where", "") << "\n";
  }
  return 0;
}

int RunCompact(const ClientOptions& options, const std::string& name) {
  auto client = MakeClient(options);
  auto result =
      client->Post("/v1/datasets/" + PercentEncode(name) + "/compact", "", "application/json");
  if (!result) return ReportTransport(options, result.error());
  if (result->status != 200 && result->status != 201) {
    return ReportHttp(result->status, result->body);
  }
  auto body = json::parse(result->body, nullptr, false);
  if (result->status == 200) {
    std::cout << name << ": nothing to compact; still version " << body.value("version", 0) << "\n";
  } else {
    std::cout << name << ": version " << body.value("version", 0) << " (compact, "
              << Counted(body.value("files_rewritten", uint64_t{0}), "file") << " rewritten into "
              << body.value("files_written", 0) << ", "
              << Counted(body.value("rows", uint64_t{0}), "row") << ")\n";
  }
  return 0;
}

int RunSql(const ClientOptions& options, const SqlCommand& command) {
  json request = {{"sql", command.sql},
                  {"limit", command.limit},
                  {"format", command.format == "csv" ? "csv" : "json"}};
  if (!command.as_of.empty()) request["as_of"] = command.as_of;
  auto client = MakeClient(options);
  if (command.format == "csv") {
    // Streamed straight to stdout: a CSV result may be far larger than memory.
    int status = 0;
    std::string error_body;
    httplib::Request req;
    req.method = "POST";
    req.path = "/v1/query";
    req.body = request.dump();
    req.set_header("Content-Type", "application/json");
    req.response_handler = [&](const httplib::Response& response) {
      status = response.status;
      return true;
    };
    req.content_receiver = [&](const char* data, size_t length, uint64_t, uint64_t) {
      if (status == 200) {
        std::cout.write(data, static_cast<std::streamsize>(length));
      } else {
        error_body.append(data, length);
      }
      return true;
    };
    auto result = client->send(req);
    if (!result) return ReportTransport(options, result.error());
    if (status != 200) return ReportHttp(status, error_body);
    return 0;
  }
  auto result = client->Post("/v1/query", request.dump(), "application/json");
  if (!result) return ReportTransport(options, result.error());
  if (result->status != 200) return ReportHttp(result->status, result->body);
  if (command.format == "json") {
    std::cout << result->body << "\n";
    return 0;
  }
  auto body = json::parse(result->body, nullptr, false);
  if (body.is_discarded()) {
    std::cerr << "error: the server answered malformed JSON\n";
    return 1;
  }
  if (body.contains("error")) {
    std::cerr << "error: " << body["error"].value("message", "query failed") << "\n";
    return 1;
  }
  PrintTable(body["columns"], body["rows"]);
  std::string versions;
  for (const auto& [name, version] : body["versions"].items()) {
    versions += (versions.empty() ? "" : ", ") + name + "@" + version.dump();
  }
  std::cerr << "(" << Counted(body.value("row_count", uint64_t{0}), "row")
            << (body.value("truncated", false) ? ", truncated" : "")
            << (versions.empty() ? "" : "; read " + versions) << "; "
            << static_cast<int>(body.value("elapsed_ms", 0.0)) << " ms)\n";
  return 0;
}

int RunDatasets(const ClientOptions& options, const std::optional<std::string>& name) {
  int code = 0;
  if (!name) {
    auto body = GetJson(options, "/v1/datasets", &code);
    if (!body) return code;
    json rows = json::array();
    for (const auto& d : (*body)["datasets"]) {
      rows.push_back({d["name"], d["version"], d["rows"], d["bytes"], d["updated"]});
    }
    PrintTable(json::array({{{"name", "name"}, {"type", "VARCHAR"}},
                            {{"name", "version"}, {"type", "BIGINT"}},
                            {{"name", "rows"}, {"type", "BIGINT"}},
                            {{"name", "bytes"}, {"type", "BIGINT"}},
                            {{"name", "updated"}, {"type", "VARCHAR"}}}),
               rows);
    return 0;
  }
  auto dataset = GetJson(options, "/v1/datasets/" + PercentEncode(*name), &code);
  if (!dataset) return code;
  std::cout << (*dataset)["name"].get<std::string>() << " @ version " << (*dataset)["version"]
            << ": " << Counted(dataset->value("rows", uint64_t{0}), "row") << ", "
            << Counted(dataset->value("bytes", uint64_t{0}), "byte") << "\n\n";
  json schema_rows = json::array();
  for (const auto& c : (*dataset)["schema"]) schema_rows.push_back({c["name"], c["type"]});
  PrintTable(json::array({{{"name", "column"}, {"type", "VARCHAR"}},
                          {{"name", "type"}, {"type", "VARCHAR"}}}),
             schema_rows);
  auto versions = GetJson(options, "/v1/datasets/" + PercentEncode(*name) + "/versions", &code);
  if (!versions) return code;
  std::cout << "\n";
  json version_rows = json::array();
  for (const auto& v : (*versions)["versions"]) {
    std::string source = v["source"].is_object() ? v["source"].value("file_name", "") : "";
    version_rows.push_back({v["version"], v["operation"], v["rows"], v["created"], source});
  }
  PrintTable(json::array({{{"name", "version"}, {"type", "BIGINT"}},
                          {{"name", "operation"}, {"type", "VARCHAR"}},
                          {{"name", "rows"}, {"type", "BIGINT"}},
                          {{"name", "created"}, {"type", "VARCHAR"}},
                          {{"name", "source"}, {"type", "VARCHAR"}}}),
             version_rows);
  return 0;
}

namespace {

// After a delete: "version 4 records the deletion; version 3 (2 rows) stays
// readable as "candidates@3" until vacuumed", from the versions the server
// now lists; empty when they cannot be read.
std::string DescribeDeletion(const ClientOptions& options, const std::string& name) {
  auto client = MakeClient(options);
  auto result = client->Get("/v1/datasets/" + PercentEncode(name) + "/versions");
  if (!result || result->status != 200) return "";
  json body = json::parse(result->body, nullptr, false);
  if (!body.is_object() || !body["versions"].is_array() || body["versions"].empty()) return "";
  const json& versions = body["versions"];
  const json& tombstone = versions.back();  // oldest first (docs/api.md)
  if (tombstone.value("operation", "") != "delete") return "";
  uint64_t parent = tombstone.value("parent", uint64_t{0});
  std::string out = "version " + std::to_string(tombstone.value("version", uint64_t{0})) +
                    " records the deletion";
  for (const auto& v : versions) {
    if (v.value("version", uint64_t{0}) != parent) continue;
    out += "; version " + std::to_string(parent) + " (" +
           Counted(v.value("rows", uint64_t{0}), "row") + ") stays readable as \"" + name + "@" +
           std::to_string(parent) + "\" until vacuumed";
  }
  return out;
}

}  // namespace

int RunDatasetsDelete(const ClientOptions& options, const std::string& name) {
  auto client = MakeClient(options);
  auto result = client->Delete("/v1/datasets/" + PercentEncode(name));
  if (!result) return ReportTransport(options, result.error());
  if (result->status != 204) return ReportHttp(result->status, result->body);
  std::string what = DescribeDeletion(options, name);
  std::cout << "deleted dataset " << name << (what.empty() ? "" : ": " + what) << "\n";
  return 0;
}

int RunVacuum(const ClientOptions& options, const std::string& name, uint64_t keep) {
  auto client = MakeClient(options);
  auto result =
      client->Post("/v1/datasets/" + PercentEncode(name) + "/vacuum?keep=" + std::to_string(keep),
                   "", "application/json");
  if (!result) return ReportTransport(options, result.error());
  if (result->status != 200) return ReportHttp(result->status, result->body);
  auto body = json::parse(result->body, nullptr, false);
  std::cout << name << ": removed " << Counted(body["removed_versions"].size(), "version")
            << " and " << Counted(body["removed_files"].size(), "data file");
  if (auto tagged = body.value("kept_tagged", json::array()); !tagged.empty()) {
    std::cout << "; kept tagged version" << (tagged.size() == 1 ? " " : "s ");
    for (size_t i = 0; i < tagged.size(); ++i) std::cout << (i ? ", " : "") << tagged[i];
  }
  std::cout << "\n";
  return 0;
}

int RunTag(const ClientOptions& options, const std::string& name, const std::string& tag,
           uint64_t version) {
  auto client = MakeClient(options);
  auto result =
      client->Put(TagPath(name, tag), json{{"version", version}}.dump(), "application/json");
  if (!result) return ReportTransport(options, result.error());
  if (result->status != 200) return ReportHttp(result->status, result->body);
  std::cout << name << ": tag " << tag << " -> version " << version << "\n";
  return 0;
}

int RunTags(const ClientOptions& options, const std::string& name) {
  int code = 0;
  auto body = GetJson(options, "/v1/datasets/" + PercentEncode(name) + "/tags", &code);
  if (!body) return code;
  json rows = json::array();
  for (const auto& t : (*body)["tags"]) rows.push_back({t["tag"], t["version"], t["created"]});
  PrintTable(json::array({{{"name", "tag"}, {"type", "VARCHAR"}},
                          {{"name", "version"}, {"type", "BIGINT"}},
                          {{"name", "created"}, {"type", "VARCHAR"}}}),
             rows);
  return 0;
}

int RunUntag(const ClientOptions& options, const std::string& name, const std::string& tag) {
  auto client = MakeClient(options);
  auto result = client->Delete(TagPath(name, tag));
  if (!result) return ReportTransport(options, result.error());
  if (result->status != 200) return ReportHttp(result->status, result->body);
  std::cout << name << ": removed tag " << tag << "\n";
  return 0;
}

int RunRestore(const ClientOptions& options, const RestoreCommand& command) {
  json request = command.tag ? json{{"tag", *command.tag}} : json{{"version", *command.version}};
  auto client = MakeClient(options);
  auto result = client->Post("/v1/datasets/" + PercentEncode(command.dataset) + "/restore",
                             request.dump(), "application/json");
  if (!result) return ReportTransport(options, result.error());
  if (result->status != 200) return ReportHttp(result->status, result->body);
  auto body = json::parse(result->body, nullptr, false);
  if (body.is_discarded()) {
    std::cerr << "error: the server answered malformed JSON\n";
    return 1;
  }
  std::cout << command.dataset << ": version " << body.value("version", 0)
            << " (restore of version " << body.value("restored_from", 0) << ", "
            << Counted(body.value("rows", uint64_t{0}), "row") << ")\n";
  return 0;
}

}  // namespace lakehouse::cli
