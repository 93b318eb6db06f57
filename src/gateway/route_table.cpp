// The table of API routes (method, path, service, scope) and segment-by-segment route lookup.
#include "gateway/route_table.h"

namespace lakehouse::gateway {
namespace {

using enum Service;
using enum Scope;

constexpr Route kRoutes[] = {
    // Liveness is public; with ?deep it needs read (front_door.cpp).
    {"GET", "/healthz", kLocal, kPublic},
    {"GET", "/metrics", kLocal, kRead},
    // The browser's way to present a token (a cookie); see front_door.cpp.
    {"GET", "/login", kLocal, kPublic},
    {"POST", "/login", kLocal, kPublic},
    {"POST", "/logout", kLocal, kPublic},
    // The web UI's one write: like the API's restore, it needs write (any
    // other UI path needs read, front_door.cpp).
    {"POST", "/ui/datasets/{name}/restore", kLocal, kWrite},
    {"GET", "/v1/objects", kStoraged, kRead},
    {"GET", "/v1/objects/{key*}", kStoraged, kRead},
    {"HEAD", "/v1/objects/{key*}", kStoraged, kRead},
    {"PUT", "/v1/objects/{key*}", kStoraged, kWrite},
    {"DELETE", "/v1/objects/{key*}", kStoraged, kWrite},
    {"GET", "/v1/datasets", kCatalogd, kRead},
    {"GET", "/v1/datasets/{name}", kCatalogd, kRead},
    {"GET", "/v1/datasets/{name}/versions", kCatalogd, kRead},
    {"GET", "/v1/datasets/{name}/versions/{v}", kCatalogd, kRead},
    {"POST", "/v1/datasets/{name}/ingest", kCatalogd, kWrite},
    {"POST", "/v1/datasets/{name}/delete", kCatalogd, kWrite},
    {"POST", "/v1/datasets/{name}/compact", kCatalogd, kWrite},
    {"GET", "/v1/datasets/{name}/tags", kCatalogd, kRead},
    {"PUT", "/v1/datasets/{name}/tags/{tag}", kCatalogd, kWrite},
    {"DELETE", "/v1/datasets/{name}/tags/{tag}", kCatalogd, kWrite},
    {"POST", "/v1/datasets/{name}/restore", kCatalogd, kWrite},
    // Erasure changes history: admin only, like the routes between services.
    {"POST", "/v1/datasets/{name}/erase", kCatalogd, kAdmin},
    {"GET", "/v1/datasets/{name}/erasures", kCatalogd, kRead},
    {"POST", "/v1/datasets/{name}/commit", kCatalogd, kAdmin},
    {"POST", "/v1/datasets/{name}/rewrite-files", kCatalogd, kAdmin},
    {"POST", "/v1/datasets/{name}/vacuum", kCatalogd, kAdmin},
    {"DELETE", "/v1/datasets/{name}", kCatalogd, kAdmin},
    {"POST", "/v1/datasets/{name}/indexes", kVectord, kWrite},
    {"POST", "/v1/datasets/{name}/indexes/reconcile", kVectord, kAdmin},
    {"POST", "/v1/query", kQueryd, kRead},
    {"GET", "/v1/indexes", kVectord, kRead},
    {"POST", "/v1/indexes", kVectord, kWrite},
    {"GET", "/v1/indexes/{name}", kVectord, kRead},
    {"DELETE", "/v1/indexes/{name}", kVectord, kAdmin},
    {"POST", "/v1/indexes/{name}/vectors", kVectord, kWrite},
    {"GET", "/v1/indexes/{name}/vectors/{id*}", kVectord, kRead},
    {"DELETE", "/v1/indexes/{name}/vectors/{id*}", kVectord, kWrite},
    {"POST", "/v1/indexes/{name}/search", kVectord, kRead},
    {"POST", "/v1/embed", kVectord, kRead},
    // The read-only Iceberg REST catalog, served where the catalog runs. Read
    // for every method: a write with a read token reaches the catalog's routes
    // and gets the Iceberg error shape (403 ForbiddenException) from there.
    {"GET", "/iceberg/v1/{path*}", kCatalogd, kRead},
    {"HEAD", "/iceberg/v1/{path*}", kCatalogd, kRead},
    {"POST", "/iceberg/v1/{path*}", kCatalogd, kRead},
    {"PUT", "/iceberg/v1/{path*}", kCatalogd, kRead},
    {"DELETE", "/iceberg/v1/{path*}", kCatalogd, kRead},
};

// Matches a path against a template segment by segment; no regex, as this
// runs for every request.
bool Matches(std::string_view templ, std::string_view path) {
  while (!templ.empty()) {
    size_t open = templ.find('{');
    if (open == std::string_view::npos) return templ == path;
    if (path.substr(0, open) != templ.substr(0, open)) return false;
    path.remove_prefix(open);
    size_t close = templ.find('}', open);
    bool rest = templ[close - 1] == '*';
    templ.remove_prefix(close + 1);
    if (rest) return true;
    size_t end = path.find('/');
    if (path.empty() || end == 0) return false;
    path.remove_prefix(end == std::string_view::npos ? path.size() : end);
  }
  return path.empty();
}

}  // namespace

std::span<const Route> ApiRoutes() { return kRoutes; }

const Route* FindRoute(std::string_view method, const std::string& path) {
  for (const Route& route : kRoutes) {
    if (route.method == method && Matches(route.path, path)) return &route;
  }
  return nullptr;
}

std::string_view ServiceName(Service service) {
  switch (service) {
    case kLocal:
      return "gateway";
    case kStoraged:
      return "storaged";
    case kCatalogd:
      return "catalogd";
    case kQueryd:
      return "queryd";
    case kVectord:
      return "vectord";
  }
  return "gateway";
}

std::string_view ScopeName(Scope scope) {
  switch (scope) {
    case kPublic:
      return "public";
    case kRead:
      return "read";
    case kWrite:
      return "write";
    case kAdmin:
      return "admin";
  }
  return "admin";
}

}  // namespace lakehouse::gateway
