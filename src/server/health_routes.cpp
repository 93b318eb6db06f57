// GET /healthz: versions, and with ?deep=1 each check timed, paths redacted, 503 on a failure.
#include "server/health_routes.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include <spdlog/spdlog.h>

#include "common/version.h"
#include "query/engine_info.h"
#include "server/http_server.h"

namespace lakehouse::server {
namespace {

// A path starts at a '/' that begins a word; "://" inside a URL does not.
bool StartsPath(std::string_view text, size_t at) {
  if (text[at] != '/') return false;
  if (at == 0) return true;
  return std::string_view(" \t\n'\"(=[,").find(text[at - 1]) != std::string_view::npos;
}

bool EndsPath(char c) { return std::string_view(" \t\n'\")],;").find(c) != std::string_view::npos; }

}  // namespace

std::string RedactPaths(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (size_t i = 0; i < message.size();) {
    if (!StartsPath(message, i)) {
      out.push_back(message[i++]);
      continue;
    }
    // "path: reason" is the usual form, so a colon before a space ends it.
    while (i < message.size() && !EndsPath(message[i]) &&
           !(message[i] == ':' && (i + 1 == message.size() || message[i + 1] == ' '))) {
      ++i;
    }
    out += "<path>";
  }
  return out;
}

void RegisterHealthRoutes(httplib::Server& router, std::vector<HealthCheck> checks) {
  router.Get("/healthz", [checks = std::move(checks)](const httplib::Request& request,
                                                      httplib::Response& response) {
    nlohmann::json body = {
        {"status", "ok"}, {"version", kVersion}, {"duckdb", query::DuckDbVersion()}};
    if (request.get_param_value("deep") != "1") return WriteJson(response, 200, body.dump());
    nlohmann::json results = nlohmann::json::object();
    std::vector<std::string> failed;
    for (const auto& check : checks) {
      auto start = std::chrono::steady_clock::now();
      Status s = check.probe();
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      nlohmann::json result = {{"ok", s.ok()}, {"ms", ms}};
      if (!s.ok()) {
        spdlog::warn("health: {} failed: {}", check.name, s.ToString());
        result["error"] = RedactPaths(s.message());
        failed.push_back(check.name);
      }
      results[check.name] = std::move(result);
    }
    body["checks"] = std::move(results);
    if (!failed.empty()) {
      std::string names;
      for (const auto& n : failed) names += (names.empty() ? "" : ", ") + n;
      body["status"] = "unavailable";
      body["error"] = {{"code", "unavailable"}, {"message", "unhealthy: " + names}};
      return WriteJson(response, 503, body.dump());
    }
    WriteJson(response, 200, body.dump());
  });
}

}  // namespace lakehouse::server
