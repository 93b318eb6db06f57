// The route table of the HTTP API (docs/api.md): for each route, which service
// answers it and which token scope it needs. One table serves both ways of
// running: in `serve` it decides access and names routes in metrics; in
// `gateway` it also says where each request is forwarded.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace lakehouse::gateway {

enum class Service { kLocal, kStoraged, kCatalogd, kQueryd, kVectord };
// Ordered: a token with a scope may do everything a lower one may.
enum class Scope { kPublic = 0, kRead = 1, kWrite = 2, kAdmin = 3 };

struct Route {
  std::string_view method;  // GET, HEAD, PUT, POST, DELETE
  // The path template, also the route's label in metrics: "{x}" matches one
  // non-empty segment, a final "{x*}" the rest of the path.
  std::string_view path;
  Service service;
  Scope scope;
};

std::span<const Route> ApiRoutes();

// The route `method path` belongs to; null for a path outside the API (the
// web UI's pages, or nothing at all).
const Route* FindRoute(std::string_view method, const std::string& path);

std::string_view ServiceName(Service service);
std::string_view ScopeName(Scope scope);

}  // namespace lakehouse::gateway
