// SigV4 signing: canonical request, string to sign, derived HMAC key, and the Authorization header.
#include "storage/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "common/hex.h"
#include "common/percent_encoding.h"
#include "common/sha256.h"

namespace lakehouse::storage::sigv4 {
namespace {

// A failed HMAC would otherwise sign with garbage and show only as a 403.
Result<std::string> Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
           &len) == nullptr) {
    return Status::Internal("OpenSSL HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims the value and collapses runs of spaces, as the canonical form asks.
std::string CanonicalHeaderValue(std::string_view value) {
  size_t begin = value.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  size_t end = value.find_last_not_of(" \t");
  std::string out;
  bool in_space = false;
  for (char c : value.substr(begin, end - begin + 1)) {
    if (c == ' ' || c == '\t') {
      if (!in_space) out.push_back(' ');
      in_space = true;
    } else {
      out.push_back(c);
      in_space = false;
    }
  }
  return out;
}

}  // namespace

std::string AmzDateNow() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &utc);
  return buffer;
}

Result<Signature> Sign(const Request& request, const Credentials& credentials,
                       std::string_view region, std::string_view service,
                       std::string_view amz_date) {
  std::vector<std::pair<std::string, std::string>> query;
  query.reserve(request.query.size());
  for (const auto& [name, value] : request.query) {
    query.emplace_back(PercentEncode(name), PercentEncode(value));
  }
  std::sort(query.begin(), query.end());
  std::string canonical_query;
  for (const auto& [name, value] : query) {
    if (!canonical_query.empty()) canonical_query += '&';
    canonical_query += name + "=" + value;
  }

  // Repeated headers are one line with their values joined by commas, in the
  // order they were given.
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : request.headers) {
    std::string& line = headers[Lower(name)];
    if (!line.empty()) line += ',';
    line += CanonicalHeaderValue(value);
  }
  std::string canonical_headers;
  std::string signed_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += name;
  }

  Signature out;
  out.signed_headers = signed_headers;
  out.canonical_request = request.method + "\n" + request.canonical_uri + "\n" + canonical_query +
                          "\n" + canonical_headers + "\n" + signed_headers + "\n" +
                          request.payload_sha256;
  std::string_view date = amz_date.substr(0, 8);
  std::string scope =
      std::string(date) + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
  LH_ASSIGN_OR_RETURN(std::string request_hash, Sha256Hex(out.canonical_request));
  out.string_to_sign =
      "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + scope + "\n" + request_hash;
  LH_ASSIGN_OR_RETURN(std::string key, Hmac("AWS4" + credentials.secret_access_key, date));
  LH_ASSIGN_OR_RETURN(key, Hmac(key, region));
  LH_ASSIGN_OR_RETURN(key, Hmac(key, service));
  LH_ASSIGN_OR_RETURN(key, Hmac(key, "aws4_request"));
  LH_ASSIGN_OR_RETURN(std::string signature, Hmac(key, out.string_to_sign));
  out.signature = HexEncode(signature);
  out.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
                      ", SignedHeaders=" + signed_headers + ", Signature=" + out.signature;
  return out;
}

}  // namespace lakehouse::storage::sigv4
