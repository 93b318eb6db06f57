// cpp-httplib's Server with Lakehouse's own connection handling in front of
// its request parser: a thread per connection (so slow clients cost a
// thread, never the whole pool), caps on connections in all and per client
// address, strict framing checked before httplib parses a request, and
// ConnectionStream's deadlines for heads and bodies.
//
// httplib 0.11 reads each connection on a fixed pool with a per-read
// timeout only: a client trickling a header line a second holds a pool
// thread for as long as it likes, and seventeen of them starve the rest.
// The per-connection loop here replaces httplib's; requests are still
// parsed and routed by httplib (`process_request`), so routes are unchanged.
//
// Thread-safe as httplib::Server is. Answers the server makes itself (400
// bad framing, 408 a slow head or body, 413, 431, 503 over a cap) are JSON
// errors like the routes' and close the connection.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "server/connection_stream.h"

namespace lakehouse::server {

struct ConnectionPolicy {
  ConnectionLimits limits;
  size_t max_connections = 512;
  size_t max_connections_per_client = 128;
  uint64_t max_body_bytes = 0;
  size_t idle_threads = 16;  // kept waiting for connections; more are made on demand
};

class ConnectionServer final : public httplib::Server {
 public:
  ConnectionServer() = default;
  // Set before the server listens.
  void SetPolicy(const ConnectionPolicy& policy) { policy_ = policy; }

  // Lets the kernel queue SOMAXCONN connections not yet accepted instead of
  // httplib's 5, beyond which a burst of connects waits out SYN retries.
  // REQUIRES: the server is bound.
  void WidenBacklog();

  // Connections currently open from `address` (for tests and metrics).
  size_t OpenConnections(const std::string& address) const;

  // The connection whose request this thread is answering, if any: lets the
  // error handler say why the stream refused a body.
  static const ConnectionStream* CurrentStream();

 private:
  // httplib calls this on one of the task queue's threads for each accepted
  // socket, and expects it closed on return.
  bool process_and_close_socket(socket_t sock) override;
  // Answers requests until the connection should close. Returns how many
  // unread bytes the close may read and drop first (0: none can remain), so
  // that the close does not reset the connection under an unread answer.
  uint64_t Serve(ConnectionStream& stream);
  uint64_t Refuse(ConnectionStream& stream, int status, const std::string& why);
  // Counts a connection in; false (nothing counted) when over a cap.
  bool Admit(const std::string& address, std::string* why);
  void Release(const std::string& address);

  ConnectionPolicy policy_;
  mutable std::mutex mu_;
  std::map<std::string, size_t> per_client_;
  size_t open_ = 0;
};

// A JSON error answer with "Connection: close", as the routes' errors look.
std::string RefusalResponse(int http_status, std::string_view message);

}  // namespace lakehouse::server
