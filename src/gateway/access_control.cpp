// Token files read as SHA-256 digests, constant-time token checks, and in-memory sign-in sessions.
#include "gateway/access_control.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "common/hex.h"
#include "common/scram.h"
#include "common/sha256.h"

namespace lakehouse::gateway {
namespace {

bool ParseHexDigest(std::string_view hex, Sha256Digest* out) {
  if (hex.size() != 2 * out->size()) return false;
  for (size_t i = 0; i < out->size(); ++i) {
    int hi = HexDigitValue(hex[2 * i]), lo = HexDigitValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return true;
}

// The token in "Bearer <token>"; empty if there is none.
std::string_view BearerToken(std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() && authorization.substr(0, kBearer.size()) == kBearer) {
    return authorization.substr(kBearer.size());
  }
  return {};
}

// The value of the cookie `name` in a Cookie header; empty if absent.
std::string_view CookieValue(std::string_view cookie, std::string_view name) {
  for (size_t at = 0; at < cookie.size();) {
    size_t end = cookie.find(';', at);
    std::string_view part =
        cookie.substr(at, end == std::string_view::npos ? cookie.npos : end - at);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '=') {
      return part.substr(name.size() + 1);
    }
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return {};
}

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.starts_with("127.");
}

}  // namespace

SessionTable::SessionTable(int64_t lifetime_ms, Clock now, size_t max_sessions)
    : lifetime_ms_(lifetime_ms),
      now_(now ? std::move(now) : SteadyMs),
      max_sessions_(max_sessions) {}

Result<std::string> SessionTable::Start(Identity who) {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return Status::Internal("the random number generator failed; no session was started");
  }
  std::string id = HexEncode(bytes);
  LH_ASSIGN_OR_RETURN(std::string key, Sha256Hex(id));
  const int64_t now = now_();
  std::lock_guard lock(mu_);
  std::erase_if(sessions_, [now](const auto& entry) { return entry.second.expires_ms <= now; });
  while (!sessions_.empty() && sessions_.size() >= max_sessions_) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.expires_ms < oldest->second.expires_ms) oldest = it;
    }
    sessions_.erase(oldest);
  }
  sessions_[std::move(key)] = {std::move(who), now + lifetime_ms_};
  return id;
}

std::optional<Identity> SessionTable::Find(std::string_view id) {
  if (id.empty()) return std::nullopt;
  // A session whose key cannot be hashed is treated as unknown: refusing is
  // the safe side.
  auto key = Sha256Hex(id);
  if (!key.ok()) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = sessions_.find(*key);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires_ms <= now_()) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second.who;
}

void SessionTable::End(std::string_view id) {
  if (id.empty()) return;
  // Without a hash there is no key to erase; the session then ends by expiry.
  auto key = Sha256Hex(id);
  if (!key.ok()) return;
  std::lock_guard lock(mu_);
  sessions_.erase(*key);
}

size_t SessionTable::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

Result<AccessControl> AccessControl::FromTokenFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::FromErrno(errno, "cannot open token file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return FromText(text.str(), path);
}

Result<AccessControl> AccessControl::FromText(std::string_view text, std::string_view source) {
  AccessControl access;
  // One salt for every token's verifier: a PostgreSQL client is sent the
  // salt before it says which token it holds.
  LH_ASSIGN_OR_RETURN(std::string scram_salt, RandomBytes(16));
  std::istringstream lines{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    const std::string where = std::string(source) + ":" + std::to_string(number) + ": ";
    std::istringstream fields(line);
    std::string name, scope, token, extra;
    if (!(fields >> name) || name.starts_with("#")) continue;
    if (!(fields >> scope >> token) || (fields >> extra && !extra.starts_with("#"))) {
      return Status::InvalidArgument(where + "expected \"<name> <read|write|admin> <token>\"");
    }
    Token entry{name, Scope::kRead, {}};
    if (scope == "read") {
      entry.scope = Scope::kRead;
    } else if (scope == "write") {
      entry.scope = Scope::kWrite;
    } else if (scope == "admin") {
      entry.scope = Scope::kAdmin;
    } else {
      return Status::InvalidArgument(where + "scope must be read, write or admin, got \"" + scope +
                                     "\"");
    }
    if (token.starts_with("sha256:")) {
      if (!ParseHexDigest(std::string_view(token).substr(7), &entry.digest)) {
        return Status::InvalidArgument(where + "sha256: needs 64 hex digits");
      }
    } else {
      if (token.size() < 16) {
        return Status::InvalidArgument(where + "a token must be at least 16 characters");
      }
      LH_ASSIGN_OR_RETURN(entry.digest, Sha256(token));
      LH_ASSIGN_OR_RETURN(auto verifier, DeriveScramVerifier(token, scram_salt, kScramIterations));
      access.scram_verifiers_.push_back(std::move(verifier));
    }
    access.tokens_.push_back(std::move(entry));
  }
  if (access.tokens_.empty()) {
    return Status::InvalidArgument(std::string(source) + ": no tokens in the token file");
  }
  return access;
}

Status AccessControl::Check(const Identity& who, Scope needed) const {
  if (who.scope >= needed) return Status::Ok();
  return Status::PermissionDenied("token \"" + who.name + "\" has scope " +
                                  std::string(ScopeName(who.scope)) + "; this needs " +
                                  std::string(ScopeName(needed)));
}

Result<Identity> AccessControl::Identify(std::string_view token, Scope needed) const {
  if (token.empty()) {
    return Status::Unauthenticated("a token is required: send Authorization: Bearer <token>");
  }
  LH_ASSIGN_OR_RETURN(Sha256Digest digest, Sha256(token));
  const Token* match = nullptr;
  // Compare against every token, so timing says nothing about which matched.
  for (const Token& known : tokens_) {
    if (CRYPTO_memcmp(known.digest.data(), digest.data(), digest.size()) == 0) match = &known;
  }
  if (match == nullptr) return Status::Unauthenticated("the token is not known");
  Identity who{match->name, match->scope};
  LH_RETURN_IF_ERROR(Check(who, needed));
  return who;
}

Status AccessControl::Authorize(std::string_view authorization, std::string_view cookie,
                                Scope needed, std::string* who) const {
  if (!enabled() || needed == Scope::kPublic) return Status::Ok();
  Identity identity;
  if (std::string_view token = BearerToken(authorization); !token.empty()) {
    LH_ASSIGN_OR_RETURN(identity, Identify(token, needed));
  } else if (std::string_view session = CookieValue(cookie, kSessionCookie); !session.empty()) {
    auto found = sessions_->Find(session);
    if (!found) {
      return Status::Unauthenticated("the session has ended or is not known: sign in again");
    }
    identity = std::move(*found);
    LH_RETURN_IF_ERROR(Check(identity, needed));
  } else {
    return Status::Unauthenticated("a token is required: send Authorization: Bearer <token>");
  }
  if (who) *who = identity.name;
  return Status::Ok();
}

Result<std::string> AccessControl::SignIn(std::string_view token, Scope needed) const {
  LH_ASSIGN_OR_RETURN(Identity who, Identify(token, needed));
  return sessions_->Start(std::move(who));
}

void AccessControl::SignOut(std::string_view cookie) const {
  sessions_->End(CookieValue(cookie, kSessionCookie));
}

Status CheckExposure(const ListenAddress& listen, const AccessControl& access, bool force) {
  if (IsLoopback(listen.host) || access.enabled() || force) return Status::Ok();
  return Status::PermissionDenied(
      "refusing to listen on " + listen.ToString() +
      " without API tokens: set [auth] token_file, listen on 127.0.0.1, or set [auth] "
      "allow_insecure_remote = true if something in front of it authenticates");
}

}  // namespace lakehouse::gateway
