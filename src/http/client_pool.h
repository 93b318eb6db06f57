// Keep-alive HTTP clients to one base URL, shared by threads: each request
// borrows a client (its own connection) and returns it, so concurrent calls
// never serialise on one socket.
#pragma once

#include <httplib.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"

namespace lakehouse::http {

struct ClientOptions {
  std::string base_url;             // http://host:port or https://host:port
  std::string service = "service";  // named in errors: "catalogd at http://...: ..."
  int connect_timeout_ms = 2000;
  int timeout_s = 60;  // read and write timeouts of each request
};

class ClientPool {
 public:
  static Result<std::unique_ptr<ClientPool>> Create(const ClientOptions& options);

  // A borrowed client; goes back to the pool when destroyed.
  class Lease {
   public:
    Lease(ClientPool* pool, std::unique_ptr<httplib::Client> client)
        : pool_(pool), client_(std::move(client)) {}
    Lease(Lease&&) = default;
    ~Lease();
    httplib::Client* operator->() { return client_.get(); }
    // Drops the connection instead of reusing it (after a broken exchange).
    void Discard() { client_.reset(); }

   private:
    ClientPool* pool_;
    std::unique_ptr<httplib::Client> client_;
  };

  Lease Acquire();
  const std::string& base_url() const { return options_.base_url; }

  // A Status for a transport failure, naming the service's URL.
  Status TransportError(httplib::Error error) const;

 private:
  explicit ClientPool(ClientOptions options) : options_(std::move(options)) {}
  void Release(std::unique_ptr<httplib::Client> client);

  ClientOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;
};

}  // namespace lakehouse::http
