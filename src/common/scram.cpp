// Derives SCRAM-SHA-256 verifiers with OpenSSL's PBKDF2 and HMAC.
#include "common/scram.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "common/sha256.h"

namespace lakehouse {

Result<std::string> HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
           &length) == nullptr) {
    return Status::Internal("HMAC-SHA-256 failed");
  }
  return std::string(reinterpret_cast<const char*>(out), length);
}

Result<ScramVerifier> DeriveScramVerifier(std::string_view password, std::string salt,
                                          int iterations) {
  unsigned char salted[32];
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(), sizeof salted,
                        salted) != 1) {
    return Status::Internal("PBKDF2 failed");
  }
  std::string_view salted_password(reinterpret_cast<const char*>(salted), sizeof salted);
  ScramVerifier verifier;
  verifier.salt = std::move(salt);
  verifier.iterations = iterations;
  LH_ASSIGN_OR_RETURN(std::string client_key, HmacSha256(salted_password, "Client Key"));
  LH_ASSIGN_OR_RETURN(Sha256Digest stored, Sha256(client_key));
  verifier.stored_key.assign(reinterpret_cast<const char*>(stored.data()), stored.size());
  LH_ASSIGN_OR_RETURN(verifier.server_key, HmacSha256(salted_password, "Server Key"));
  return verifier;
}

Result<std::string> RandomBytes(size_t count) {
  std::string bytes(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    return Status::Internal("the CSPRNG failed");
  }
  return bytes;
}

}  // namespace lakehouse
