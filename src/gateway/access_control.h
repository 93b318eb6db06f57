// Who may do what: optional API tokens, each with a scope (read < write <
// admin), presented as `Authorization: Bearer <token>` (or, for browsers,
// the `lakehouse_token` cookie).
//
// Promises:
//  - Without tokens every request is allowed; such a server must listen only
//    on loopback (CheckExposure), unless explicitly forced.
//  - With tokens, a request without a known token is kUnauthenticated (401)
//    and one whose token's scope is too low is kPermissionDenied (403).
//  - Tokens are kept and compared only as SHA-256 digests, in constant time;
//    a token file may hold the digests instead of the tokens.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.h"
#include "common/status.h"
#include "gateway/route_table.h"

namespace lakehouse::gateway {

class AccessControl {
 public:
  AccessControl() = default;  // no tokens: open (loopback only)

  // Lines of "<name> <scope> <token>" or "<name> <scope> sha256:<hex>";
  // blank lines and "#" comments are skipped. Errors name file and line.
  static Result<AccessControl> FromTokenFile(const std::string& path);
  static Result<AccessControl> FromText(std::string_view text, std::string_view source);

  bool enabled() const { return !tokens_.empty(); }
  size_t size() const { return tokens_.size(); }

  // `authorization` is the Authorization header, `cookie` the Cookie header
  // (either may be empty). On success sets `who` to the token's name.
  Status Authorize(std::string_view authorization, std::string_view cookie, Scope needed,
                   std::string* who) const;

 private:
  struct Token {
    std::string name;
    Scope scope;
    std::array<unsigned char, 32> digest;
  };
  std::vector<Token> tokens_;
};

// A listener on anything but loopback needs tokens, unless `force` says the
// operator knows (e.g. a trusted network behind a proxy that authenticates).
Status CheckExposure(const ListenAddress& listen, const AccessControl& access, bool force);

}  // namespace lakehouse::gateway
