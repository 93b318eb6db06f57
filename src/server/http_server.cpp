// HttpServer: httplib set up with limits, a pre-routing guard, JSON errors and per-request logging.
#include "server/http_server.h"

#include <sys/socket.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "common/logging.h"
#include "http/http_status.h"
#include "server/connection_threads.h"
#include "server/metrics.h"

namespace lakehouse::server {
namespace {

// httplib answers a request start to finish on one thread, so what the
// pre-routing handler learns can wait here for the logger.
thread_local std::chrono::steady_clock::time_point request_start;
thread_local std::string request_route;  // empty: httplib answered before routing

constexpr uint64_t kMaxDrainBytes = 1 << 20;

bool HasBody(const httplib::Request& request) {
  if (request.has_header("Transfer-Encoding")) return true;
  return request.has_header("Content-Length") &&
         std::strtoull(request.get_header_value("Content-Length").c_str(), nullptr, 10) > 0;
}

// Sends the response as it is, then makes httplib drop the connection: a
// content provider that reports failure after writing everything ends
// httplib 0.11's keep-alive loop.
void CloseAfterResponse(httplib::Response& response) {
  response.set_header("Connection", "close");
  std::string body = std::move(response.body);
  response.body.clear();
  std::string type = response.get_header_value("Content-Type");
  response.headers.erase("Content-Type");
  if (body.empty()) {
    response.set_content_provider(type.empty() ? "text/plain" : type,
                                  [](size_t, httplib::DataSink&) { return false; });
    return;
  }
  const size_t size = body.size();
  response.set_content_provider(
      size, type.empty() ? "text/plain" : type,
      [body = std::move(body)](size_t offset, size_t length, httplib::DataSink& sink) {
        sink.write(body.data() + offset, length);
        return false;
      });
}

httplib::Server::HandlerResponse DescribeRejection(const httplib::Request& request,
                                                   httplib::Response& response) {
  if (!response.body.empty() || response.content_length_ > 0) {
    return httplib::Server::HandlerResponse::Unhandled;
  }
  // A HEAD answer the gateway forwards carries its service's length and no
  // body; a body made here would send Content-Length twice, which strict
  // clients (node's fetch) refuse.
  if (request.method == "HEAD" && response.has_header("Content-Length")) {
    return httplib::Server::HandlerResponse::Unhandled;
  }
  std::string message = response.status == 404
                            ? "no route for " + request.method + " " + request.path
                            : "request rejected with HTTP " + std::to_string(response.status);
  if (response.status == 413) message = "request body exceeds the configured limit";
  // The connection refused the body (bad chunk framing, too slow): say so.
  const ConnectionStream* stream = ConnectionServer::CurrentStream();
  if (stream != nullptr && !stream->refusal().empty()) {
    response.status = stream->refusal_status();
    message = stream->refusal();
  }
  nlohmann::json body = {
      {"error", {{"code", http::CodeWordForHttpStatus(response.status)}, {"message", message}}}};
  response.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       "application/json");
  return httplib::Server::HandlerResponse::Handled;
}

void AnswerException(const httplib::Request& request, httplib::Response& response,
                     const std::exception_ptr& ep) {
  std::string what = "unknown exception";
  try {
    std::rethrow_exception(ep);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  spdlog::error("unhandled exception in {} {}: {}", request.method, request.path, what);
  WriteError(response, Status::Internal("internal error: " + what));
}

}  // namespace

httplib::Server::HandlerWithContentReader ConsumeBody(
    httplib::Server::HandlerWithContentReader handler) {
  return
      [handler = std::move(handler)](const httplib::Request& request, httplib::Response& response,
                                     const httplib::ContentReader& reader) {
        bool called = false;
        bool complete = false;
        httplib::ContentReader tracked(
            [&](httplib::ContentReceiver receiver) {
              called = true;
              complete = reader(std::move(receiver));
              return complete;
            },
            [&](httplib::MultipartContentHeader header, httplib::ContentReceiver receiver) {
              called = true;
              complete = reader(std::move(header), std::move(receiver));
              return complete;
            });
        handler(request, response, tracked);
        if (complete || !HasBody(request)) return;
        if (!called && request.has_header("Content-Length") &&
            std::strtoull(request.get_header_value("Content-Length").c_str(), nullptr, 10) <=
                kMaxDrainBytes &&
            reader([](const char*, size_t) { return true; })) {
          return;  // drained: the connection can carry the next request
        }
        CloseAfterResponse(response);
      };
}

void WriteJson(httplib::Response& response, int http_status, const std::string& json) {
  response.status = http_status;
  response.set_content(json, "application/json");
}

void WriteError(httplib::Response& response, const Status& status) {
  WriteJson(response, http::HttpStatusFor(status.code()), http::ErrorBody(status));
}

HttpServer::HttpServer(const HttpConfig& config, uint64_t max_body_bytes) {
  ApplyLimits(config, max_body_bytes);
  server_.set_pre_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        return PreRoute(request, response);
      });
  // Responses httplib makes itself (no route, body too large, bad request
  // line) get the same JSON error shape as ours.
  server_.set_error_handler(httplib::Server::HandlerWithResponse(DescribeRejection));
  server_.set_exception_handler(AnswerException);
  server_.set_logger([this](const httplib::Request& request, const httplib::Response& response) {
    LogRequest(request, response);
  });
}

void HttpServer::ApplyLimits(const HttpConfig& config, uint64_t max_body_bytes) {
  const int threads = config.threads;
  server_.new_task_queue = [threads] { return new ConnectionThreads(threads); };
  ConnectionPolicy policy;
  policy.limits.read_timeout = std::chrono::seconds(config.read_timeout_s);
  policy.limits.write_timeout = std::chrono::seconds(config.write_timeout_s);
  policy.limits.idle_timeout = std::chrono::seconds(config.keep_alive_timeout_s);
  policy.limits.head_timeout = std::chrono::seconds(config.header_timeout_s);
  policy.limits.min_body_bytes_per_s = static_cast<uint64_t>(config.min_body_bytes_per_s);
  policy.limits.max_head_bytes = static_cast<size_t>(config.max_header_bytes);
  policy.max_connections = static_cast<size_t>(config.max_connections);
  policy.max_connections_per_client = static_cast<size_t>(config.max_connections_per_client);
  policy.max_body_bytes = max_body_bytes;
  server_.SetPolicy(policy);
  // httplib's default sets SO_REUSEPORT, with which a second server binds the
  // same port and the kernel splits connections between the two.
  server_.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server_.set_read_timeout(config.read_timeout_s, 0);
  server_.set_write_timeout(config.write_timeout_s, 0);
  server_.set_keep_alive_timeout(config.keep_alive_timeout_s);
  // httplib's default closes a keep-alive connection after 5 requests, so a
  // busy client (or the gateway's pool) reconnects every 5th request.
  server_.set_keep_alive_max_count(10000);
  server_.set_payload_max_length(max_body_bytes);
  server_.set_tcp_nodelay(true);
}

httplib::Server::HandlerResponse HttpServer::PreRoute(const httplib::Request& request,
                                                      httplib::Response& response) {
  request_start = std::chrono::steady_clock::now();
  if (metrics_ != nullptr) {
    request_route = route_name_(request);
    metrics_->RequestStarted(request_route);
  }
  // httplib reads no body for these methods: it would be parsed as the
  // next request.
  const bool reads_body = request.method == "POST" || request.method == "PUT" ||
                          request.method == "PATCH" || request.method == "DELETE";
  if (!reads_body && HasBody(request)) {
    WriteError(response, Status::InvalidArgument(request.method + " requests take no body"));
    CloseAfterResponse(response);
    return httplib::Server::HandlerResponse::Handled;
  }
  if (guard_) {
    if (!guard_(request, response)) {
      // The body is never read: the connection must not outlive it.
      if (HasBody(request)) CloseAfterResponse(response);
      return httplib::Server::HandlerResponse::Handled;
    }
  }
  return httplib::Server::HandlerResponse::Unhandled;
}

void HttpServer::LogRequest(const httplib::Request& request, const httplib::Response& response) {
  auto elapsed =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - request_start);
  if (metrics_ != nullptr) {
    uint64_t in =
        request.has_header("Content-Length")
            ? std::strtoull(request.get_header_value("Content-Length").c_str(), nullptr, 10)
            : request.body.size();
    uint64_t out = response.body.empty() ? response.content_length_ : response.body.size();
    metrics_->RequestFinished(request_route.empty() ? "(rejected)" : request_route, request.method,
                              response.status, elapsed.count() / 1000, in, out,
                              /*started=*/!request_route.empty());
    request_route.clear();
  }
  // The path only: query strings may carry user text, headers may carry tokens.
  spdlog::info(
      "{} {} {} in={} out={} {:.1f}ms", request.method, request.path, response.status,
      request.has_header("Content-Length") ? request.get_header_value("Content-Length") : "0",
      response.body.empty() ? response.content_length_ : response.body.size(), elapsed.count());
}

Result<int> HttpServer::Bind(const ListenAddress& address) {
  int port;
  if (address.port == 0) {
    port = server_.bind_to_any_port(address.host);
  } else {
    port = server_.bind_to_port(address.host, address.port) ? address.port : -1;
  }
  if (port < 0) {
    return Status::Unavailable("cannot listen on " + address.ToString() +
                               " (address in use or not available)");
  }
  server_.WidenBacklog();
  return port;
}

void HttpServer::Run() { server_.listen_after_bind(); }

void HttpServer::Stop() { server_.stop(); }

}  // namespace lakehouse::server
