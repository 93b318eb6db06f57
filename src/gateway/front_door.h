// What every listener that faces users (`serve`, `gateway`) sets up before
// its routes: tokens and scopes from the route table, metrics named by
// route, /metrics, and the refusal to listen beyond loopback without tokens.
#pragma once

#include <memory>

#include "common/config.h"
#include "gateway/access_control.h"
#include "server/http_server.h"
#include "server/metrics.h"

namespace lakehouse::gateway {

class FrontDoor {
 public:
  // Loads [auth] (the token file, if any) and checks `listen` against it.
  static Result<std::unique_ptr<FrontDoor>> Open(const AuthConfig& auth,
                                                 const ListenAddress& listen);

  // Guards `http` and counts its requests; registers GET /metrics. The
  // FrontDoor must outlive `http`'s serving.
  void Install(server::HttpServer& http);

  server::Metrics& metrics() { return metrics_; }
  const AccessControl& access() const { return access_; }

 private:
  void RegisterLogin(httplib::Server& router);

  AccessControl access_;
  server::Metrics metrics_;
};

}  // namespace lakehouse::gateway
