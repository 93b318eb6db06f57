// Who may do what: optional API tokens, each with a scope (read < write <
// admin), presented as `Authorization: Bearer <token>`, or, for browsers, a
// sign-in session: the `lakehouse_session` cookie holds a random session id
// that stands for the token's name and scope, never the token itself.
//
// Promises:
//  - Without tokens every request is allowed; such a server must listen only
//    on loopback (CheckExposure), unless explicitly forced.
//  - With tokens, a request without a known token is kUnauthenticated (401)
//    and one whose token's scope is too low is kPermissionDenied (403).
//  - Tokens are kept and compared only as SHA-256 digests, in constant time;
//    a token file may hold the digests instead of the tokens. For
//    PostgreSQL clients each token given in full also gets a SCRAM-SHA-256
//    verifier (common/scram.h), which is no more the token than its digest.
//  - A session lives in this process's memory only: it ends at sign-out,
//    after its lifetime (12 h) and when the process stops; an unknown,
//    forged or expired session id is kUnauthenticated.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.h"
#include "common/scram.h"
#include "common/status.h"
#include "gateway/route_table.h"

namespace lakehouse::gateway {

inline constexpr std::string_view kSessionCookie = "lakehouse_session";

// Whose token a request carries.
struct Identity {
  std::string name;
  Scope scope = Scope::kRead;
};

// Browser sessions: random ids, each standing for one identity until it is
// ended or expires. Ids come from OpenSSL's CSPRNG (32 bytes, hex); only
// their SHA-256 digests are kept. Thread-safe.
class SessionTable {
 public:
  static constexpr int64_t kDefaultLifetimeMs = 12ll * 60 * 60 * 1000;
  // Milliseconds on a clock that never goes back; tests pass their own.
  using Clock = std::function<int64_t()>;

  explicit SessionTable(int64_t lifetime_ms = kDefaultLifetimeMs, Clock now = nullptr,
                        size_t max_sessions = 100000);
  SessionTable(const SessionTable&) = delete;
  SessionTable& operator=(const SessionTable&) = delete;

  // A new session for `who`; kInternal if the CSPRNG fails. Past
  // `max_sessions` the oldest session is ended to make room.
  Result<std::string> Start(Identity who);
  // The identity of a live session; nullopt for an unknown or expired id.
  std::optional<Identity> Find(std::string_view id);
  void End(std::string_view id);
  size_t size() const;

 private:
  struct Entry {
    Identity who;
    int64_t expires_ms;
  };
  const int64_t lifetime_ms_;
  const Clock now_;
  const size_t max_sessions_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> sessions_;  // by the hex SHA-256 of the id
};

class AccessControl {
 public:
  AccessControl() = default;  // no tokens: open (loopback only)

  // Lines of "<name> <scope> <token>" or "<name> <scope> sha256:<hex>";
  // blank lines and "#" comments are skipped. Errors name file and line.
  static Result<AccessControl> FromTokenFile(const std::string& path);
  static Result<AccessControl> FromText(std::string_view text, std::string_view source);

  bool enabled() const { return !tokens_.empty(); }

  // The SCRAM-SHA-256 verifiers of the tokens given in full (not of those
  // given as digests), all with one salt and kScramIterations.
  static constexpr int kScramIterations = 4096;
  const std::vector<ScramVerifier>& scram_verifiers() const { return scram_verifiers_; }
  size_t size() const { return tokens_.size(); }

  // `authorization` is the Authorization header, `cookie` the Cookie header
  // (either may be empty); a bearer token wins over a session cookie. On
  // success sets `who` to the token's name.
  Status Authorize(std::string_view authorization, std::string_view cookie, Scope needed,
                   std::string* who) const;

  // The identity of a token: kUnauthenticated if unknown, kPermissionDenied
  // if its scope is below `needed`.
  Result<Identity> Identify(std::string_view token, Scope needed) const;

  // Signs a browser in: checks the token as Identify does and returns the id
  // of a new session for it (the value of the kSessionCookie cookie).
  Result<std::string> SignIn(std::string_view token, Scope needed) const;
  // Ends the session named by the Cookie header, if any.
  void SignOut(std::string_view cookie) const;

  // The sessions of this server; tests replace them to control the clock.
  void set_sessions(std::shared_ptr<SessionTable> sessions) { sessions_ = std::move(sessions); }
  SessionTable& sessions() const { return *sessions_; }

 private:
  Status Check(const Identity& who, Scope needed) const;

  struct Token {
    std::string name;
    Scope scope;
    std::array<unsigned char, 32> digest;
  };
  std::vector<Token> tokens_;
  std::vector<ScramVerifier> scram_verifiers_;
  // Shared by copies of this AccessControl: they are one server's sessions.
  std::shared_ptr<SessionTable> sessions_ = std::make_shared<SessionTable>();
};

// A listener on anything but loopback needs tokens, unless `force` says the
// operator knows (e.g. a trusted network behind a proxy that authenticates).
Status CheckExposure(const ListenAddress& listen, const AccessControl& access, bool force);

}  // namespace lakehouse::gateway
