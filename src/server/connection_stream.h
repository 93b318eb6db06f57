// One client connection as cpp-httplib's Stream, with the deadlines that
// httplib's own socket stream lacks: a whole request head must arrive within
// a deadline (not merely some byte every read_timeout), a body must keep up a
// minimum rate, and a chunked body must follow the grammar byte by byte.
//
// The stream owns a read buffer that outlives each request, so bytes read
// past one request (a pipelined next one) are kept for it.
//
// Not thread-safe: one connection is served by one thread. The socket is the
// caller's: the stream neither shuts it down nor closes it.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "server/request_framing.h"

namespace lakehouse::server {

struct ConnectionLimits {
  std::chrono::milliseconds read_timeout{30000};   // longest wait for any one read
  std::chrono::milliseconds write_timeout{30000};  // longest wait for any one write
  std::chrono::milliseconds idle_timeout{5000};    // keep-alive wait for a next request
  std::chrono::milliseconds head_timeout{10000};   // first byte to end of head
  uint64_t min_body_bytes_per_s = 1024;            // once the body has kept us waiting head_timeout
  size_t max_head_bytes = 64 << 10;
};

class ConnectionStream final : public httplib::Stream {
 public:
  // `stopping` is polled while waiting, so a server stop is not held up by a
  // silent client.
  ConnectionStream(int fd, const ConnectionLimits& limits, std::function<bool()> stopping);
  ConnectionStream(const ConnectionStream&) = delete;
  ConnectionStream& operator=(const ConnectionStream&) = delete;

  enum class HeadResult {
    kReady,     // head() holds a whole request head
    kIdle,      // no request began: the peer closed, went idle, or the server stops
    kTimeout,   // a head began but did not end within head_timeout
    kTooLarge,  // the head outgrew max_head_bytes
  };
  // Reads the next request's head. `first` is the connection's first
  // request, which gets head_timeout rather than idle_timeout to begin.
  HeadResult ReadHead(bool first);
  std::string_view head() const { return std::string_view(buffer_).substr(0, head_bytes_); }

  // Hands the request (head, then body) to httplib's reader, following its
  // body as `framing` says.
  void BeginRequest(const BodyFraming& framing);
  // Whether the whole body went by: when not, the rest would be read as the
  // next request, so the connection must close.
  bool BodyComplete() const;
  // Why a read failed, if the stream refused to go on ("" if it did not).
  const std::string& refusal() const { return refusal_; }
  int refusal_status() const { return refusal_status_; }

  // Writes `bytes` whole, within the write timeout. For answers the stream's
  // owner makes itself, outside httplib.
  bool WriteAll(std::string_view bytes);

  // httplib::Stream
  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

 private:
  enum class Wait { kReady, kTimeout, kStopped };
  // Waits until the socket is readable, at most `limit`, in short slices
  // so that `stopping_` is noticed.
  Wait WaitReadable(std::chrono::milliseconds limit) const;
  // Appends what the socket has to the buffer; <= 0 on close or error.
  ssize_t Fill();
  ssize_t Refuse(int status, std::string why);
  // Checks and counts the body bytes about to go to httplib.
  bool AcceptBody(std::string_view bytes);
  bool BodyTooSlow() const;

  int fd_;
  ConnectionLimits limits_;
  std::function<bool()> stopping_;
  std::string buffer_;
  size_t pos_ = 0;             // next byte of buffer_ for httplib
  size_t head_bytes_ = 0;      // of the current request, at the start of buffer_
  size_t head_remaining_ = 0;  // head bytes not yet handed to httplib
  BodyFraming framing_;
  ChunkedBodyValidator chunked_;
  uint64_t body_bytes_ = 0;
  std::chrono::milliseconds body_wait_{0};  // spent waiting for body bytes
  std::string refusal_;
  int refusal_status_ = 0;
};

}  // namespace lakehouse::server
