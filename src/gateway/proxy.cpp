// Gateway forwarding: uploads pumped to the service, answers streamed back through worker threads.
#include "gateway/proxy.h"

#include <spdlog/spdlog.h>

#include <strings.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "server/http_server.h"
#include "server/request_body.h"

namespace lakehouse::gateway {
namespace {

// Bounds what one forwarded response may hold in memory between the
// service and a slow client; past it the service is read no faster.
constexpr size_t kMaxBufferedResponse = 4 << 20;

// Headers that belong to one hop, or to the gateway alone (the token was
// checked here; services behind it trust the gateway's network). The
// encodings too: httplib decodes a compressed body on either side, so the
// body passed on is never the encoded one its Content-Encoding and length
// describe (a client's Accept-Encoding: gzip got a decoded body labelled
// gzip, cut at the compressed length).
bool ForwardsHeader(const std::string& name) {
  static const char* const kDropped[] = {"Authorization",
                                         "Connection",
                                         "Keep-Alive",
                                         "Host",
                                         "Content-Length",
                                         "Transfer-Encoding",
                                         "Cookie",
                                         "Proxy-Connection",
                                         "TE",
                                         "Upgrade",
                                         "Expect",
                                         "REMOTE_ADDR",
                                         "REMOTE_PORT",
                                         "LOCAL_ADDR",
                                         "LOCAL_PORT",
                                         "Accept-Encoding",
                                         "Content-Encoding"};
  for (const char* dropped : kDropped) {
    if (strcasecmp(name.c_str(), dropped) == 0) return false;
  }
  return true;
}

httplib::Headers ForwardedHeaders(const httplib::Headers& headers) {
  httplib::Headers out;
  for (const auto& [name, value] : headers) {
    if (ForwardsHeader(name)) out.emplace(name, value);
  }
  return out;
}

void CopyResponseHeaders(const httplib::Headers& from, httplib::Response& to) {
  for (const auto& [name, value] : from) {
    if (ForwardsHeader(name) && strcasecmp(name.c_str(), "Content-Type") != 0) {
      to.set_header(name, value);
    }
  }
}

std::string TemplateToRegex(std::string_view path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '{') {
      out += path[i];
      continue;
    }
    size_t close = path.find('}', i);
    out += path[close - 1] == '*' ? "(.*)" : "([^/]+)";
    i = close;
  }
  return out;
}

// An upload forwarded as it arrives: the body is pumped from the client's
// connection into the service's on this thread; the (small) answer is
// buffered.
void ForwardUpload(http::ClientPool& pool, const httplib::Request& request,
                   httplib::Response& response, const httplib::ContentReader& reader) {
  httplib::Request up;
  up.method = request.method;
  up.path = request.target;
  up.headers = ForwardedHeaders(request.headers);
  bool body_failed = false;
  auto pump = [&](httplib::DataSink& sink) {
    bool ok = reader([&](const char* data, size_t length) { return sink.write(data, length); });
    body_failed = !ok;
    return ok;
  };
  auto length = server::ContentLength(request);
  if (!length.ok()) return server::WriteError(response, length.status());
  if (*length) {
    up.content_length_ = **length;
    up.content_provider_ = [&](size_t, size_t, httplib::DataSink& sink) { return pump(sink); };
  } else {
    up.is_chunked_content_provider_ = true;
    up.content_provider_ = [&](size_t, size_t, httplib::DataSink& sink) {
      if (!pump(sink)) return false;
      sink.done();
      return true;
    };
  }
  auto lease = pool.Acquire();
  httplib::Response answer;
  httplib::Error error = httplib::Error::Success;
  if (!lease->send(up, answer, error)) {
    lease.Discard();
    if (body_failed)
      return server::WriteError(response, Status::InvalidArgument("the request body ended early"));
    return server::WriteError(response, pool.TransportError(error));
  }
  response.status = answer.status;
  CopyResponseHeaders(answer.headers, response);
  response.set_content(answer.body, answer.get_header_value("Content-Type"));
}

// Threads for forwarded exchanges, kept and reused: a thread started per
// request costs more than a small answer's whole round trip.
class ExchangeWorkers {
 public:
  void Run(std::function<void()> task) {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
    if (idle_ == 0) {
      std::thread([this] { Loop(); }).detach();
    } else {
      wake_.notify_one();
    }
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (true) {
      ++idle_;
      wake_.wait(lock, [&] { return !tasks_.empty(); });
      --idle_;
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  size_t idle_ = 0;
};

// Never destroyed: at exit a worker may still wait on a slow service, and
// joining it would hold the process up to the request timeout.
ExchangeWorkers& Workers() {
  static auto* workers = new ExchangeWorkers;
  return *workers;
}

// One forwarded exchange whose answer streams back: a worker thread talks to
// the service; the client's connection is fed from its chunks after the
// handler returns.
struct Exchange {
  std::mutex mu;
  std::condition_variable changed;
  bool headers_ready = false;
  int status = 0;
  httplib::Headers headers;
  Status error;
  std::deque<std::string> chunks;
  size_t buffered = 0;
  bool finished = false;
  bool cancelled = false;  // the client went away

  void AwaitFinished() {
    std::unique_lock lock(mu);
    changed.wait(lock, [&] { return finished; });
  }
};

void ForwardStreaming(http::ClientPool& pool, const httplib::Request& request,
                      httplib::Response& response, std::string body) {
  auto exchange = std::make_shared<Exchange>();
  httplib::Request up;
  up.method = request.method;
  up.path = request.target;
  up.headers = ForwardedHeaders(request.headers);
  const std::string content_type = request.get_header_value("Content-Type");
  if (!body.empty() || request.method == "POST" || request.method == "PUT") {
    up.body = std::move(body);
    up.set_header("Content-Length", std::to_string(up.body.size()));
    if (!content_type.empty()) up.set_header("Content-Type", content_type);
  }
  auto shared_up = std::make_shared<httplib::Request>(std::move(up));
  Workers().Run([&pool, exchange, shared_up] {
    httplib::Request& up = *shared_up;
    up.response_handler = [&](const httplib::Response& head) {
      std::lock_guard lock(exchange->mu);
      exchange->status = head.status;
      exchange->headers = head.headers;
      exchange->headers_ready = true;
      exchange->changed.notify_all();
      return true;
    };
    up.content_receiver = [&](const char* data, size_t length, uint64_t, uint64_t) {
      std::unique_lock lock(exchange->mu);
      exchange->changed.wait(
          lock, [&] { return exchange->cancelled || exchange->buffered < kMaxBufferedResponse; });
      if (exchange->cancelled) return false;
      exchange->chunks.emplace_back(data, length);
      exchange->buffered += length;
      exchange->changed.notify_all();
      return true;
    };
    auto lease = pool.Acquire();
    httplib::Response answer;
    httplib::Error error = httplib::Error::Success;
    bool ok = lease->send(up, answer, error);
    if (!ok) lease.Discard();
    std::lock_guard lock(exchange->mu);
    if (ok && !exchange->headers_ready) {
      // httplib skips the response handler for answers without a body (204).
      exchange->status = answer.status;
      exchange->headers = answer.headers;
      exchange->headers_ready = true;
      if (!answer.body.empty()) exchange->chunks.push_back(std::move(answer.body));
    }
    if (!ok && !exchange->cancelled) {
      exchange->error = exchange->headers_ready
                            ? Status::Unavailable("the service's answer broke off")
                            : pool.TransportError(error);
    }
    exchange->finished = true;
    exchange->changed.notify_all();
  });

  std::unique_lock lock(exchange->mu);
  exchange->changed.wait(lock, [&] { return exchange->headers_ready || exchange->finished; });
  if (!exchange->headers_ready) {
    Status error = exchange->error;
    lock.unlock();
    return server::WriteError(response, error);
  }
  response.status = exchange->status;
  CopyResponseHeaders(exchange->headers, response);
  std::string type = "application/octet-stream";
  for (const auto& [name, value] : exchange->headers) {
    if (strcasecmp(name.c_str(), "Content-Type") == 0) type = value;
  }
  lock.unlock();
  if (request.method == "HEAD" || response.status == 204 || response.status == 304) {
    // No body follows, but for HEAD its length is part of the answer.
    for (const auto& [name, value] : exchange->headers) {
      if (strcasecmp(name.c_str(), "Content-Length") == 0) response.set_header(name, value);
    }
    exchange->AwaitFinished();
    return;
  }
  // Hands the next chunk to the client; false ends the answer early.
  auto next_chunk = [exchange](httplib::DataSink& sink) {
    std::unique_lock lock(exchange->mu);
    exchange->changed.wait(lock, [&] { return !exchange->chunks.empty() || exchange->finished; });
    if (!exchange->chunks.empty()) {
      std::string chunk = std::move(exchange->chunks.front());
      exchange->chunks.pop_front();
      exchange->buffered -= chunk.size();
      exchange->changed.notify_all();
      lock.unlock();
      return sink.write(chunk.data(), chunk.size());
    }
    // Finished: a broken answer must not look complete to the client.
    if (!exchange->error.ok()) return false;
    if (sink.done) sink.done();
    return true;
  };
  auto release = [exchange](bool) {
    std::lock_guard lock(exchange->mu);
    exchange->cancelled = true;
    exchange->changed.notify_all();
  };
  // A length the service gave is passed on (one write, no chunk framing);
  // otherwise the answer is re-chunked as it comes.
  std::optional<uint64_t> length;
  for (const auto& [name, value] : exchange->headers) {
    if (strcasecmp(name.c_str(), "Content-Length") == 0)
      length = std::strtoull(value.c_str(), nullptr, 10);
  }
  if (length) {
    response.set_content_provider(
        *length, type,
        [next_chunk](size_t, size_t, httplib::DataSink& sink) { return next_chunk(sink); },
        release);
  } else {
    response.set_chunked_content_provider(
        type, [next_chunk](size_t, httplib::DataSink& sink) { return next_chunk(sink); }, release);
  }
}

bool StreamsRequestBody(const Route& route) {
  return (route.method == "PUT" && route.path == "/v1/objects/{key*}") ||
         (route.method == "POST" && route.path == "/v1/datasets/{name}/ingest");
}

}  // namespace

Status Upstreams::Add(Service service, const std::string& base_url, int connect_timeout_ms,
                      int timeout_s) {
  LH_ASSIGN_OR_RETURN(auto pool,
                      http::ClientPool::Create({.base_url = base_url,
                                                .service = std::string(ServiceName(service)),
                                                .connect_timeout_ms = connect_timeout_ms,
                                                .timeout_s = timeout_s}));
  pools_[service] = std::move(pool);
  return Status::Ok();
}

http::ClientPool* Upstreams::Find(Service service) const {
  auto it = pools_.find(service);
  return it == pools_.end() ? nullptr : it->second.get();
}

std::vector<server::HealthCheck> Upstreams::HealthChecks() const {
  std::vector<server::HealthCheck> checks;
  for (const auto& [service, pool] : pools_) {
    http::ClientPool* raw = pool.get();
    checks.push_back({std::string(ServiceName(service)), [raw]() -> Status {
                        auto lease = raw->Acquire();
                        auto result = lease->Get("/healthz");
                        if (!result) {
                          lease.Discard();
                          return raw->TransportError(result.error());
                        }
                        if (result->status != 200) {
                          return Status::Unavailable("/healthz answered " +
                                                     std::to_string(result->status));
                        }
                        return Status::Ok();
                      }});
  }
  return checks;
}

void RegisterProxyRoutes(httplib::Server& router, const Upstreams& upstreams,
                         uint64_t max_buffered_body) {
  for (const Route& route : ApiRoutes()) {
    http::ClientPool* pool = upstreams.Find(route.service);
    if (pool == nullptr) continue;
    const std::string pattern = TemplateToRegex(route.path);
    if (route.method == "GET" || route.method == "HEAD" || route.method == "DELETE") {
      auto handler = [pool](const httplib::Request& request, httplib::Response& response) {
        ForwardStreaming(*pool, request, response, "");
      };
      if (route.method == "GET") router.Get(pattern, handler);
      if (route.method == "DELETE") router.Delete(pattern, handler);
      // httplib answers HEAD from the GET route; nothing to register.
      continue;
    }
    httplib::Server::HandlerWithContentReader handler;
    if (StreamsRequestBody(route)) {
      handler = [pool](const httplib::Request& request, httplib::Response& response,
                       const httplib::ContentReader& reader) {
        ForwardUpload(*pool, request, response, reader);
      };
    } else {
      handler = [pool, max_buffered_body](const httplib::Request& request,
                                          httplib::Response& response,
                                          const httplib::ContentReader& reader) {
        auto body = server::ReadBoundedBody(request, reader, max_buffered_body);
        if (!body.ok()) return server::WriteError(response, body.status());
        ForwardStreaming(*pool, request, response, std::move(*body));
      };
    }
    if (route.method == "POST") {
      router.Post(pattern, server::ConsumeBody(std::move(handler)));
    } else if (route.method == "PUT") {
      router.Put(pattern, server::ConsumeBody(std::move(handler)));
    }
  }
}

}  // namespace lakehouse::gateway
