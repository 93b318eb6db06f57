// Private to the storage part: signed S3 requests sent through libcurl, retried with backoff.
//
// HTTP goes through libcurl (Debian's libcurl4-openssl-dev) rather than
// cpp-httplib, which the rest of the project uses for its own services: this
// client talks to stores on other machines, where curl's certificate checks
// (peer and host name, on by default, against the system CA bundle or
// `ca_file`), connect and stall timeouts, keep-alive across requests and
// `Expect: 100-continue` (a refused upload stops before its body is sent)
// are long-proven; httplib 0.11 would need each of these assembled by hand.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "storage/object_store.h"
#include "storage/s3_object_store.h"
#include "storage/sigv4.h"

namespace lakehouse::storage::s3 {

struct Request {
  std::string method = "GET";
  std::string path;                                          // percent-encoded, as sent and signed
  std::vector<std::pair<std::string, std::string>> query;    // decoded
  std::vector<std::pair<std::string, std::string>> headers;  // signed besides the x-amz ones
  std::string_view body;
  std::string key;  // for ObjectInfo and messages
  // Set by Send when an attempt failed in a way that may have taken effect
  // (network error or 5xx), so a 412 on a later attempt may be our own write.
  bool retried_after_ambiguous_failure = false;
};

struct Response {
  long status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;                            // unless streamed to a sink
};

// The object S3's response headers describe (HEAD, GET).
ObjectInfo InfoFromHeaders(const std::string& key,
                           const std::map<std::string, std::string>& headers);

// Waits before retry `attempt` (0 for the first): `initial_ms` doubled per
// attempt, capped at 5 s, with jitter.
void SleepBackoff(int attempt, int initial_ms);

class Transport {
 public:
  // `scheme` is "http" or "https", `authority` host[:port] as the Host header
  // carries it.
  Transport(S3Options options, std::string scheme, std::string authority);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Sets curl up once per process, before the first transport sends.
  static void GlobalInit();

  // One signed request with retries; `sink` (optional) takes a 2xx body.
  Result<Response> Send(Request& request, ObjectSink* sink = nullptr);

 private:
  // `retryable`: the failure was the network's, and nothing reached `sink`.
  Result<Response> SendOnce(Request& request, ObjectSink* sink, bool* delivered, bool* retryable);
  std::string Url(const Request& request) const;

  void* AcquireHandle();
  void ReleaseHandle(void* handle);

  S3Options options_;
  sigv4::Credentials credentials_;
  std::string scheme_;
  std::string authority_;
  std::mutex handles_mu_;
  std::vector<void*> handles_;  // idle CURL easy handles; each keeps its connections
};

}  // namespace lakehouse::storage::s3
