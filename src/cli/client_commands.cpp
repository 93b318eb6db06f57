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

#include "http/http_status.h"
#include "storage/object_key.h"

namespace lakehouse::cli {
namespace {

using nlohmann::json;

constexpr const char* kDefaultUrl = "http://127.0.0.1:8080";

std::unique_ptr<httplib::Client> MakeClient(const ClientOptions& options) {
  auto client = std::make_unique<httplib::Client>(options.url);
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(3600, 0);
  client->set_write_timeout(3600, 0);
  client->set_url_encode(false);
  if (const char* token = std::getenv("LAKEHOUSE_TOKEN"); token != nullptr && *token) {
    client->set_bearer_token_auth(token);
  }
  return client;
}

int ReportTransport(const ClientOptions& options, httplib::Error error) {
  std::cerr << "error: cannot reach " << options.url << ": " << httplib::to_string(error) << "\n";
  return 3;
}

int ReportHttp(int status, const std::string& body) {
  Status s = http::StatusFromHttp(status, body);
  std::cerr << "error: " << s.message() << " (HTTP " << status << ")\n";
  return 1;
}

std::string HumanBytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, kUnits[unit]);
  return buffer;
}

// A progress bar on stderr, only when it is a terminal.
class Progress {
 public:
  Progress(std::string label, uint64_t total)
      : label_(std::move(label)), total_(total), enabled_(::isatty(STDERR_FILENO) != 0) {}
  void Update(uint64_t done) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double fraction = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
    int filled = static_cast<int>(fraction * 30);
    std::fprintf(stderr, "\r%s [%s%s] %3d%% %s / %s", label_.c_str(),
                 std::string(filled, '#').c_str(), std::string(30 - filled, '.').c_str(),
                 static_cast<int>(fraction * 100), HumanBytes(static_cast<double>(done)).c_str(),
                 HumanBytes(static_cast<double>(total_)).c_str());
  }
  void Finish(const char* note) {
    if (enabled_) std::fprintf(stderr, "\r%s: %s\033[K\n", label_.c_str(), note);
  }

 private:
  std::string label_;
  uint64_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point last_{};
};

// Prints rows as an aligned table; numbers right-aligned.
void PrintTable(const json& columns, const json& rows) {
  size_t n = columns.size();
  std::vector<std::string> headers(n);
  std::vector<size_t> width(n);
  std::vector<bool> numeric(n);
  for (size_t c = 0; c < n; ++c) {
    headers[c] = columns[c].value("name", "");
    std::string type = columns[c].value("type", "");
    numeric[c] = type.find("INT") != std::string::npos || type == "DOUBLE" || type == "FLOAT" ||
                 type.starts_with("DECIMAL");
    width[c] = headers[c].size();
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : rows) {
    std::vector<std::string> line(n);
    for (size_t c = 0; c < n && c < row.size(); ++c) {
      const auto& v = row[c];
      line[c] = v.is_null() ? "NULL" : v.is_string() ? v.get<std::string>() : v.dump();
      for (auto& ch : line[c]) {
        if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
      }
      width[c] = std::max(width[c], line[c].size());
    }
    cells.push_back(std::move(line));
  }
  auto print_line = [&](const std::vector<std::string>& line, bool header) {
    for (size_t c = 0; c < n; ++c) {
      std::string pad(width[c] - std::min(width[c], line[c].size()), ' ');
      std::cout << (c ? "  " : "") << (numeric[c] && !header ? pad + line[c] : line[c] + pad);
    }
    std::cout << "\n";
  };
  print_line(headers, true);
  std::vector<std::string> rule(n);
  for (size_t c = 0; c < n; ++c) rule[c] = std::string(width[c], '-');
  print_line(rule, true);
  for (const auto& line : cells) print_line(line, false);
}

// GETs a JSON document; prints the error and returns nullopt on failure.
std::optional<json> GetJson(const ClientOptions& options, const std::string& path, int* exit_code) {
  auto client = MakeClient(options);
  auto result = client->Get(path);
  if (!result) {
    *exit_code = ReportTransport(options, result.error());
    return std::nullopt;
  }
  if (result->status != 200) {
    *exit_code = ReportHttp(result->status, result->body);
    return std::nullopt;
  }
  return json::parse(result->body, nullptr, false);
}

}  // namespace

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
  std::string path = "/v1/datasets/" + storage::EncodeQueryValue(command.dataset) +
                     "/ingest?mode=" + storage::EncodeQueryValue(command.mode) +
                     "&file_name=" + storage::EncodeQueryValue(file_name);
  if (command.format) path += "&format=" + storage::EncodeQueryValue(*command.format);
  Progress progress("upload " + file_name, size);
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
            << body.value("operation", "") << ", +" << body.value("rows_added", 0) << " rows, "
            << body.value("rows", 0) << " in all)\n";
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
  std::cerr << "(" << body.value("row_count", 0) << " rows"
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
  auto dataset = GetJson(options, "/v1/datasets/" + storage::EncodeQueryValue(*name), &code);
  if (!dataset) return code;
  std::cout << (*dataset)["name"].get<std::string>() << " @ version " << (*dataset)["version"]
            << ": " << (*dataset)["rows"] << " rows, " << (*dataset)["bytes"] << " bytes\n\n";
  json schema_rows = json::array();
  for (const auto& c : (*dataset)["schema"]) schema_rows.push_back({c["name"], c["type"]});
  PrintTable(json::array({{{"name", "column"}, {"type", "VARCHAR"}},
                          {{"name", "type"}, {"type", "VARCHAR"}}}),
             schema_rows);
  auto versions =
      GetJson(options, "/v1/datasets/" + storage::EncodeQueryValue(*name) + "/versions", &code);
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

int RunVacuum(const ClientOptions& options, const std::string& name, uint64_t keep) {
  auto client = MakeClient(options);
  auto result = client->Post(
      "/v1/datasets/" + storage::EncodeQueryValue(name) + "/vacuum?keep=" + std::to_string(keep),
      "", "application/json");
  if (!result) return ReportTransport(options, result.error());
  if (result->status != 200) return ReportHttp(result->status, result->body);
  auto body = json::parse(result->body, nullptr, false);
  std::cout << name << ": removed " << body["removed_versions"].size() << " versions and "
            << body["removed_files"].size() << " data files\n";
  return 0;
}

}  // namespace lakehouse::cli
