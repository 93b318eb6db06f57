// pgwire: a listener for PostgreSQL clients (protocol v3, read-only) in front of the query
// engine, in serve and queryd beside their HTTP listener.
//
// Promises:
//  - Each connection has a thread of its own, up to max_connections at
//    once; a connection beyond them is answered with a FATAL 53300 ("too
//    many clients") and closed, and the others are not disturbed.
//  - A client must finish its startup and sign-in within 10 s (in all, not
//    per read); once signed in it may stay idle. A client that does not read its results for 30 s
//    is dropped.
//  - TLS, when a certificate and key are given: an SSLRequest is answered
//    'S' and the session goes on over TLS (1.2 or later) after a handshake
//    within the sign-in bound; a client that fails it is dropped. Without
//    them, or to a GSSENCRequest, the answer is 'N'. A client that does not
//    ask for TLS goes on in plain text, unless tls_required: then its
//    startup packet is answered with FATAL 28000. A CancelRequest is
//    honoured in plain text either way, as PostgreSQL's clients send it so.
//  - Sign-in: with no check_password (no API tokens) any user is let in
//    without a password, which is only safe on loopback (the caller
//    refuses other listen addresses, as for HTTP). With tokens, a client
//    on loopback or over TLS sends a token as a cleartext password; any
//    other client signs in with SCRAM-SHA-256 against the tokens' verifiers.
//  - A CancelRequest carrying a session's key (BackendKeyData) interrupts
//    that session's running query, which fails with 57014.
//  - Stop (or destruction) stops accepting, cancels every running query,
//    closes every connection and joins every thread before it returns.
//
// Thread-safe. The engine must outlive the server.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.h"
#include "common/scram.h"
#include "common/status.h"
#include "pgwire/session.h"
#include "query/query_engine.h"

namespace lakehouse::pgwire {

struct PgServerOptions {
  ListenAddress listen;
  size_t max_connections = 64;
  size_t max_message_bytes = 8u << 20;
  // As SessionOptions: null when there are no API tokens.
  std::function<Result<std::string>(std::string_view password)> check_password;
  std::vector<ScramVerifier> scram;
  std::string time_zone = "UTC";
  // The datasets the catalog answerer lists to clients (catalog_answerer.h);
  // null: catalog queries go to the engine, which refuses them. Must
  // outlive the server.
  catalog::Catalog* catalog = nullptr;
  // PEM files; both empty: no TLS. Loaded by Start.
  std::string tls_cert;
  std::string tls_key;
  bool tls_required = false;  // REQUIRES: tls_cert and tls_key
};

// What the server has done, for metrics. Read while it runs.
struct PgServerCounters {
  uint64_t connections_open = 0;
  uint64_t connections_total = 0;
  uint64_t connections_refused = 0;  // over max_connections
  uint64_t queries = 0;
  uint64_t query_errors = 0;
  uint64_t protocol_errors = 0;
  uint64_t auth_failures = 0;
};

class PgServer {
 public:
  // Loads the TLS certificate and key (errors name the file, as
  // TlsContext::Load), binds and starts accepting; kIoError when the
  // address cannot be bound.
  static Result<std::unique_ptr<PgServer>> Start(const PgServerOptions& options,
                                                 query::QueryEngine& engine);
  virtual ~PgServer() = default;
  // The port bound (useful when the address asked for port 0).
  virtual uint16_t port() const = 0;
  virtual void Stop() = 0;
  virtual PgServerCounters counters() const = 0;
};

}  // namespace lakehouse::pgwire
