// Answers UI requests: pages and htmx parts with the UI's headers, errors, static files.
#include "web/ui_http.h"

#include <charconv>

#include "common/logging.h"
#include "http/http_status.h"
#include "web/assets.h"

namespace lakehouse::web {
namespace {

void SendHtml(httplib::Response& response, int status, const std::string& html) {
  response.status = status;
  // One URL serves a page or a part of it, by header.
  response.set_header("Vary", "HX-Request, HX-Target");
  response.set_header("Cache-Control", "no-store");
  // Scripts and styles come only from /static: even a value that escaped
  // escaping could not run script. (htmx is configured not to eval.)
  response.set_header("Content-Security-Policy",
                      "default-src 'self'; img-src 'self' data:; base-uri 'none'; "
                      "form-action 'self'; frame-ancestors 'none'");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_content(html, "text/html; charset=utf-8");
}

}  // namespace

bool WantsPart(const httplib::Request& request, std::string_view target) {
  return request.has_header("HX-Request") && !request.has_header("HX-History-Restore-Request") &&
         request.get_header_value("HX-Target") == target;
}

std::optional<uint64_t> ParseUint(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

void SendError(const httplib::Request& request, httplib::Response& response, const Status& status) {
  const int http_status = http::HttpStatusFor(status.code());
  Data data;
  data.set("status", std::to_string(http_status));
  data.set("message", status.message());
  auto html = request.has_header("HX-Request") && !request.has_header("HX-History-Restore-Request")
                  ? RenderTemplate("error", data)
                  : RenderPage("error_page", "Error", data);
  if (!html.ok()) {
    spdlog::error("web: {}", html.status().ToString());
    response.status = http_status;
    response.set_content(status.message(), "text/plain; charset=utf-8");
    return;
  }
  SendHtml(response, http_status, *html);
}

void Send(const httplib::Request& request, httplib::Response& response,
          const Result<std::string>& html, int status) {
  if (!html.ok()) {
    spdlog::error("web: {}", html.status().ToString());
    return SendError(request, response, html.status());
  }
  SendHtml(response, status, *html);
}

Data ErrorData(const Status& status) {
  Data data;
  data.set("status", std::to_string(http::HttpStatusFor(status.code())));
  data.set("message", status.message());
  return data;
}

void SendStaticFile(const httplib::Request& request, httplib::Response& response) {
  const std::string path = "static/" + std::string(request.matches[1]);
  auto content = FindAsset(path);
  if (!content) {
    return SendError(request, response, Status::NotFound("no static file " + path));
  }
  // The files change only with the binary; a restart may bring new ones.
  response.set_header("Cache-Control", "public, max-age=300");
  response.set_content(content->data(), content->size(), std::string(ContentTypeFor(path)));
}

}  // namespace lakehouse::web
