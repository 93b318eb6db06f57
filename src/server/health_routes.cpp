#include "server/health_routes.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "common/version.h"
#include "query/engine_info.h"
#include "server/http_server.h"

namespace lakehouse::server {

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
        result["error"] = s.message();
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
