// The gateway's forwarding: every API route of the route table is sent to
// the service that answers it, by URL, with bodies streamed both ways and a
// 503 naming the service when it cannot be reached.
#pragma once

#include <httplib.h>

#include <map>
#include <memory>

#include "common/status.h"
#include "gateway/route_table.h"
#include "http/client_pool.h"
#include "server/health_routes.h"

namespace lakehouse::gateway {

class Upstreams {
 public:
  // One pool of keep-alive clients per service URL.
  Status Add(Service service, const std::string& base_url, int connect_timeout_ms, int timeout_s);
  http::ClientPool* Find(Service service) const;
  // A deep health check per service: its own /healthz.
  std::vector<server::HealthCheck> HealthChecks() const;

 private:
  std::map<Service, std::unique_ptr<http::ClientPool>> pools_;
};

// Registers a forwarding handler for every route the table gives to a
// service. `max_buffered_body` bounds the request bodies that are read
// before forwarding (everything except object PUTs and ingest uploads,
// which stream through as they arrive).
void RegisterProxyRoutes(httplib::Server& router, const Upstreams& upstreams,
                         uint64_t max_buffered_body);

}  // namespace lakehouse::gateway
