#include "server/health_routes.h"

#include <nlohmann/json.hpp>

#include "common/version.h"
#include "query/engine_info.h"
#include "server/http_server.h"

namespace lakehouse::server {

void RegisterHealthRoutes(httplib::Server& router) {
  router.Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    nlohmann::json body = {
        {"status", "ok"}, {"version", kVersion}, {"duckdb", query::DuckDbVersion()}};
    WriteJson(response, 200, body.dump());
  });
}

}  // namespace lakehouse::server
