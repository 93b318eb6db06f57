// A cpp-httplib server with the limits every Lakehouse listener shares:
// bounded body, header and time, strict framing, connection caps
// (connection_server.h), JSON errors for whatever httplib rejects itself, an
// access log line per request, and a clean stop. The listening socket is
// exclusive: a second server on a port in use fails to bind.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <string>

#include "common/config.h"
#include "common/status.h"
#include "server/connection_server.h"

namespace lakehouse::server {

class Metrics;

class HttpServer {
 public:
  HttpServer(const HttpConfig& config, uint64_t max_body_bytes);

  // Decides before routing whether a request may go on; when not, it has
  // written the refusal into the response (401, 403, a redirect...). Set
  // before Run.
  using Guard = std::function<bool(const httplib::Request&, httplib::Response&)>;
  void SetGuard(Guard guard) { guard_ = std::move(guard); }
  // Counts every request in `metrics` under the label `route_name` gives
  // (a template such as "/v1/datasets/{name}", never the raw path).
  using RouteNamer = std::function<std::string(const httplib::Request&)>;
  void SetMetrics(Metrics* metrics, RouteNamer route_name) {
    metrics_ = metrics;
    route_name_ = std::move(route_name);
  }

  // Where parts register their routes.
  httplib::Server& router() { return server_; }

  // Connections open from a client address now.
  size_t OpenConnections(const std::string& address) const {
    return server_.OpenConnections(address);
  }

  // Binds the address; port 0 picks a free one. Returns the bound port.
  Result<int> Bind(const ListenAddress& address);
  // Serves until Stop(); returns once every in-flight request has finished.
  void Run();
  void Stop();

 private:
  void ApplyLimits(const HttpConfig& config, uint64_t max_body_bytes);
  httplib::Server::HandlerResponse PreRoute(const httplib::Request& request,
                                            httplib::Response& response);
  void LogRequest(const httplib::Request& request, const httplib::Response& response);

  ConnectionServer server_;
  Guard guard_;
  Metrics* metrics_ = nullptr;
  RouteNamer route_name_;
};

// Wraps a route that reads its request body through a ContentReader.
// cpp-httplib 0.11 keeps every connection open after the response (even one
// saying "Connection: close") and parses whatever the handler left unread of
// the body as the NEXT request on the connection. So after the handler: a
// body it never touched is read and dropped when small; a body it did not
// read to the end otherwise gets the connection closed after the response.
httplib::Server::HandlerWithContentReader ConsumeBody(
    httplib::Server::HandlerWithContentReader handler);

// Writes `status` as the JSON error body with its HTTP status.
void WriteError(httplib::Response& response, const Status& status);
// Writes a JSON body with the given HTTP status.
void WriteJson(httplib::Response& response, int http_status, const std::string& json);

}  // namespace lakehouse::server
