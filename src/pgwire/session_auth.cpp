// SCRAM-SHA-256 sign-in (RFC 5802, RFC 7677) against the verifiers of the API tokens.
#include <openssl/crypto.h>

#include "common/base64.h"
#include "common/sha256.h"
#include "pgwire/session_impl.h"

namespace lakehouse::pgwire {
namespace {

constexpr int32_t kAuthSaslContinue = 11;
constexpr int32_t kAuthSaslFinal = 12;

// The value of `key=` among a SCRAM message's comma-separated attributes.
std::string Attribute(std::string_view message, char key) {
  size_t at = 0;
  while (at < message.size()) {
    size_t end = message.find(',', at);
    if (end == std::string_view::npos) end = message.size();
    std::string_view part = message.substr(at, end - at);
    if (part.size() >= 2 && part[0] == key && part[1] == '=') return std::string(part.substr(2));
    at = end + 1;
  }
  return "";
}

// The verifier whose key the proof was made with, if any.
const ScramVerifier* Match(const std::vector<ScramVerifier>& verifiers,
                           const std::string& auth_message, const std::string& proof) {
  for (const auto& verifier : verifiers) {
    auto signature = HmacSha256(verifier.stored_key, auth_message);
    if (!signature.ok() || signature->size() != proof.size()) continue;
    std::string client_key(proof.size(), '\0');
    for (size_t i = 0; i < proof.size(); ++i) client_key[i] = proof[i] ^ (*signature)[i];
    auto stored = Sha256(client_key);
    if (stored.ok() && verifier.stored_key.size() == stored->size() &&
        CRYPTO_memcmp(stored->data(), verifier.stored_key.data(), stored->size()) == 0) {
      return &verifier;
    }
  }
  return nullptr;
}

}  // namespace

bool Session::Impl::HandleSaslInitial(const Message& message) {
  if (message.type != 'p') return Fatal("08P01", "expected a SASLInitialResponse message");
  FieldReader fields(message.body);
  auto mechanism = fields.CString();
  auto length = fields.Int32();
  if (!mechanism.ok() || !length.ok() || *length < 0) {
    return Fatal("08P01", "malformed SASLInitialResponse message");
  }
  if (*mechanism != "SCRAM-SHA-256") {
    return Fatal("28000", "only SCRAM-SHA-256 is offered, not " + *mechanism);
  }
  auto data = fields.Bytes(static_cast<size_t>(*length));
  if (!data.ok()) return Fatal("08P01", "malformed SASLInitialResponse message");
  std::string_view first = *data;
  // gs2 header: "n,," (no channel binding) or "y,," (the client could, the
  // server does not offer it); "p=" asks for binding to TLS, which is not
  // offered (SCRAM-SHA-256-PLUS): over TLS a token is sent in cleartext.
  if (!(first.starts_with("n,") || first.starts_with("y,"))) {
    return Fatal("28000", "channel binding is not supported");
  }
  size_t second_comma = first.find(',', 2);
  if (second_comma == std::string_view::npos) return Fatal("08P01", "malformed SCRAM message");
  scram_gs2_header_ = std::string(first.substr(0, second_comma + 1));
  scram_client_first_bare_ = std::string(first.substr(second_comma + 1));
  std::string client_nonce = Attribute(scram_client_first_bare_, 'r');
  auto random = RandomBytes(18);
  if (client_nonce.empty() || !random.ok()) return Fatal("08P01", "malformed SCRAM message");
  scram_nonce_ = client_nonce + Base64Encode(*random);
  const ScramVerifier& any = options_.scram.front();
  scram_server_first_ =
      "r=" + scram_nonce_ + ",s=" + Base64Encode(any.salt) + ",i=" + std::to_string(any.iterations);
  MessageWriter(out_).Begin('R').Int32(kAuthSaslContinue).Bytes(scram_server_first_).End();
  phase_ = Phase::kSaslResponse;
  return true;
}

bool Session::Impl::HandleSaslResponse(const Message& message) {
  if (message.type != 'p') return Fatal("08P01", "expected a SASLResponse message");
  std::string_view final_message = message.body;
  size_t proof_at = final_message.rfind(",p=");
  if (proof_at == std::string_view::npos) return Fatal("08P01", "malformed SCRAM message");
  std::string without_proof(final_message.substr(0, proof_at));
  auto proof = Base64Decode(final_message.substr(proof_at + 3));
  if (Attribute(without_proof, 'c') != Base64Encode(scram_gs2_header_) ||
      Attribute(without_proof, 'r') != scram_nonce_ || !proof.ok()) {
    return Fatal("08P01", "malformed SCRAM message");
  }
  std::string auth_message =
      scram_client_first_bare_ + "," + scram_server_first_ + "," + without_proof;
  const ScramVerifier* verifier = Match(options_.scram, auth_message, *proof);
  if (verifier == nullptr) {
    if (options_.stats) ++options_.stats->auth_failures;
    return Fatal("28P01", "password authentication failed for user \"" + user_ +
                              "\": the password must be an API token");
  }
  auto server_signature = HmacSha256(verifier->server_key, auth_message);
  if (!server_signature.ok()) return Fatal("XX000", server_signature.status().message());
  MessageWriter(out_)
      .Begin('R')
      .Int32(kAuthSaslFinal)
      .Bytes("v=" + Base64Encode(*server_signature))
      .End();
  SignedIn();
  return true;
}

}  // namespace lakehouse::pgwire
