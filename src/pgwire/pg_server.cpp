// The PostgreSQL listener: accepts, negotiates TLS, runs each Session on a thread, routes cancels.
#include "pgwire/pg_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
#include "pgwire/tls.h"
#include "pgwire/wire.h"

namespace lakehouse::pgwire {
namespace {

constexpr int kStartupTimeoutS = 10;
constexpr int kSendTimeoutS = 30;

using Deadline = std::chrono::steady_clock::time_point;

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

int32_t BigEndian32(const char* bytes) {
  auto b = reinterpret_cast<const unsigned char*>(bytes);
  return static_cast<int32_t>((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) |
                              (uint32_t{b[2]} << 8) | uint32_t{b[3]});
}

// Exactly `size` bytes, or false: closed, failed, or past the deadline.
bool ReadFull(Channel& channel, char* buffer, size_t size, Deadline deadline) {
  while (size > 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    long n = channel.Read(buffer, size);
    if (n <= 0) return false;
    buffer += n;
    size -= static_cast<size_t>(n);
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
         std::unique_ptr<CatalogAnswerer> catalog, std::unique_ptr<TlsContext> tls)
      : options_(options), engine_(engine), catalog_(std::move(catalog)), tls_(std::move(tls)) {}
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
  std::unique_ptr<Channel> Open(int fd, Deadline deadline, std::string* opening);
  void RefusePlainText(Channel& plain, int32_t length, Deadline deadline);
  void Converse(int32_t id, int fd, Channel& channel, bool loopback, Deadline deadline,
                std::string_view opening);
  SessionOptions SessionOptionsFor(int32_t id, bool loopback, bool tls);
  void CancelQuery(int32_t id, int32_t secret_key);
  void JoinFinished();  // REQUIRES: mu_ held

  const PgServerOptions options_;
  query::QueryEngine& engine_;
  const std::unique_ptr<CatalogAnswerer> catalog_;  // null without a catalog
  const std::unique_ptr<TlsContext> tls_;           // null: no TLS
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
    // As PostgreSQL does: answers are whole messages written at once, so
    // Nagle's wait for an ACK only delays a short answer after a long one.
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
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
  // The whole sign-in is bounded, TLS handshake included, not only each
  // read: a client trickling a byte at a time must not hold its thread.
  const Deadline deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(kStartupTimeoutS);
  std::string opening;
  if (std::unique_ptr<Channel> channel = Open(fd, deadline, &opening)) {
    Converse(id, fd, *channel, loopback, deadline, opening);
  }
  shutdown(fd, SHUT_RDWR);
  close(fd);
  std::lock_guard lock(mu_);
  auto found = connections_.find(id);
  finished_.push_back(std::move(found->second.thread));
  connections_.erase(found);
  drained_.notify_all();
}

// Answers what a client may ask before its startup packet (SSLRequest,
// GSSENCRequest) and returns the channel its session goes on over, with the
// bytes of its next packet already read in `opening`; null to drop it.
// Packets are read whole and no further, so nothing a client sends after an
// SSLRequest can be taken as plain text once TLS begins.
std::unique_ptr<Channel> Server::Open(int fd, Deadline deadline, std::string* opening) {
  std::unique_ptr<Channel> plain = PlainChannel(fd);
  char head[8];
  while (true) {
    if (!ReadFull(*plain, head, 4, deadline)) return nullptr;
    const int32_t length = BigEndian32(head);
    // A length no startup packet has is the session's to refuse (08P01, 54000).
    if (length < 8 || static_cast<size_t>(length) > kMaxStartupBytes) break;
    if (!ReadFull(*plain, head + 4, 4, deadline)) return nullptr;
    const int32_t code = BigEndian32(head + 4);
    if (length != 8 || (code != kSslRequest && code != kGssEncRequest)) {
      if (options_.tls_required && code != kCancelRequest) {
        RefusePlainText(*plain, length, deadline);
        return nullptr;
      }
      opening->assign(head, 8);
      return plain;
    }
    if (code == kGssEncRequest || tls_ == nullptr) {
      if (!plain->Write("N")) return nullptr;
      continue;
    }
    if (!plain->Write("S")) return nullptr;
    auto tls = tls_->Accept(fd, deadline);
    if (!tls.ok()) {
      spdlog::debug("pgwire: a client dropped: {}", tls.status().message());
      return nullptr;
    }
    return std::move(*tls);
  }
  if (options_.tls_required) return nullptr;
  opening->assign(head, 4);
  return plain;
}

// The rest of the startup packet is read first, so that closing does not
// reset the connection under the answer.
void Server::RefusePlainText(Channel& plain, int32_t length, Deadline deadline) {
  std::string rest(static_cast<size_t>(length) - 8, '\0');
  if (!ReadFull(plain, rest.data(), rest.size(), deadline)) return;
  plain.Write(FatalMessage(
      "28000", "TLS is required ([pgwire] tls_required): connect with sslmode=require"));
}

// Runs the session over `channel` (on socket `fd`) until either side ends it.
void Server::Converse(int32_t id, int fd, Channel& channel, bool loopback, Deadline deadline,
                      std::string_view opening) {
  SessionOptions options = SessionOptionsFor(id, loopback, channel.tls());
  Session session(engine_, options,
                  [&channel](std::string_view bytes) { return channel.Write(bytes); });
  {
    std::lock_guard lock(mu_);
    connections_[id].session = &session;
    connections_[id].secret_key = options.secret_key;
  }
  bool timeout_lifted = false;
  char buffer[16384];
  bool open = session.Receive(opening);
  while (open) {
    long n = channel.Read(buffer, sizeof buffer);
    if (n <= 0) break;  // closed, failed, or the startup took too long
    if (!session.Receive(std::string_view(buffer, static_cast<size_t>(n)))) break;
    if (!session.signed_in() && std::chrono::steady_clock::now() > deadline) break;
    if (!timeout_lifted && session.signed_in()) {
      SetTimeout(fd, SO_RCVTIMEO, 0);  // a signed-in client may idle
      timeout_lifted = true;
    }
  }
  std::lock_guard lock(mu_);
  connections_[id].session = nullptr;
}

SessionOptions Server::SessionOptionsFor(int32_t id, bool loopback, bool tls) {
  SessionOptions options;
  options.max_message_bytes = options_.max_message_bytes;
  options.loopback = loopback;
  options.tls = tls;
  options.check_password = options_.check_password;
  options.scram = options_.scram;
  options.process_id = id;
  auto secret = RandomBytes(4);
  if (secret.ok()) std::memcpy(&options.secret_key, secret->data(), 4);
  options.cancel = [this](int32_t process_id, int32_t key) { CancelQuery(process_id, key); };
  options.time_zone = options_.time_zone;
  options.stats = &stats_;
  options.catalog = catalog_.get();
  return options;
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
  std::unique_ptr<TlsContext> tls;
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    LH_ASSIGN_OR_RETURN(tls, TlsContext::Load(options.tls_cert, options.tls_key));
  } else if (options.tls_required) {
    return Status::InvalidArgument("[pgwire] tls_required needs tls_cert and tls_key");
  }
  auto server = std::make_unique<Server>(options, engine, std::move(catalog), std::move(tls));
  LH_RETURN_IF_ERROR(server->Bind());
  server->StartAccepting();
  const char* tls_note = "";
  if (!options.tls_cert.empty())
    tls_note = options.tls_required ? " (TLS required)" : " (TLS offered)";
  spdlog::info("pgwire: PostgreSQL clients on {}:{}{}", options.listen.host, server->port(),
               tls_note);
  return std::unique_ptr<PgServer>(std::move(server));
}

}  // namespace lakehouse::pgwire
