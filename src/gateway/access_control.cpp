#include "gateway/access_control.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <fstream>
#include <sstream>

namespace lakehouse::gateway {
namespace {

std::array<unsigned char, 32> Digest(std::string_view token) {
  std::array<unsigned char, 32> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest.data());
  return digest;
}

bool ParseHexDigest(std::string_view hex, std::array<unsigned char, 32>* out) {
  if (hex.size() != 64) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < 32; ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return true;
}

// The token in "Bearer <token>", or in the cookie "lakehouse_token=<token>".
std::string_view PresentedToken(std::string_view authorization, std::string_view cookie) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() && authorization.substr(0, kBearer.size()) == kBearer) {
    return authorization.substr(kBearer.size());
  }
  constexpr std::string_view kCookie = "lakehouse_token=";
  for (size_t at = 0; at < cookie.size();) {
    size_t end = cookie.find(';', at);
    std::string_view part =
        cookie.substr(at, end == std::string_view::npos ? cookie.npos : end - at);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.substr(0, kCookie.size()) == kCookie) return part.substr(kCookie.size());
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return {};
}

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.starts_with("127.");
}

}  // namespace

Result<AccessControl> AccessControl::FromTokenFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::FromErrno(errno, "cannot open token file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return FromText(text.str(), path);
}

Result<AccessControl> AccessControl::FromText(std::string_view text, std::string_view source) {
  AccessControl access;
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
      entry.digest = Digest(token);
    }
    access.tokens_.push_back(std::move(entry));
  }
  if (access.tokens_.empty()) {
    return Status::InvalidArgument(std::string(source) + ": no tokens in the token file");
  }
  return access;
}

Status AccessControl::Authorize(std::string_view authorization, std::string_view cookie,
                                Scope needed, std::string* who) const {
  if (!enabled() || needed == Scope::kPublic) return Status::Ok();
  std::string_view presented = PresentedToken(authorization, cookie);
  if (presented.empty()) {
    return Status::Unauthenticated("a token is required: send Authorization: Bearer <token>");
  }
  auto digest = Digest(presented);
  const Token* match = nullptr;
  // Compare against every token, so timing says nothing about which matched.
  for (const Token& token : tokens_) {
    if (CRYPTO_memcmp(token.digest.data(), digest.data(), digest.size()) == 0) match = &token;
  }
  if (match == nullptr) return Status::Unauthenticated("the token is not known");
  if (match->scope < needed) {
    return Status::PermissionDenied("token \"" + match->name + "\" has scope " +
                                    std::string(ScopeName(match->scope)) + "; this needs " +
                                    std::string(ScopeName(needed)));
  }
  if (who) *who = match->name;
  return Status::Ok();
}

Status CheckExposure(const ListenAddress& listen, const AccessControl& access, bool force) {
  if (IsLoopback(listen.host) || access.enabled() || force) return Status::Ok();
  return Status::PermissionDenied(
      "refusing to listen on " + listen.ToString() +
      " without API tokens: set [auth] token_file, listen on 127.0.0.1, or set [auth] "
      "allow_insecure_remote = true if something in front of it authenticates");
}

}  // namespace lakehouse::gateway
