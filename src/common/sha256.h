// SHA-256 (OpenSSL's EVP underneath), whole or in pieces: names cached files
// by their key, checks LHV1/LHD1 and deletion-vector bytes, hashes uploads.
#pragma once

#include <openssl/types.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse {

inline constexpr size_t kSha256Bytes = 32;
using Sha256Digest = std::array<unsigned char, kSha256Bytes>;

// A failure here means OpenSSL itself is unusable (no memory, no provider),
// which is kInternal rather than a wrong checksum.
Result<Sha256Digest> Sha256(std::string_view bytes);
// As 64 lower-case hex digits, the form manifests and file trailers hold.
Result<std::string> Sha256Hex(std::string_view bytes);

// For bytes that arrive in pieces. The first failure sticks: later calls
// return it, so a caller may check only Finish.
class Sha256Stream {
 public:
  Sha256Stream();
  Sha256Stream(Sha256Stream&&) noexcept = default;
  Sha256Stream& operator=(Sha256Stream&&) noexcept = default;
  ~Sha256Stream();

  Status Update(std::string_view bytes);
  // Ends the stream; a second call is an error.
  Result<Sha256Digest> Finish();
  Result<std::string> FinishHex();

 private:
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const;
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx_;
  Status error_;
};

}  // namespace lakehouse
