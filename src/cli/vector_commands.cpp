// `lakehouse vectors list|create|show|add|get|search|delete` as calls to the Vectors routes.
#include "cli/vector_commands.h"

#include <httplib.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/client_support.h"
#include "cli/counts.h"
#include "cli/progress.h"
#include "common/percent_encoding.h"

namespace lakehouse::cli {
namespace {

using nlohmann::json;

std::string IndexPath(const std::string& index) { return "/v1/indexes/" + PercentEncode(index); }

// POSTs JSON and returns the parsed answer, or prints the error.
std::optional<json> PostJson(httplib::Client& client, const ClientOptions& options,
                             const std::string& path, const json& body, int expected,
                             int* exit_code) {
  auto result = client.Post(path, body.dump(), "application/json");
  if (!result) {
    *exit_code = ReportTransport(options, result.error());
    return std::nullopt;
  }
  if (result->status != expected) {
    *exit_code = ReportHttp(result->status, result->body);
    return std::nullopt;
  }
  return json::parse(result->body, nullptr, false);
}

int List(const ClientOptions& options) {
  int code = 0;
  auto body = GetJson(options, "/v1/indexes", &code);
  if (!body) return code;
  json rows = json::array();
  for (const auto& i : (*body)["indexes"]) {
    rows.push_back({i["name"], i["dim"], i["metric"], i["count"], i.value("persisted", false)});
  }
  PrintTable(json::array({{{"name", "name"}, {"type", "VARCHAR"}},
                          {{"name", "dim"}, {"type", "BIGINT"}},
                          {{"name", "metric"}, {"type", "VARCHAR"}},
                          {{"name", "count"}, {"type", "BIGINT"}},
                          {{"name", "persisted"}, {"type", "VARCHAR"}}}),
             rows);
  for (const auto& s : body->value("skipped", json::array())) {
    std::cerr << "warning: not loaded: " << s.value("key", "") << ": " << s.value("error", "")
              << "\n";
  }
  return 0;
}

int Create(const ClientOptions& options, const VectorsCommand& c) {
  json request = {{"name", c.index}, {"dim", c.dim}, {"metric", c.metric}};
  if (c.m) request["m"] = *c.m;
  if (c.ef_construction) request["ef_construction"] = *c.ef_construction;
  if (c.ef_search) request["ef_search"] = *c.ef_search;
  auto client = MakeClient(options);
  int code = 0;
  auto body = PostJson(*client, options, "/v1/indexes", request, 201, &code);
  if (!body) return code;
  std::cout << "created " << c.index << " (dim " << (*body)["dim"] << ", "
            << (*body)["metric"].get<std::string>() << ")\n";
  return 0;
}

int Show(const ClientOptions& options, const VectorsCommand& c) {
  int code = 0;
  auto body = GetJson(options, IndexPath(c.index), &code);
  if (!body) return code;
  std::cout << body->dump(2) << "\n";
  return 0;
}

// Streams NDJSON items to the server in batches, so files of any size fit.
int Add(const ClientOptions& options, const VectorsCommand& c) {
  std::ifstream file;
  std::istream* in = &std::cin;
  uint64_t total_bytes = 0;
  if (c.file != "-") {
    file.open(c.file, std::ios::binary);
    if (!file) {
      std::cerr << "error: cannot open " << c.file << "\n";
      return 2;
    }
    file.seekg(0, std::ios::end);
    total_bytes = static_cast<uint64_t>(file.tellg());
    file.seekg(0);
    in = &file;
  }
  auto client = MakeClient(options);
  Progress progress("add " + c.index, total_bytes, ProgressUnit::kBytes);
  json batch = json::array();
  uint64_t line_number = 0, read_bytes = 0, added = 0, count = 0;
  bool persisted = true;
  auto flush = [&]() -> int {
    if (batch.empty()) return 0;
    int code = 0;
    auto body = PostJson(*client, options, IndexPath(c.index) + "/vectors",
                         json{{"items", std::move(batch)}}, 200, &code);
    batch = json::array();
    if (!body) {
      std::cerr << "(in the batch ending at line " << line_number
                << "; earlier batches were added)\n";
      return code;
    }
    added += (*body)["added"].get<uint64_t>();
    count = (*body)["count"].get<uint64_t>();
    persisted = persisted && body->value("persisted", false);
    return 0;
  };
  std::string line;
  while (std::getline(*in, line)) {
    ++line_number;
    read_bytes += line.size() + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json item = json::parse(line, nullptr, false);
    if (item.is_discarded() || !item.is_object()) {
      std::cerr << "error: line " << line_number << " is not a JSON object\n";
      return 2;
    }
    batch.push_back(std::move(item));
    if (batch.size() >= c.batch) {
      if (int code = flush(); code != 0) return code;
      progress.Update(read_bytes);
    }
  }
  if (int code = flush(); code != 0) return code;
  progress.Finish("done");
  std::cout << "added " << Counted(added, "item") << " to " << c.index << " (now " << count << ")"
            << (persisted ? "" : "; not all saved to storage yet") << "\n";
  return 0;
}

int Get(const ClientOptions& options, const VectorsCommand& c) {
  int code = 0;
  auto body = GetJson(options, IndexPath(c.index) + "/vectors/" + PercentEncode(*c.id), &code);
  if (!body) return code;
  std::cout << body->dump() << "\n";
  return 0;
}

int Search(const ClientOptions& options, const VectorsCommand& c) {
  json vector = json::parse(c.vector, nullptr, false);
  if (!vector.is_array()) {
    std::cerr << "error: --vector must be a JSON array of numbers\n";
    return 2;
  }
  json request = {{"vector", vector}, {"k", c.k}};
  if (c.ef) request["ef"] = *c.ef;
  auto client = MakeClient(options);
  int code = 0;
  auto body = PostJson(*client, options, IndexPath(c.index) + "/search", request, 200, &code);
  if (!body) return code;
  if (c.format == "json") {
    std::cout << body->dump() << "\n";
    return 0;
  }
  json rows = json::array();
  for (const auto& hit : (*body)["results"]) {
    rows.push_back({hit["id"], hit["distance"], hit["metadata"].dump()});
  }
  PrintTable(json::array({{{"name", "id"}, {"type", "VARCHAR"}},
                          {{"name", "distance"}, {"type", "DOUBLE"}},
                          {{"name", "metadata"}, {"type", "VARCHAR"}}}),
             rows);
  return 0;
}

int Delete(const ClientOptions& options, const VectorsCommand& c) {
  std::string path = IndexPath(c.index);
  if (c.id) path += "/vectors/" + PercentEncode(*c.id);
  auto client = MakeClient(options);
  auto result = client->Delete(path);
  if (!result) return ReportTransport(options, result.error());
  if (result->status != 204) return ReportHttp(result->status, result->body);
  std::cout << "deleted " << (c.id ? "item " + *c.id + " of " : "index ") << c.index << "\n";
  return 0;
}

}  // namespace

int RunVectors(const ClientOptions& options, const VectorsCommand& command) {
  const std::string& a = command.action;
  if (a == "list") return List(options);
  if (command.index.empty()) {
    std::cerr << "error: vectors " << a << " needs an index name\n";
    return 2;
  }
  if (a == "create") return Create(options, command);
  if (a == "show") return Show(options, command);
  if (a == "add") return Add(options, command);
  if (a == "get") {
    if (!command.id) {
      std::cerr << "error: vectors get needs an item id\n";
      return 2;
    }
    return Get(options, command);
  }
  if (a == "search") return Search(options, command);
  if (a == "delete") return Delete(options, command);
  std::cerr << "error: unknown action " << a << "\n";
  return 2;
}

}  // namespace lakehouse::cli
