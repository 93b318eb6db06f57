// An HttpServer's listen loop on 127.0.0.1:<any port>, run in a thread from
// construction to destruction, for tests that talk to routes over real HTTP.
// (bench_common has its own, which fails a bench run instead of throwing.)
#pragma once

#include <stdexcept>
#include <thread>

#include "server/http_server.h"

namespace lakehouse::testing {

class ServerThread {
 public:
  explicit ServerThread(server::HttpServer& server) : server_(server) {
    auto port = server_.Bind({"127.0.0.1", 0});
    if (!port.ok()) throw std::runtime_error(port.status().ToString());
    port_ = *port;
    thread_ = std::thread([this] { server_.Run(); });
    // A stop before the listen loop has started is lost, and join would
    // wait forever: hand the server over only once it is serving.
    while (!server_.router().is_running()) std::this_thread::yield();
  }
  ~ServerThread() {
    server_.Stop();
    thread_.join();
  }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  int port() const { return port_; }

 private:
  server::HttpServer& server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace lakehouse::testing
