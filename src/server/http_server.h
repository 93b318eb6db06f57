// A cpp-httplib server with the limits every Lakehouse listener shares:
// bounded body, header and time, JSON errors for whatever httplib rejects
// itself, an access log line per request, and a clean stop.
#pragma once

#include <httplib.h>

#include <cstdint>

#include "common/config.h"
#include "common/status.h"

namespace lakehouse::server {

class HttpServer {
 public:
  HttpServer(const HttpConfig& config, uint64_t max_body_bytes);

  // Where parts register their routes.
  httplib::Server& router() { return server_; }

  // Binds the address; port 0 picks a free one. Returns the bound port.
  Result<int> Bind(const ListenAddress& address);
  // Serves until Stop(); returns once every in-flight request has finished.
  void Run();
  void Stop();

 private:
  httplib::Server server_;
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
