// ConnectionStream: deadlines, body rate and framing on one client socket.
#include "server/connection_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace lakehouse::server {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kPollSlice{100};
constexpr size_t kFillBytes = 16 << 10;

void AddressOf(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    port = ntohs(in6->sin6_port);
  }
  ip = text;
}

}  // namespace

ConnectionStream::ConnectionStream(int fd, const ConnectionLimits& limits,
                                   std::function<bool()> stopping)
    : fd_(fd), limits_(limits), stopping_(std::move(stopping)) {}

ConnectionStream::Wait ConnectionStream::WaitReadable(milliseconds limit) const {
  const auto deadline = Clock::now() + limit;
  while (true) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return Wait::kTimeout;
    pollfd p{fd_, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(std::min(left, kPollSlice).count()));
    if (ready > 0) return Wait::kReady;  // data, or a hang-up that recv reports
    if (ready < 0 && errno != EINTR) return Wait::kReady;
    if (stopping_ && stopping_()) return Wait::kStopped;
  }
}

ssize_t ConnectionStream::Fill() {
  const size_t old = buffer_.size();
  buffer_.resize(old + kFillBytes);
  ssize_t n;
  do {
    n = recv(fd_, buffer_.data() + old, kFillBytes, 0);
  } while (n < 0 && errno == EINTR);
  buffer_.resize(old + static_cast<size_t>(std::max<ssize_t>(n, 0)));
  return n;
}

ConnectionStream::HeadResult ConnectionStream::ReadHead(bool first) {
  buffer_.erase(0, pos_);
  pos_ = 0;
  head_bytes_ = 0;
  head_remaining_ = 0;
  framing_ = {};
  refusal_.clear();
  refusal_status_ = 0;
  if (buffer_.empty()) {
    if (WaitReadable(first ? limits_.head_timeout : limits_.idle_timeout) != Wait::kReady) {
      return HeadResult::kIdle;
    }
    if (Fill() <= 0) return HeadResult::kIdle;
  }
  const auto deadline = Clock::now() + limits_.head_timeout;
  size_t searched = 0;
  while (true) {
    const size_t end = buffer_.find("\r\n\r\n", searched);
    if (end != std::string::npos) {
      head_bytes_ = end + 4;
      return head_bytes_ > limits_.max_head_bytes ? HeadResult::kTooLarge : HeadResult::kReady;
    }
    if (buffer_.size() > limits_.max_head_bytes) return HeadResult::kTooLarge;
    searched = buffer_.size() < 3 ? 0 : buffer_.size() - 3;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return HeadResult::kTimeout;
    const Wait wait = WaitReadable(left);
    if (wait == Wait::kTimeout) return HeadResult::kTimeout;
    if (wait == Wait::kStopped || Fill() <= 0) return HeadResult::kIdle;
  }
}

void ConnectionStream::BeginRequest(const BodyFraming& framing) {
  framing_ = framing;
  head_remaining_ = head_bytes_;
  chunked_ = ChunkedBodyValidator();
  body_bytes_ = 0;
  body_wait_ = milliseconds{0};
}

bool ConnectionStream::BodyComplete() const {
  switch (framing_.kind) {
    case BodyFraming::Kind::kNone:
      return true;
    case BodyFraming::Kind::kLength:
      return body_bytes_ == framing_.length;
    case BodyFraming::Kind::kChunked:
      return chunked_.done();
  }
  return false;
}

ssize_t ConnectionStream::Refuse(int status, std::string why) {
  refusal_status_ = status;
  refusal_ = std::move(why);
  return -1;
}

bool ConnectionStream::BodyTooSlow() const {
  return body_wait_ > limits_.head_timeout &&
         body_bytes_ * 1000 <
             limits_.min_body_bytes_per_s * static_cast<uint64_t>(body_wait_.count());
}

bool ConnectionStream::AcceptBody(std::string_view bytes) {
  if (framing_.kind == BodyFraming::Kind::kChunked && !chunked_.Consume(bytes)) return false;
  body_bytes_ += bytes.size();
  return true;
}

bool ConnectionStream::is_readable() const {
  return pos_ < buffer_.size() || WaitReadable(limits_.read_timeout) == Wait::kReady;
}

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  if (!refusal_.empty()) return -1;
  if (head_remaining_ == 0 && BodyComplete()) return 0;
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
    const auto started = Clock::now();
    const Wait wait = WaitReadable(limits_.read_timeout);
    if (head_remaining_ == 0) {
      body_wait_ += std::chrono::duration_cast<milliseconds>(Clock::now() - started);
      if (wait == Wait::kTimeout) return Refuse(408, "the request body stalled");
      if (BodyTooSlow()) {
        return Refuse(408, "the request body arrives slower than " +
                               std::to_string(limits_.min_body_bytes_per_s) + " bytes/s");
      }
    }
    if (wait != Wait::kReady) return -1;
    const ssize_t n = Fill();
    if (n <= 0) return n;
  }
  size_t n = std::min(size, buffer_.size() - pos_);
  const size_t head_part = std::min(n, head_remaining_);
  // Never hand httplib bytes past this request's body: they are the next
  // request's, and httplib would read them as this one's.
  uint64_t body_left = 0;
  if (framing_.kind == BodyFraming::Kind::kLength) body_left = framing_.length - body_bytes_;
  if (framing_.kind == BodyFraming::Kind::kChunked && !chunked_.done()) body_left = UINT64_MAX;
  n = head_part + static_cast<size_t>(std::min<uint64_t>(n - head_part, body_left));
  if (n == 0) return 0;
  if (!AcceptBody(std::string_view(buffer_).substr(pos_ + head_part, n - head_part))) {
    return Refuse(400, "malformed chunked body: " + chunked_.error());
  }
  std::copy_n(buffer_.data() + pos_, n, ptr);
  pos_ += n;
  head_remaining_ -= head_part;
  return static_cast<ssize_t>(n);
}

bool ConnectionStream::is_writable() const {
  pollfd p{fd_, POLLOUT, 0};
  int ready;
  do {
    ready = poll(&p, 1, static_cast<int>(limits_.write_timeout.count()));
  } while (ready < 0 && errno == EINTR);
  return ready > 0 && (p.revents & (POLLERR | POLLHUP)) == 0;
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  if (!is_writable()) return -1;
  ssize_t n;
  do {
    n = send(fd_, ptr, size, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n;
}

bool ConnectionStream::WriteAll(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = write(bytes.data(), bytes.size());
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) AddressOf(addr, ip, port);
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) AddressOf(addr, ip, port);
}

}  // namespace lakehouse::server
