// Transport failures in words: httplib errors mapped, failed connects diagnosed by one more try.
#include "cli/transport_error.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace lakehouse::cli {
namespace {

constexpr int kDiagnoseTimeoutMs = 2000;

// The errno of one non-blocking connect to `address`, waited on for at most
// kDiagnoseTimeoutMs; 0 when it connects.
int ConnectErrno(const addrinfo& address) {
  int fd = ::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    address.ai_protocol);
  if (fd < 0) return errno;
  int error = 0;
  if (::connect(fd, address.ai_addr, address.ai_addrlen) != 0) {
    error = errno;
    if (error == EINPROGRESS) {
      pollfd waiting{fd, POLLOUT, 0};
      int ready = ::poll(&waiting, 1, kDiagnoseTimeoutMs);
      socklen_t length = sizeof error;
      if (ready == 0) {
        error = ETIMEDOUT;
      } else if (ready < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
        error = errno;
      }
    }
  }
  ::close(fd);
  return error;
}

// Looks the host up and connects to each address it has until one works;
// the reason the last one failed.
std::string DiagnoseConnect(const HostPort& target) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(target.port);
  if (int rc = ::getaddrinfo(target.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    if (rc == EAI_NONAME || rc == EAI_NODATA) return "host " + target.host + " not found";
    return "cannot look up host " + target.host + " (" + ::gai_strerror(rc) + ")";
  }
  int error = 0;
  for (addrinfo* address = found; address != nullptr; address = address->ai_next) {
    error = ConnectErrno(*address);
    if (error == 0) break;
  }
  ::freeaddrinfo(found);
  // It answers now: the server came up, or went down, between the two tries.
  if (error == 0) return "the connection failed, though a second try connected";
  return ConnectErrnoText(error);
}

}  // namespace

std::optional<HostPort> ParseHostPort(const std::string& url) {
  std::string_view rest = url;
  HostPort out;
  out.port = 80;
  if (size_t scheme_end = rest.find("://"); scheme_end != rest.npos) {
    std::string_view scheme = rest.substr(0, scheme_end);
    if (scheme == "https") {
      out.port = 443;
    } else if (scheme != "http") {
      return std::nullopt;
    }
    rest.remove_prefix(scheme_end + 3);
  }
  rest = rest.substr(0, rest.find_first_of("/?#"));
  std::string_view port;
  if (rest.starts_with("[")) {
    size_t close = rest.find(']');
    if (close == rest.npos) return std::nullopt;
    out.host = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    if (!rest.empty()) port = rest.substr(1);
  } else {
    size_t colon = rest.find(':');
    out.host = std::string(rest.substr(0, colon));
    if (colon != rest.npos) port = rest.substr(colon + 1);
  }
  if (out.host.empty()) return std::nullopt;
  if (!port.empty()) {
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (ec != std::errc() || end != port.data() + port.size() || out.port <= 0 ||
        out.port > 65535) {
      return std::nullopt;
    }
  }
  return out;
}

std::string ConnectErrnoText(int error_number) {
  switch (error_number) {
    case ECONNREFUSED:
      return "connection refused";
    case ETIMEDOUT:
      return "timed out";
    case EHOSTUNREACH:
      return "no route to host";
    case ENETUNREACH:
      return "network unreachable";
    case ECONNRESET:
      return "connection reset";
    default:
      break;
  }
  std::string text = std::strerror(error_number);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

bool FailedToConnect(httplib::Error error) {
  return error == httplib::Error::Connection || error == httplib::Error::ConnectionTimeout ||
         error == httplib::Error::BindIPAddress;
}

std::string DescribeTransportError(httplib::Error error, const std::string& url) {
  using httplib::Error;
  switch (error) {
    case Error::Connection: {
      auto target = ParseHostPort(url);
      if (!target) return "not a URL the client can use (expected http://HOST:PORT)";
      return DiagnoseConnect(*target);
    }
    case Error::ConnectionTimeout:
      return "timed out while connecting";
    case Error::BindIPAddress:
      return "cannot bind the local address to connect from";
    case Error::Read:
      return "the connection closed or timed out before the whole answer came";
    case Error::Write:
      return "the connection closed while the request was being sent";
    case Error::Canceled:
      return "the request was stopped before it was sent whole";
    case Error::ExceedRedirectCount:
      return "too many redirects";
    case Error::SSLConnection:
      return "the TLS handshake failed";
    case Error::SSLLoadingCerts:
      return "cannot load the TLS certificates";
    case Error::SSLServerVerification:
      return "the server's TLS certificate did not verify";
    case Error::UnsupportedMultipartBoundaryChars:
      return "unsupported characters in a multipart boundary";
    case Error::Compression:
      return "cannot decompress the answer";
    case Error::Success:
    case Error::Unknown:
      break;
  }
  return "an unknown transport error";
}

}  // namespace lakehouse::cli
