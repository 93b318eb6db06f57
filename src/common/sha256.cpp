// SHA-256 over OpenSSL's EVP interface, every return code turned into a Status.
#include "common/sha256.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include "common/hex.h"

namespace lakehouse {
namespace {

// OpenSSL queues the reason on its thread's error stack; taking it clears the
// stack so a later, unrelated failure does not report this one.
Status OpenSslFailure(std::string_view step) {
  std::string message = "OpenSSL SHA-256 " + std::string(step) + " failed";
  unsigned long code = ERR_get_error();
  if (code != 0) {
    char reason[256];
    ERR_error_string_n(code, reason, sizeof reason);
    message += ": ";
    message += reason;
  }
  ERR_clear_error();
  return Status::Internal(std::move(message));
}

}  // namespace

void Sha256Stream::Free::operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_) {
    error_ = OpenSslFailure("context allocation");
  } else if (EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) {
    error_ = OpenSslFailure("init");
  }
}

Sha256Stream::~Sha256Stream() = default;

Status Sha256Stream::Update(std::string_view bytes) {
  if (!error_.ok()) return error_;
  if (!ctx_) return Status::Internal("SHA-256 stream used after Finish");
  if (EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) != 1) {
    error_ = OpenSslFailure("update");
  }
  return error_;
}

Result<Sha256Digest> Sha256Stream::Finish() {
  if (!error_.ok()) return error_;
  if (!ctx_) return Status::Internal("SHA-256 stream finished twice");
  Sha256Digest digest{};
  unsigned int length = 0;
  const bool done = EVP_DigestFinal_ex(ctx_.get(), digest.data(), &length) == 1;
  ctx_.reset();
  if (!done) return error_ = OpenSslFailure("final");
  if (length != digest.size()) {
    return error_ = Status::Internal("OpenSSL SHA-256 gave " + std::to_string(length) + " bytes");
  }
  return digest;
}

Result<std::string> Sha256Stream::FinishHex() {
  LH_ASSIGN_OR_RETURN(Sha256Digest digest, Finish());
  return HexEncode(digest);
}

Result<Sha256Digest> Sha256(std::string_view bytes) {
  Sha256Stream stream;
  LH_RETURN_IF_ERROR(stream.Update(bytes));
  return stream.Finish();
}

Result<std::string> Sha256Hex(std::string_view bytes) {
  LH_ASSIGN_OR_RETURN(Sha256Digest digest, Sha256(bytes));
  return HexEncode(digest);
}

}  // namespace lakehouse
