// SCRAM-SHA-256 (RFC 5802, RFC 7677) verifiers and the HMAC they are made of, for
// password sign-in over protocols that speak it (PostgreSQL's).
//
// A verifier is what a server keeps instead of a password: from it the
// server checks a client's proof and proves itself in turn, and nobody can
// sign in with it alone. Thread-safe: these are pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse {

struct ScramVerifier {
  std::string salt;  // raw bytes
  int iterations = 4096;
  std::string stored_key;  // SHA-256(HMAC(SaltedPassword, "Client Key")), 32 bytes
  std::string server_key;  // HMAC(SaltedPassword, "Server Key"), 32 bytes
};

// HMAC-SHA-256 of `data` under `key`: 32 bytes. kInternal if OpenSSL fails.
Result<std::string> HmacSha256(std::string_view key, std::string_view data);

// The verifier of `password` with `salt` and `iterations` (PBKDF2-HMAC-SHA-256).
Result<ScramVerifier> DeriveScramVerifier(std::string_view password, std::string salt,
                                          int iterations);

// `count` random bytes from OpenSSL's CSPRNG, for salts and nonces.
Result<std::string> RandomBytes(size_t count);

}  // namespace lakehouse
