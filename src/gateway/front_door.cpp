// FrontDoor: the scope guard per route, route-named metrics, /metrics, and /login and /logout.
#include "gateway/front_door.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "gateway/route_table.h"
#include "server/iceberg_routes.h"
#include "server/object_routes.h"

namespace lakehouse::gateway {
namespace {

constexpr int64_t kSessionLifetimeS = SessionTable::kDefaultLifetimeMs / 1000;

// The Set-Cookie value of a session id (empty and Max-Age=0 clears it).
std::string SessionCookie(const httplib::Request& request, std::string_view id, int64_t max_age_s) {
  std::string cookie = std::string(kSessionCookie) + "=" + std::string(id) +
                       "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
  if (request.get_header_value("X-Forwarded-Proto") == "https") cookie += "; Secure";
  return cookie;
}

// The scope a request needs: its route's; read for a path outside the API
// (the web UI); and read for a deep health check, which runs a real call
// against every dependency and names what failed.
Scope NeededScope(const Route* route, const httplib::Request& request) {
  if (route == nullptr) return Scope::kRead;
  if (route->path == "/healthz" && request.has_param("deep")) {
    return std::max(route->scope, Scope::kRead);
  }
  return route->scope;
}

}  // namespace

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
  http.SetGuard([this](const httplib::Request& request, httplib::Response& response) {
    const Route* route = FindRoute(request.method, request.path);
    const Scope needed = NeededScope(route, request);
    Status allowed = access_.Authorize(request.get_header_value("Authorization"),
                                       request.get_header_value("Cookie"), needed, nullptr);
    // The system's keys are refused to every token, before any body is read
    // (the object routes refuse them too, for storaged reached directly).
    if (allowed.ok() && route != nullptr && route->path == "/v1/objects/{key*}") {
      allowed = server::CheckPublicObjectTarget(request.target);
    }
    if (allowed.ok()) return true;
    // Iceberg clients read their own error shape (iceberg_routes.h).
    if (request.path.starts_with(server::kIcebergBase)) {
      server::WriteIcebergError(response, allowed);
      if (request.method == "HEAD") response.body.clear();
    } else {
      server::WriteError(response, allowed);
    }
    if (allowed.code() == StatusCode::kUnauthenticated) {
      response.set_header("WWW-Authenticate", "Bearer realm=\"lakehouse\"");
      // A person opening a page is sent to sign in; scripts keep the 401.
      if (request.method == "GET" && !request.path.starts_with("/v1/") &&
          request.get_header_value("Accept").find("text/html") != std::string::npos) {
        response.body.clear();
        response.set_redirect("/login", 303);
      }
    }
    return false;
  });
  http.SetMetrics(&metrics_, [](const httplib::Request& request) {
    const Route* route = FindRoute(request.method, request.path);
    if (route != nullptr) return std::string(route->path);
    // UI pages and unknown paths: one label each kind, not one per path.
    if (request.path.starts_with("/static/")) return std::string("/static/{file}");
    return std::string("(other)");
  });
  server::RegisterMetricsRoute(http.router(), metrics_);
  RegisterLogin(http.router());
}

// Browsers cannot add an Authorization header to page loads and form posts,
// so /login checks the token once and answers with a session cookie: a
// random id standing for the token's name and scope (access_control.h), so
// the token itself is never stored in the browser. A wrong token is refused
// here. The cookie is HttpOnly and SameSite=Strict, so neither scripts nor
// other sites' pages can use it; it is Secure when the request came over TLS
// (this server speaks plain HTTP, so that means a proxy in front said so).
void FrontDoor::RegisterLogin(httplib::Server& router) {
  static constexpr const char* kPage =
      "<!doctype html><html><head><meta charset=\"utf-8\"><title>Lakehouse: sign in</title>"
      "<link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main>"
      "<h1>Sign in</h1><p>{message}</p><form method=\"post\" action=\"/login\">"
      "<label>API token <input type=\"password\" name=\"token\" autofocus></label> "
      "<button type=\"submit\">Sign in</button></form></main></body></html>";
  auto page = [](std::string_view message) {
    std::string html = kPage;
    html.replace(html.find("{message}"), 9, message);
    return html;
  };
  router.Get("/login", [page](const httplib::Request&, httplib::Response& response) {
    response.set_content(page("This server needs an API token."), "text/html; charset=utf-8");
  });
  router.Post("/login", [this, page](const httplib::Request& request, httplib::Response& response) {
    if (!access_.enabled()) return response.set_redirect("/", 303);  // nothing to sign in to
    auto session = access_.SignIn(request.get_param_value("token"), Scope::kRead);
    if (!session.ok()) {
      response.status = session.status().code() == StatusCode::kInternal ? 500 : 401;
      response.set_content(
          page(response.status == 500 ? "Signing in failed; try again."
                                      : "That token is not known, or may not read."),
          "text/html; charset=utf-8");
      return;
    }
    response.set_header("Set-Cookie", SessionCookie(request, *session, kSessionLifetimeS));
    response.set_redirect("/", 303);
  });
  router.Post("/logout", [this](const httplib::Request& request, httplib::Response& response) {
    access_.SignOut(request.get_header_value("Cookie"));
    response.set_header("Set-Cookie", SessionCookie(request, "", 0));
    response.set_redirect(access_.enabled() ? "/login" : "/", 303);
  });
}

}  // namespace lakehouse::gateway
