#include "gateway/front_door.h"

#include <spdlog/spdlog.h>

#include "gateway/route_table.h"

namespace lakehouse::gateway {

Result<std::unique_ptr<FrontDoor>> FrontDoor::Open(const AuthConfig& auth,
                                                   const ListenAddress& listen) {
  auto door = std::make_unique<FrontDoor>();
  if (!auth.token_file.empty()) {
    LH_ASSIGN_OR_RETURN(door->access_, AccessControl::FromTokenFile(auth.token_file));
    spdlog::info("auth: {} API tokens from {}", door->access_.size(), auth.token_file);
  }
  LH_RETURN_IF_ERROR(CheckExposure(listen, door->access_, auth.allow_insecure_remote));
  if (!door->access_.enabled() && auth.allow_insecure_remote) {
    spdlog::warn(
        "auth: no API tokens and allow_insecure_remote: anyone who reaches {} may do "
        "anything",
        listen.ToString());
  }
  return door;
}

void FrontDoor::Install(server::HttpServer& http) {
  // Paths outside the API (the web UI) need read access like the API's reads.
  http.SetGuard([this](const httplib::Request& request) -> Status {
    const Route* route = FindRoute(request.method, request.path);
    Scope needed = route ? route->scope : Scope::kRead;
    return access_.Authorize(request.get_header_value("Authorization"),
                             request.get_header_value("Cookie"), needed, nullptr);
  });
  http.SetMetrics(&metrics_, [](const httplib::Request& request) {
    const Route* route = FindRoute(request.method, request.path);
    if (route != nullptr) return std::string(route->path);
    // UI pages and unknown paths: one label each kind, not one per path.
    if (request.path.starts_with("/static/")) return std::string("/static/{file}");
    return std::string("(other)");
  });
  server::RegisterMetricsRoute(http.router(), metrics_);
}

}  // namespace lakehouse::gateway
