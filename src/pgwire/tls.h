// pgwire: one connection's byte stream, in plain text or TLS (OpenSSL, kept behind this header).
//
// Promises:
//  - TlsContext::Load reads the certificate chain and key once, at startup,
//    and fails naming the file that is missing, unreadable or not PEM, or
//    both files when the key does not belong to the certificate. Only TLS
//    1.2 and later are spoken.
//  - A handshake (TlsContext::Accept) ends by the deadline it is given,
//    however slowly the client sends, so that the sign-in bound holds.
//  - A Channel neither owns nor closes its socket: the caller does, after
//    the channel is destroyed. Timeouts set on the socket (SO_RCVTIMEO,
//    SO_SNDTIMEO) bound each Read and Write, in TLS as in plain text.
//  - OpenSSL writes with write(2), not send(MSG_NOSIGNAL): a write to a
//    client that has gone raises SIGPIPE, which the process must ignore
//    (main.cpp does) for Write to return false instead.
//
// Threading: a TlsContext is shared by every connection's thread. A
// Channel is used by one thread at a time; another thread may only
// shutdown() its socket, which makes a blocked Read or Write fail.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse::pgwire {

class Channel {
 public:
  virtual ~Channel() = default;
  // Up to `size` bytes into `buffer`: the count read, 0 once the client
  // has closed, negative on an error or when the socket's timeout passed.
  virtual long Read(char* buffer, size_t size) = 0;
  // All of `bytes`, or false (the connection is then unusable).
  virtual bool Write(std::string_view bytes) = 0;
  virtual bool tls() const = 0;
};

// The socket itself, unencrypted.
std::unique_ptr<Channel> PlainChannel(int fd);

class TlsContext {
 public:
  // As Status::FromErrno (kNotFound, kPermissionDenied, ...) when a file
  // cannot be opened; kInvalidArgument when it is not a PEM certificate
  // chain or key, or the key does not match the certificate.
  static Result<std::unique_ptr<TlsContext>> Load(const std::string& cert_file,
                                                  const std::string& key_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // The server's side of a handshake on `fd`, a connected blocking socket
  // whose client has just been told 'S'. kUnavailable when the client
  // does not complete it by `deadline` or sends something other than TLS;
  // the connection is then unusable.
  Result<std::unique_ptr<Channel>> Accept(int fd,
                                          std::chrono::steady_clock::time_point deadline) const;

 private:
  struct Handle;
  explicit TlsContext(std::unique_ptr<Handle> handle);
  std::unique_ptr<Handle> handle_;
};

}  // namespace lakehouse::pgwire
