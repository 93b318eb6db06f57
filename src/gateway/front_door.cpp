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
  http.SetGuard([this](const httplib::Request& request, httplib::Response& response) {
    const Route* route = FindRoute(request.method, request.path);
    Scope needed = route ? route->scope : Scope::kRead;
    Status allowed = access_.Authorize(request.get_header_value("Authorization"),
                                       request.get_header_value("Cookie"), needed, nullptr);
    if (allowed.ok()) return true;
    server::WriteError(response, allowed);
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
// so /login puts the token in an HttpOnly, same-site cookie instead; the
// guard reads it like a bearer token. A wrong token is refused here, before
// it is stored.
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
    const std::string token = request.get_param_value("token");
    if (Status s = access_.Authorize("Bearer " + token, "", Scope::kRead, nullptr); !s.ok()) {
      response.status = 401;
      response.set_content(page("That token is not known, or may not read."),
                           "text/html; charset=utf-8");
      return;
    }
    response.set_header("Set-Cookie", "lakehouse_token=" + token +
                                          "; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000");
    response.set_redirect("/", 303);
  });
}

}  // namespace lakehouse::gateway
