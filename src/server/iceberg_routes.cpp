// The Iceberg REST catalog's routes: paths decoded from the raw target, reads served from a
// TableSource, writes refused.
#include "server/iceberg_routes.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "catalog/catalog.h"
#include "common/percent_encoding.h"
#include "common/sha256.h"
#include "server/health_routes.h"
#include "server/http_server.h"

namespace lakehouse::server {
namespace {

using json = nlohmann::json;
using Segments = std::vector<std::string>;

constexpr std::string_view kNoSuchNamespace = "NoSuchNamespaceException";
constexpr std::string_view kNoSuchTable = "NoSuchTableException";
constexpr std::string_view kNoSuchView = "NoSuchViewException";

// What a client may call, in the form of the spec's GET /v1/config answer.
// Only the routes that succeed: a client that checks this list (Java's does)
// then refuses a write before sending it.
constexpr std::string_view kEndpoints[] = {
    "GET /v1/{prefix}/namespaces",
    "GET /v1/{prefix}/namespaces/{namespace}",
    "HEAD /v1/{prefix}/namespaces/{namespace}",
    "GET /v1/{prefix}/namespaces/{namespace}/tables",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
    "GET /v1/{prefix}/namespaces/{namespace}/views",
};

// The spec's error table: each Status code as an HTTP status and a type.
struct IcebergErrorKind {
  int http_status;
  std::string_view type;
};

IcebergErrorKind KindFor(StatusCode code, std::string_view not_found_type) {
  switch (code) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kInvalidKey:
      return {400, "BadRequestException"};
    case StatusCode::kUnauthenticated:
      return {401, "NotAuthorizedException"};
    case StatusCode::kPermissionDenied:
      return {403, "ForbiddenException"};
    case StatusCode::kNotFound:
      return {404, not_found_type};
    case StatusCode::kUnavailable:
    case StatusCode::kTimeout:
      return {503, "ServiceUnavailableException"};
    default:
      return {500, "InternalServerError"};
  }
}

bool IsHead(const httplib::Request& request) { return request.method == "HEAD"; }

// A HEAD's answer has no body, whatever it says.
void WriteFor(const httplib::Request& request, httplib::Response& response, int status,
              const json& body) {
  if (IsHead(request)) {
    response.status = status == 200 ? 204 : status;
    return;
  }
  WriteJson(response, status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

void Fail(const httplib::Request& request, httplib::Response& response, const Status& status,
          std::string_view not_found_type) {
  if (IsHead(request)) {
    response.status = KindFor(status.code(), not_found_type).http_status;
    return;
  }
  WriteIcebergError(response, status, not_found_type);
}

// The segments after kIcebergBase, each percent-decoded once; the raw target
// is used so that "%2F" inside a name never splits it.
Result<Segments> PathSegments(std::string_view target) {
  if (size_t query = target.find('?'); query != std::string_view::npos) {
    target = target.substr(0, query);
  }
  if (!target.starts_with(kIcebergBase)) {
    return Status::InvalidArgument("malformed path: it must start with /iceberg/v1");
  }
  target.remove_prefix(kIcebergBase.size());
  Segments out;
  while (!target.empty()) {
    if (target.front() != '/') return Status::InvalidArgument("malformed path");
    target.remove_prefix(1);
    size_t end = std::min(target.find('/'), target.size());
    auto decoded = PercentDecode(target.substr(0, end), /*plus_is_space=*/false);
    if (!decoded.ok()) {
      return Status::InvalidArgument("malformed path segment: " + decoded.status().message());
    }
    out.push_back(std::move(*decoded));
    target.remove_prefix(end);
  }
  return out;
}

// A namespace's levels, separated by the unit separator (%1F on the wire).
Result<Segments> NamespaceLevels(std::string_view text) {
  Segments levels;
  for (size_t at = 0;;) {
    size_t end = std::min(text.find('\x1F', at), text.size());
    if (end == at) {
      return Status::InvalidArgument("malformed namespace: a level is empty");
    }
    levels.emplace_back(text.substr(at, end - at));
    if (end == text.size()) return levels;
    at = end + 1;
  }
}

std::string Dotted(const Segments& levels) {
  std::string out;
  for (const auto& level : levels) out += (out.empty() ? "" : ".") + level;
  return out;
}

Result<size_t> PageSize(const httplib::Request& request) {
  if (!request.has_param("pageSize")) return SIZE_MAX;
  const std::string text = request.get_param_value("pageSize");
  size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0) {
    return Status::InvalidArgument("pageSize must be a positive integer, got \"" + text + "\"");
  }
  return value;
}

// The ETag of a table's answer: its metadata file's location changes with
// every new metadata, so its digest names the answer's content.
std::string TableEtag(const std::string& metadata_location) {
  auto digest = Sha256Hex(metadata_location);
  return digest.ok() ? "\"" + digest->substr(0, 32) + "\"" : std::string();
}

class IcebergCatalog {
 public:
  IcebergCatalog(iceberg::TableSource& source, std::string namespace_name)
      : source_(source), namespace_(std::move(namespace_name)) {}

  void Serve(const httplib::Request& request, httplib::Response& response) const {
    auto segments = PathSegments(request.target);
    if (!segments.ok()) return Fail(request, response, segments.status(), "NotFoundException");
    const bool reads = request.method == "GET" || request.method == "HEAD";
    if (reads) return Read(*segments, request, response);
    Write(*segments, request, response);
  }

 private:
  // Ok for the one namespace; 404 for any other; 400 for a malformed one.
  Status CheckNamespace(std::string_view text) const {
    LH_ASSIGN_OR_RETURN(Segments levels, NamespaceLevels(text));
    if (levels.size() == 1 && levels[0] == namespace_) return Status::Ok();
    return Status::NotFound("Namespace does not exist: " + Dotted(levels));
  }

  Status TableNotFound(std::string_view table) const {
    return Status::NotFound("Table does not exist: " + namespace_ + "." + std::string(table));
  }

  void Read(const Segments& path, const httplib::Request& request,
            httplib::Response& response) const {
    const size_t n = path.size();
    if (n == 1 && path[0] == "config") return Config(request, response);
    if (n == 1 && path[0] == "namespaces") return ListNamespaces(request, response);
    if (n < 2 || path[0] != "namespaces") return NoRoute(request, response);
    if (Status s = CheckNamespace(path[1]); !s.ok()) {
      return Fail(request, response, s, kNoSuchNamespace);
    }
    if (n == 2) {
      return WriteFor(request, response, 200,
                      {{"namespace", {namespace_}}, {"properties", json::object()}});
    }
    if (n == 3 && path[2] == "tables") return ListTables(request, response);
    if (n == 4 && path[2] == "tables") return LoadTable(path[3], request, response);
    // There are no views; listing them answers so, for engines that ask.
    if (n == 3 && path[2] == "views") {
      return WriteFor(request, response, 200,
                      {{"identifiers", json::array()}, {"next-page-token", nullptr}});
    }
    if (n == 4 && path[2] == "views") {
      return Fail(request, response,
                  Status::NotFound("View does not exist: " + namespace_ + "." + path[3]),
                  kNoSuchView);
    }
    NoRoute(request, response);
  }

  void NoRoute(const httplib::Request& request, httplib::Response& response) const {
    Fail(request, response,
         Status::NotFound("no such route: " + request.method + " " + request.path +
                          " (GET /iceberg/v1/config lists the routes served)"),
         "NotFoundException");
  }

  void Config(const httplib::Request& request, httplib::Response& response) const {
    // ?warehouse= is accepted and ignored: there is one catalog, no prefix.
    json endpoints = json::array();
    for (std::string_view e : kEndpoints) endpoints.push_back(e);
    WriteFor(request, response, 200,
             {{"defaults", json::object()},
              {"overrides", json::object()},
              {"endpoints", std::move(endpoints)}});
  }

  void ListNamespaces(const httplib::Request& request, httplib::Response& response) const {
    json namespaces = json::array();
    // The one namespace has no children; a parent that is not it does not exist.
    if (request.has_param("parent")) {
      if (Status s = CheckNamespace(request.get_param_value("parent")); !s.ok()) {
        return Fail(request, response, s, kNoSuchNamespace);
      }
    } else {
      namespaces.push_back({namespace_});
    }
    WriteFor(request, response, 200,
             {{"namespaces", std::move(namespaces)}, {"next-page-token", nullptr}});
  }

  // Pages by name: the source lists names ascending, and a page token is the
  // last name of the page before.
  void ListTables(const httplib::Request& request, httplib::Response& response) const {
    auto page_size = PageSize(request);
    if (!page_size.ok()) return Fail(request, response, page_size.status(), kNoSuchNamespace);
    auto names = source_.ListTables();
    if (!names.ok()) return Fail(request, response, names.status(), kNoSuchNamespace);
    const std::string after = request.get_param_value("pageToken");
    auto it = std::upper_bound(names->begin(), names->end(), after);
    json identifiers = json::array();
    for (; it != names->end() && identifiers.size() < *page_size; ++it) {
      identifiers.push_back({{"namespace", {namespace_}}, {"name", *it}});
    }
    json next = nullptr;
    if (it != names->end()) next = identifiers.back()["name"];
    WriteFor(request, response, 200,
             {{"identifiers", std::move(identifiers)}, {"next-page-token", std::move(next)}});
  }

  void LoadTable(const std::string& table, const httplib::Request& request,
                 httplib::Response& response) const {
    const std::string snapshots = request.get_param_value("snapshots");
    if (request.has_param("snapshots") && snapshots != "all" && snapshots != "refs") {
      return Fail(
          request, response,
          Status::InvalidArgument("snapshots must be all or refs, got \"" + snapshots + "\""),
          kNoSuchTable);
    }
    // No such dataset can exist, so no such table: the source is not asked.
    if (!catalog::ValidateDatasetName(table).ok()) {
      return Fail(request, response, TableNotFound(table), kNoSuchTable);
    }
    auto loaded = source_.LoadTable(table);
    if (!loaded.ok()) {
      Status s =
          loaded.status().code() == StatusCode::kNotFound ? TableNotFound(table) : loaded.status();
      return Fail(request, response, s, kNoSuchTable);
    }
    // Every snapshot is served, for ?snapshots=refs too: the spec lets a
    // server send more than the referenced ones.
    const std::string etag = TableEtag(loaded->metadata_location);
    if (!etag.empty()) {
      response.set_header("ETag", etag);
      if (request.get_header_value("If-None-Match") == etag) {
        response.status = 304;
        return;
      }
    }
    WriteFor(request, response, 200,
             {{"metadata-location", loaded->metadata_location},
              {"metadata", std::move(loaded->metadata)},
              {"config", json::object()}});
  }

  void Write(const Segments& path, const httplib::Request& request,
             httplib::Response& response) const {
    const size_t n = path.size();
    // Scan reports are accepted and dropped: engines send them after reading.
    if (request.method == "POST" && n == 5 && path[0] == "namespaces" && path[2] == "tables" &&
        path[4] == "metrics") {
      if (Status s = CheckNamespace(path[1]); !s.ok()) {
        return Fail(request, response, s, kNoSuchNamespace);
      }
      response.status = 204;
      return;
    }
    if (request.method == "POST" && n == 2 && path[0] == "oauth" && path[1] == "tokens") {
      return Fail(request, response,
                  Status::InvalidArgument(
                      "this catalog issues no OAuth tokens: give the client a Lakehouse API "
                      "token as its token (sent as Authorization: Bearer), not a credential"),
                  "NotFoundException");
    }
    Fail(request, response, Status::PermissionDenied(Refusal(path)), "NotFoundException");
  }

  // Why a write is refused, naming the Lakehouse route that does it.
  std::string Refusal(const Segments& path) const {
    const std::string read_only = "the Iceberg catalog is read-only";
    const size_t n = path.size();
    const bool in_namespace = n >= 2 && path[0] == "namespaces";
    if (in_namespace && n >= 3 && path[2] == "views") return read_only + " and has no views";
    if (in_namespace && n == 4 && path[2] == "tables") {
      return read_only + ": write to a dataset through Lakehouse's API (POST /v1/datasets/" +
             path[3] + "/ingest; DELETE /v1/datasets/" + path[3] + " drops it)";
    }
    if ((in_namespace && n == 3 && (path[2] == "tables" || path[2] == "register")) ||
        (n == 2 && path[0] == "transactions")) {
      return read_only +
             ": create and change datasets through Lakehouse's API (POST "
             "/v1/datasets/{name}/ingest)";
    }
    if (n >= 1 && path[0] == "namespaces") {
      return read_only + ": its one namespace, \"" + namespace_ +
             "\", is set by [iceberg] namespace in Lakehouse's config";
    }
    return read_only +
           ": writes go through Lakehouse's API (POST /v1/datasets/{name}/ingest; docs/api.md)";
  }

  iceberg::TableSource& source_;
  const std::string namespace_;
};

}  // namespace

void WriteIcebergError(httplib::Response& response, const Status& status,
                       std::string_view not_found_type) {
  const IcebergErrorKind kind = KindFor(status.code(), not_found_type);
  std::string message = status.message();
  // A server's failure may name its files; the log keeps them, the client does not.
  if (kind.http_status >= 500) {
    spdlog::warn("iceberg: {}", status.ToString());
    message = RedactPaths(message);
  }
  json body = {{"error", {{"message", message}, {"type", kind.type}, {"code", kind.http_status}}}};
  WriteJson(response, kind.http_status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

void RegisterIcebergRoutes(httplib::Server& router, iceberg::TableSource& source,
                           std::string namespace_name) {
  auto catalog = std::make_shared<IcebergCatalog>(source, std::move(namespace_name));
  // Every path under the base, including ones the catalog does not serve,
  // so that each answer has the Iceberg error shape. [\s\S]: a decoded path
  // may hold line breaks, which '.' does not match.
  const std::string pattern = std::string(kIcebergBase) + R"((/[\s\S]*)?)";
  router.Get(pattern, [catalog](const httplib::Request& request, httplib::Response& response) {
    catalog->Serve(request, response);  // HEAD too: httplib routes it here
  });
  // Writes are refused without reading their bodies; ConsumeBody drops them.
  auto refuse =
      ConsumeBody([catalog](const httplib::Request& request, httplib::Response& response,
                            const httplib::ContentReader&) { catalog->Serve(request, response); });
  router.Post(pattern, refuse);
  router.Put(pattern, refuse);
  router.Patch(pattern, refuse);
  router.Delete(pattern, refuse);
}

}  // namespace lakehouse::server
