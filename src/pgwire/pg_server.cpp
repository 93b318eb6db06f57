// The PostgreSQL listener: accepts connections, gives each a thread and a Session, routes cancels.
#include "pgwire/pg_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "common/logging.h"
#include "pgwire/catalog_answerer.h"
#include "pgwire/wire.h"

namespace lakehouse::pgwire {
namespace {

constexpr int kStartupTimeoutS = 10;
constexpr int kSendTimeoutS = 30;

bool IsLoopback(const sockaddr_storage& peer) {
  if (peer.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&peer);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (peer.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(&peer);
    if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) return true;
    return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127;
  }
  return false;
}

void SetTimeout(int fd, int option, int seconds) {
  timeval tv{};
  tv.tv_sec = seconds;
  setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string FatalMessage(std::string_view sqlstate, std::string_view message) {
  std::string out;
  MessageWriter w(out);
  w.Begin('E').Byte('S').CString("FATAL").Byte('V').CString("FATAL").Byte('C').CString(sqlstate);
  w.Byte('M').CString(message).Byte(0).End();
  return out;
}

class Server final : public PgServer {
 public:
  Server(const PgServerOptions& options, query::QueryEngine& engine,
         std::unique_ptr<CatalogAnswerer> catalog)
      : options_(options), engine_(engine), catalog_(std::move(catalog)) {}
  ~Server() override { Stop(); }

  Status Bind();
  void StartAccepting() {
    acceptor_ = std::thread([this] { Accept(); });
  }
  uint16_t port() const override { return port_; }
  void Stop() override;
  PgServerCounters counters() const override;

 private:
  struct Connection {
    int fd = -1;
    Session* session = nullptr;  // set while the session lives
    int32_t secret_key = 0;
    std::thread thread;
  };

  void Accept();
  void Refuse(int fd);
  void Serve(int32_t id, int fd, bool loopback);
  void CancelQuery(int32_t id, int32_t secret_key);
  void JoinFinished();  // REQUIRES: mu_ held

  const PgServerOptions options_;
  query::QueryEngine& engine_;
  const std::unique_ptr<CatalogAnswerer> catalog_;  // null without a catalog
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread acceptor_;
  SessionStats stats_;
  std::atomic<uint64_t> total_{0};
  std::atomic<uint64_t> refused_{0};

  mutable std::mutex mu_;
  std::condition_variable drained_;
  bool stopping_ = false;
  int32_t next_id_ = 1;
  std::map<int32_t, Connection> connections_;  // by process id (BackendKeyData)
  std::vector<std::thread> finished_;
};

Status Server::Bind() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(options_.listen.port);
  if (int rc = getaddrinfo(options_.listen.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return Status::InvalidArgument("pgwire: cannot resolve " + options_.listen.host + ": " +
                                   gai_strerror(rc));
  }
  Status status = Status::IoError("pgwire: no address to bind for " + options_.listen.ToString());
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0) {
      listen_fd_ = fd;
      break;
    }
    status = Status::FromErrno(errno, "pgwire: bind " + options_.listen.ToString());
    close(fd);
  }
  freeaddrinfo(found);
  if (listen_fd_ < 0) return status;
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &length);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return Status::Ok();
}

void Server::Accept() {
  while (true) {
    pollfd p{listen_fd_, POLLIN, 0};
    int ready = poll(&p, 1, 200);
    {
      std::lock_guard lock(mu_);
      JoinFinished();
      if (stopping_) return;
    }
    if (ready <= 0) continue;
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++total_;
    std::lock_guard lock(mu_);
    if (stopping_ || connections_.size() >= options_.max_connections) {
      ++refused_;
      Refuse(fd);
      continue;
    }
    int32_t id = next_id_++;
    Connection& connection = connections_[id];
    connection.fd = fd;
    bool loopback = IsLoopback(peer);
    connection.thread = std::thread([this, id, fd, loopback] { Serve(id, fd, loopback); });
  }
}

// Answers as PostgreSQL does when full. The startup packet is read first
// (briefly) so that closing does not reset the connection under the answer.
void Server::Refuse(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, 50) > 0) {
    char buffer[kMaxStartupBytes];
    (void)!recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
  }
  SendAll(fd, FatalMessage("53300", "sorry, too many clients already (" +
                                        std::to_string(options_.max_connections) +
                                        ", [pgwire] max_connections)"));
  shutdown(fd, SHUT_WR);
  close(fd);
}

void Server::Serve(int32_t id, int fd, bool loopback) {
  SetTimeout(fd, SO_RCVTIMEO, kStartupTimeoutS);
  SetTimeout(fd, SO_SNDTIMEO, kSendTimeoutS);
  SessionOptions options;
  options.max_message_bytes = options_.max_message_bytes;
  options.loopback = loopback;
  options.check_password = options_.check_password;
  options.scram = options_.scram;
  options.process_id = id;
  auto secret = RandomBytes(4);
  if (secret.ok()) std::memcpy(&options.secret_key, secret->data(), 4);
  options.cancel = [this](int32_t process_id, int32_t key) { CancelQuery(process_id, key); };
  options.time_zone = options_.time_zone;
  options.stats = &stats_;
  options.catalog = catalog_.get();
  {
    Session session(engine_, options, [fd](std::string_view bytes) { return SendAll(fd, bytes); });
    {
      std::lock_guard lock(mu_);
      connections_[id].session = &session;
      connections_[id].secret_key = options.secret_key;
    }
    bool timeout_lifted = false;
    // The whole sign-in is bounded, not only each read: a client trickling
    // a byte at a time must not hold its thread.
    const auto startup_deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(kStartupTimeoutS);
    char buffer[16384];
    while (true) {
      ssize_t n = recv(fd, buffer, sizeof buffer, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // closed, failed, or the startup took too long
      if (!session.Receive(std::string_view(buffer, static_cast<size_t>(n)))) break;
      if (!session.signed_in() && std::chrono::steady_clock::now() > startup_deadline) break;
      if (!timeout_lifted && session.signed_in()) {
        SetTimeout(fd, SO_RCVTIMEO, 0);  // a signed-in client may idle
        timeout_lifted = true;
      }
    }
    std::lock_guard lock(mu_);
    connections_[id].session = nullptr;
  }
  shutdown(fd, SHUT_RDWR);
  close(fd);
  std::lock_guard lock(mu_);
  auto found = connections_.find(id);
  finished_.push_back(std::move(found->second.thread));
  connections_.erase(found);
  drained_.notify_all();
}

void Server::CancelQuery(int32_t id, int32_t secret_key) {
  std::lock_guard lock(mu_);
  auto found = connections_.find(id);
  if (found == connections_.end() || found->second.session == nullptr ||
      found->second.secret_key != secret_key) {
    return;
  }
  found->second.session->Cancel();
}

void Server::JoinFinished() {
  for (auto& thread : finished_) {
    // A thread is put here by itself as its last act; joining waits only
    // for it to return.
    if (thread.get_id() == std::this_thread::get_id()) {
      thread.detach();
    } else if (thread.joinable()) {
      thread.join();
    }
  }
  finished_.clear();
}

void Server::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
  std::unique_lock lock(mu_);
  for (auto& [id, connection] : connections_) {
    if (connection.session != nullptr) connection.session->Cancel();
    shutdown(connection.fd, SHUT_RDWR);
  }
  drained_.wait(lock, [this] { return connections_.empty(); });
  JoinFinished();
}

PgServerCounters Server::counters() const {
  PgServerCounters counters;
  {
    std::lock_guard lock(mu_);
    counters.connections_open = connections_.size();
  }
  counters.connections_total = total_;
  counters.connections_refused = refused_;
  counters.queries = stats_.queries;
  counters.query_errors = stats_.query_errors;
  counters.protocol_errors = stats_.protocol_errors;
  counters.auth_failures = stats_.auth_failures;
  return counters;
}

}  // namespace

Result<std::unique_ptr<PgServer>> PgServer::Start(const PgServerOptions& options,
                                                  query::QueryEngine& engine) {
  if (options.max_connections == 0) {
    return Status::InvalidArgument("[pgwire] max_connections must be at least 1");
  }
  std::unique_ptr<CatalogAnswerer> catalog;
  if (options.catalog != nullptr) {
    LH_ASSIGN_OR_RETURN(
        catalog, CatalogAnswerer::Open(*options.catalog, {.database = "lakehouse",
                                                          .max_rows = engine.options().max_rows}));
  }
  auto server = std::make_unique<Server>(options, engine, std::move(catalog));
  LH_RETURN_IF_ERROR(server->Bind());
  server->StartAccepting();
  spdlog::info("pgwire: PostgreSQL clients on {}:{}", options.listen.host, server->port());
  return std::unique_ptr<PgServer>(std::move(server));
}

}  // namespace lakehouse::pgwire
