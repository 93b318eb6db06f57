// The PostgreSQL listener of serve and queryd, from [pgwire] and the API tokens, and its gauges.
#pragma once

#include <memory>
#include <vector>

#include "common/config.h"
#include "common/status.h"
#include "pgwire/pg_server.h"
#include "query/query_engine.h"
#include "server/metrics.h"

namespace lakehouse::gateway {
class AccessControl;
}

namespace lakehouse::cli {

// Starts the listener at [pgwire] listen; null when that is empty. With
// API tokens in `access` a client's password must be one of them; without,
// the listen address must be loopback (unless [auth]
// allow_insecure_remote), the same rule as for HTTP, TLS or not: TLS hides
// the traffic but does not say who may use it. A [pgwire] tls_cert or
// tls_key that cannot be loaded is an error naming the file. `engine` must outlive
// the listener; `access` is only read here.
Result<std::unique_ptr<pgwire::PgServer>> StartPgwire(const Config& config,
                                                      query::QueryEngine& engine,
                                                      catalog::Catalog& catalog,
                                                      const gateway::AccessControl& access);

// The listener's counters as gauges for /metrics; `server` must outlive
// the metrics' scrapes.
void AddPgwireGauges(server::Metrics& metrics, const pgwire::PgServer& server);

}  // namespace lakehouse::cli
