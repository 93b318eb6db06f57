// Plain and TLS channels for pgwire connections, and the OpenSSL server context behind them.
#include "pgwire/tls.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>

namespace lakehouse::pgwire {
namespace {

// The reason OpenSSL gave last on this thread, for an error message.
std::string OpenSslReason() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// Opening the file first gives errno's reason ("No such file or
// directory"), which OpenSSL would report less plainly.
Status CheckReadable(const std::string& path, std::string_view setting) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return Status::FromErrno(errno, "[pgwire] " + std::string(setting) + " " + path);
  }
  std::fclose(file);
  return Status::Ok();
}

class PlainSocket final : public Channel {
 public:
  explicit PlainSocket(int fd) : fd_(fd) {}
  long Read(char* buffer, size_t size) override {
    while (true) {
      ssize_t n = recv(fd_, buffer, size, 0);
      if (n < 0 && errno == EINTR) continue;
      return n;
    }
  }
  bool Write(std::string_view bytes) override {
    while (!bytes.empty()) {
      ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  bool tls() const override { return false; }

 private:
  const int fd_;
};

class TlsSocket final : public Channel {
 public:
  explicit TlsSocket(SSL* ssl) : ssl_(ssl) {}
  ~TlsSocket() override {
    // A close_notify is sent only on a connection still sound: OpenSSL
    // forbids it after a fatal error.
    if (sound_) SSL_shutdown(ssl_);
    SSL_free(ssl_);
  }
  TlsSocket(const TlsSocket&) = delete;
  TlsSocket& operator=(const TlsSocket&) = delete;

  long Read(char* buffer, size_t size) override {
    ERR_clear_error();
    int n = SSL_read(ssl_, buffer, static_cast<int>(std::min<size_t>(size, INT_MAX)));
    if (n > 0) return n;
    if (SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN) return 0;
    sound_ = false;
    return -1;
  }
  bool Write(std::string_view bytes) override {
    while (!bytes.empty()) {
      ERR_clear_error();
      int n =
          SSL_write(ssl_, bytes.data(), static_cast<int>(std::min<size_t>(bytes.size(), INT_MAX)));
      if (n <= 0) {
        sound_ = false;
        return false;
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  bool tls() const override { return true; }

 private:
  SSL* const ssl_;
  bool sound_ = true;
};

bool SetBlocking(int fd, bool blocking) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) return false;
  flags = blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK);
  return fcntl(fd, F_SETFL, flags) == 0;
}

// Runs SSL_accept on a non-blocking socket, waiting with poll for what it
// needs, so that the deadline bounds the whole handshake and not each read.
Status Handshake(SSL* ssl, int fd, std::chrono::steady_clock::time_point deadline) {
  while (true) {
    ERR_clear_error();
    int rc = SSL_accept(ssl);
    if (rc == 1) return Status::Ok();
    int error = SSL_get_error(ssl, rc);
    short wanted = 0;
    if (error == SSL_ERROR_WANT_READ) wanted = POLLIN;
    if (error == SSL_ERROR_WANT_WRITE) wanted = POLLOUT;
    if (wanted == 0) return Status::Unavailable("TLS handshake failed: " + OpenSslReason());
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Status::Unavailable("TLS handshake took too long");
    pollfd p{fd, wanted, 0};
    int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) return Status::FromErrno(errno, "TLS handshake");
  }
}

}  // namespace

std::unique_ptr<Channel> PlainChannel(int fd) { return std::make_unique<PlainSocket>(fd); }

struct TlsContext::Handle {
  SSL_CTX* ctx = nullptr;
  ~Handle() { SSL_CTX_free(ctx); }
};

TlsContext::TlsContext(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
TlsContext::~TlsContext() = default;

Result<std::unique_ptr<TlsContext>> TlsContext::Load(const std::string& cert_file,
                                                     const std::string& key_file) {
  LH_RETURN_IF_ERROR(CheckReadable(cert_file, "tls_cert"));
  LH_RETURN_IF_ERROR(CheckReadable(key_file, "tls_key"));
  ERR_clear_error();
  auto handle = std::make_unique<Handle>();
  handle->ctx = SSL_CTX_new(TLS_server_method());
  if (handle->ctx == nullptr) return Status::Internal("pgwire TLS: " + OpenSslReason());
  SSL_CTX* ctx = handle->ctx;
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    return Status::Internal("pgwire TLS: " + OpenSslReason());
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return Status::InvalidArgument("[pgwire] tls_cert " + cert_file +
                                   " is not a PEM certificate chain: " + OpenSslReason());
  }
  // Loading the key already checks it against the certificate, failing
  // with "key values mismatch"; the check after it covers what that misses.
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1 &&
      ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH) {
    return Status::InvalidArgument("[pgwire] tls_key " + key_file +
                                   " is not a PEM private key: " + OpenSslReason());
  }
  if (ERR_peek_last_error() != 0 || SSL_CTX_check_private_key(ctx) != 1) {
    return Status::InvalidArgument("[pgwire] tls_key " + key_file +
                                   " does not match the certificate in tls_cert " + cert_file +
                                   ": " + OpenSslReason());
  }
  return std::unique_ptr<TlsContext>(new TlsContext(std::move(handle)));
}

Result<std::unique_ptr<Channel>> TlsContext::Accept(
    int fd, std::chrono::steady_clock::time_point deadline) const {
  ERR_clear_error();
  SSL* ssl = SSL_new(handle_->ctx);
  if (ssl == nullptr) return Status::Internal("pgwire TLS: " + OpenSslReason());
  if (SSL_set_fd(ssl, fd) != 1 || !SetBlocking(fd, false)) {
    SSL_free(ssl);
    return Status::Internal("pgwire TLS: cannot attach the connection");
  }
  Status status = Handshake(ssl, fd, deadline);
  if (!SetBlocking(fd, true) && status.ok()) status = Status::Internal("pgwire TLS: fcntl");
  if (!status.ok()) {
    SSL_free(ssl);
    return status;
  }
  return std::unique_ptr<Channel>(std::make_unique<TlsSocket>(ssl));
}

}  // namespace lakehouse::pgwire
