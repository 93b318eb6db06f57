// Why a request got no answer, in words a person can act on: httplib's error
// codes ("Connection") say too little, so a failed connect is diagnosed again
// here (name lookup, then one connect) to tell "host not found" from
// "connection refused" or "timed out".
#pragma once

#include <httplib.h>

#include <optional>
#include <string>

namespace lakehouse::cli {

struct HostPort {
  std::string host;  // a name or an address; IPv6 without its brackets
  int port = 0;
};

// The host and port a client URL names, as httplib reads it:
// [http[s]://]HOST[:PORT][/...], the port 80 (or 443 for https) by default,
// an IPv6 address in brackets. Nothing for another scheme or no host.
std::optional<HostPort> ParseHostPort(const std::string& url);

// The reason for an errno of a connect: "connection refused", "timed out",
// "no route to host", else strerror's text.
std::string ConnectErrnoText(int error_number);

// What went wrong, without the URL: for Error::Connection it looks the host
// up and connects once more (at most two seconds) to find the cause, e.g.
// "connection refused", "host nosuch.example not found"; for the other
// errors it is their meaning, e.g. "timed out while connecting".
std::string DescribeTransportError(httplib::Error error, const std::string& url);

// True for the errors where no connection was made, where the likely fix is
// starting a server or pointing the client at the right one.
bool FailedToConnect(httplib::Error error);

}  // namespace lakehouse::cli
