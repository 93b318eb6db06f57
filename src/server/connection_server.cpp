// ConnectionServer: admission, the keep-alive loop and framing checks in
// front of httplib's request parser.
#include "server/connection_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "common/logging.h"
#include "http/http_status.h"

namespace lakehouse::server {
namespace {

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

// Half-closes, then reads what the client still sends for a moment before
// closing: closing with unread bytes makes the kernel reset the connection,
// and a reset can destroy the answer before the client has read it.
void CloseGracefully(int fd, uint64_t max_drain_bytes) {
  shutdown(fd, SHUT_WR);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  char sink[16 << 10];
  uint64_t drained = 0;
  while (drained < max_drain_bytes) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    const ssize_t n = recv(fd, sink, sizeof(sink), 0);
    if (n <= 0) break;
    drained += static_cast<size_t>(n);
  }
  close(fd);
}

thread_local const ConnectionStream* current_stream = nullptr;

constexpr uint64_t kDrainBytes = 1 << 20;
constexpr uint64_t kOversizeDrainBytes = 16 << 20;

}  // namespace

std::string RefusalResponse(int http_status, std::string_view message) {
  nlohmann::json body = {
      {"error", {{"code", http::CodeWordForHttpStatus(http_status)}, {"message", message}}}};
  const std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return "HTTP/1.1 " + std::to_string(http_status) + " " + std::string(ReasonPhrase(http_status)) +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(text.size()) +
         "\r\nConnection: close\r\n\r\n" + text;
}

const ConnectionStream* ConnectionServer::CurrentStream() { return current_stream; }

void ConnectionServer::WidenBacklog() { ::listen(svr_sock_, SOMAXCONN); }

size_t ConnectionServer::OpenConnections(const std::string& address) const {
  std::lock_guard lock(mu_);
  auto it = per_client_.find(address);
  return it == per_client_.end() ? 0 : it->second;
}

bool ConnectionServer::Admit(const std::string& address, std::string* why) {
  std::lock_guard lock(mu_);
  if (open_ >= policy_.max_connections) {
    *why = "the server is at its limit of " + std::to_string(policy_.max_connections) +
           " open connections";
    return false;
  }
  size_t& mine = per_client_[address];
  if (mine >= policy_.max_connections_per_client) {
    *why = "too many connections from " + address + " (limit " +
           std::to_string(policy_.max_connections_per_client) + ")";
    if (mine == 0) per_client_.erase(address);
    return false;
  }
  ++mine;
  ++open_;
  return true;
}

void ConnectionServer::Release(const std::string& address) {
  std::lock_guard lock(mu_);
  --open_;
  auto it = per_client_.find(address);
  if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
}

bool ConnectionServer::process_and_close_socket(socket_t sock) {
  ConnectionStream stream(sock, policy_.limits, [this] { return svr_sock_ == INVALID_SOCKET; });
  std::string address;
  int port = 0;
  stream.get_remote_ip_and_port(address, port);
  std::string why;
  if (!Admit(address, &why)) {
    spdlog::warn("refused a connection: {}", why);
    stream.WriteAll(RefusalResponse(503, why));
    CloseGracefully(sock, kDrainBytes);
    return true;
  }
  const uint64_t drain = Serve(stream);
  Release(address);
  if (drain == 0) {
    shutdown(sock, SHUT_RDWR);
    close(sock);
  } else {
    CloseGracefully(sock, drain);
  }
  return true;
}

uint64_t ConnectionServer::Refuse(ConnectionStream& stream, int status, const std::string& why) {
  spdlog::info("refused a request: HTTP {}: {}", status, why);
  stream.WriteAll(RefusalResponse(status, why));
  // A client that sends a body without waiting for an answer (no "Expect:
  // 100-continue") reads the 413 only after it has sent it all.
  return status == 413 ? kOversizeDrainBytes : kDrainBytes;
}

uint64_t ConnectionServer::Serve(ConnectionStream& stream) {
  for (size_t served = 0; served < keep_alive_max_count_; ++served) {
    switch (stream.ReadHead(served == 0)) {
      case ConnectionStream::HeadResult::kIdle:
        return 0;
      case ConnectionStream::HeadResult::kTimeout:
        return Refuse(stream, 408,
                      "the request head did not arrive within " +
                          std::to_string(policy_.limits.head_timeout.count()) + " ms");
      case ConnectionStream::HeadResult::kTooLarge:
        return Refuse(
            stream, 431,
            "the request head exceeds " + std::to_string(policy_.limits.max_head_bytes) + " bytes");
      case ConnectionStream::HeadResult::kReady:
        break;
    }
    auto framing = CheckRequestHead(stream.head(), policy_.max_body_bytes);
    if (!framing.ok()) {
      return Refuse(stream, http::HttpStatusFor(framing.status().code()),
                    framing.status().message());
    }
    stream.BeginRequest(*framing);
    bool client_closes = false;
    const bool last = served + 1 >= keep_alive_max_count_;
    current_stream = &stream;
    const bool answered = process_request(stream, last, client_closes, nullptr);
    current_stream = nullptr;
    if (!stream.refusal().empty()) {
      spdlog::info("refused a request body: HTTP {}: {}", stream.refusal_status(),
                   stream.refusal());
      return kDrainBytes;
    }
    if (!stream.BodyComplete()) return kDrainBytes;
    if (!answered || client_closes || last) return 0;
  }
  return 0;
}

}  // namespace lakehouse::server
