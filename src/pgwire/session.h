// pgwire: one PostgreSQL client's session (protocol v3), fed the bytes it receives and
// producing the bytes it answers, with no socket of its own so tests drive it directly.
//
// Promises:
//  - Read-only SQL runs through query::QueryEngine, so a client of this
//    protocol meets the same fence, name resolution (`candidates`,
//    "candidates@3", "candidates@tag"), time and memory limits and error
//    messages as the HTTP API; failures are ErrorResponses with a SQLSTATE
//    (errors.h) and the session goes on.
//  - Session commands the fence would refuse (SET, RESET, SHOW, BEGIN,
//    COMMIT, ROLLBACK, DISCARD, DEALLOCATE, DECLARE/FETCH/CLOSE of cursors,
//    COPY (query) TO STDOUT) are answered here, never by DuckDB.
//  - Every message is bounded before it is buffered (wire.h): a startup
//    packet by kMaxStartupBytes, any other by max_message_bytes. A length
//    that cannot be, or one over its bound, is answered with an
//    ErrorResponse (08P01, or 54000 over the bound) and the session ends.
//  - Statements about PostgreSQL's catalog (pg_catalog, information_schema,
//    pg_* functions) go to SessionOptions::catalog when there is one.
//  - Rows stream: a result is sent chunk by chunk as the cursor yields it,
//    never held whole.
//  - TLS is the server's (pg_server.h), settled before a session sees a
//    byte; an SSLRequest (or GSSENCRequest) that reaches a session is
//    answered 'N' and the client goes on as it is or gives up.
//
// Threading: Receive is called from one thread at a time; Cancel from any.
// A Session must not outlive the engine.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/scram.h"
#include "common/status.h"
#include "query/query_engine.h"

namespace lakehouse::pgwire {

// Counters of a server's sessions, read by its metrics. Thread-safe.
struct SessionStats {
  std::atomic<uint64_t> queries{0};          // statements run on the engine
  std::atomic<uint64_t> query_errors{0};     // ErrorResponses sent for them
  std::atomic<uint64_t> protocol_errors{0};  // sessions ended for a bad message
  std::atomic<uint64_t> auth_failures{0};
};

class CatalogAnswerer;

struct SessionOptions {
  size_t max_message_bytes = 8u << 20;
  // The client connects from the loopback interface.
  bool loopback = true;
  // The connection is encrypted (TLS), so a password may cross it in
  // cleartext whatever the client's address.
  bool tls = false;
  // With API tokens the password must be one. `check_password` tells
  // whether a password (sent in cleartext, which is only asked for on
  // loopback or over TLS) is a token, returning its name; null: no tokens,
  // and every user is let in without a password.
  std::function<Result<std::string>(std::string_view password)> check_password;
  // Verifiers of the tokens, tried in turn against a SCRAM-SHA-256 proof:
  // how a client off loopback without TLS signs in. They must share one salt and
  // iteration count, which the server announces before it knows which
  // token the client holds. Empty: such clients are refused.
  std::vector<ScramVerifier> scram;
  // This session's key for CancelRequests (BackendKeyData).
  int32_t process_id = 0;
  int32_t secret_key = 0;
  // Called with the key a CancelRequest names; the server finds and cancels
  // that session's query.
  std::function<void(int32_t process_id, int32_t secret_key)> cancel;
  std::string time_zone = "UTC";  // reported as TimeZone
  SessionStats* stats = nullptr;  // optional; must outlive the session
  // Answers statements about PostgreSQL's catalog (catalog_answerer.h);
  // optional, must outlive the session. Null: they go to the engine, whose
  // fence refuses them.
  CatalogAnswerer* catalog = nullptr;
};

class Session {
 public:
  // `send` writes bytes to the client; false when it cannot, which ends the
  // session.
  Session(query::QueryEngine& engine, SessionOptions options,
          std::function<bool(std::string_view)> send);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Handles bytes the client sent, answering through `send`. Returns false
  // once the session has ended (Terminate, a CancelRequest, a fatal error,
  // or a failed send): the caller closes the connection.
  bool Receive(std::string_view bytes);
  // Interrupts the query the session is running, if any.
  void Cancel();
  // The client has signed in (until then a server bounds how long it waits).
  bool signed_in() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lakehouse::pgwire
