// AWS Signature Version 4 for requests signed in the Authorization header
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html).
//
// Kept apart from the S3 client so the arithmetic can be checked against
// AWS's published test vectors without a network (tests/unit/sigv4_test.cpp).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace lakehouse::storage::sigv4 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only; signed as x-amz-security-token
};

struct Request {
  std::string method;
  // The path exactly as sent, already percent-encoded. S3 signs it as is;
  // other services normalise and encode it again, which callers of those
  // do themselves.
  std::string canonical_uri;
  // Decoded names and values; they are encoded and sorted here.
  std::vector<std::pair<std::string, std::string>> query;
  // Every header to sign, names in any case. Host must be among them.
  std::vector<std::pair<std::string, std::string>> headers;
  // Lowercase hex SHA-256 of the body, or "UNSIGNED-PAYLOAD".
  std::string payload_sha256;
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;x-amz-date"
  std::string signature;       // lowercase hex
  std::string authorization;   // the Authorization header's value
};

// `amz_date` is the request's time as YYYYMMDDTHHMMSSZ (the x-amz-date value,
// which the caller also puts among the headers). Fails only when OpenSSL does.
// Paths and query values are encoded with common/percent_encoding.h, whose
// rules are the ones SigV4 signs.
Result<Signature> Sign(const Request& request, const Credentials& credentials,
                       std::string_view region, std::string_view service,
                       std::string_view amz_date);

// The current time as YYYYMMDDTHHMMSSZ.
std::string AmzDateNow();

}  // namespace lakehouse::storage::sigv4
