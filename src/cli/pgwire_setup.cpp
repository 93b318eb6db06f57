// Starts the PostgreSQL listener from config and reports its counters as gauges.
#include "cli/pgwire_setup.h"

#include "gateway/access_control.h"

namespace lakehouse::cli {

Result<std::unique_ptr<pgwire::PgServer>> StartPgwire(const Config& config,
                                                      query::QueryEngine& engine,
                                                      catalog::Catalog& catalog,
                                                      const gateway::AccessControl& access) {
  if (config.pgwire.listen.empty()) return std::unique_ptr<pgwire::PgServer>();
  LH_ASSIGN_OR_RETURN(ListenAddress listen, ParseListenAddress(config.pgwire.listen));
  LH_RETURN_IF_ERROR(gateway::CheckExposure(listen, access, config.auth.allow_insecure_remote));
  pgwire::PgServerOptions options;
  options.listen = listen;
  options.max_connections = static_cast<size_t>(config.pgwire.max_connections);
  options.max_message_bytes = static_cast<size_t>(config.pgwire.max_message_bytes);
  options.catalog = &catalog;
  options.tls_cert = config.pgwire.tls_cert;
  options.tls_key = config.pgwire.tls_key;
  options.tls_required = config.pgwire.tls_required;
  if (access.enabled()) {
    // Any scope will do: every statement here only reads.
    options.check_password = [access](std::string_view password) -> Result<std::string> {
      LH_ASSIGN_OR_RETURN(gateway::Identity who, access.Identify(password, gateway::Scope::kRead));
      return who.name;
    };
    options.scram = access.scram_verifiers();
  }
  if (auto zone = engine.Setting("TimeZone"); zone.ok()) options.time_zone = *zone;
  return pgwire::PgServer::Start(options, engine);
}

void AddPgwireGauges(server::Metrics& metrics, const pgwire::PgServer& server) {
  metrics.AddGauges([&server] {
    pgwire::PgServerCounters c = server.counters();
    auto gauge = [](const char* name, const char* help, uint64_t value) {
      return server::Gauge{name, help, {}, static_cast<double>(value)};
    };
    return std::vector<server::Gauge>{
        gauge("lakehouse_pgwire_connections", "PostgreSQL connections open now.",
              c.connections_open),
        gauge("lakehouse_pgwire_connections_total", "PostgreSQL connections accepted in all.",
              c.connections_total),
        gauge("lakehouse_pgwire_connections_refused_total",
              "PostgreSQL connections refused over [pgwire] max_connections.",
              c.connections_refused),
        gauge("lakehouse_pgwire_queries_total", "Statements PostgreSQL clients ran on the engine.",
              c.queries),
        gauge("lakehouse_pgwire_query_errors_total",
              "ErrorResponses sent to PostgreSQL clients for their statements.", c.query_errors),
        gauge("lakehouse_pgwire_protocol_errors_total",
              "PostgreSQL sessions ended for a malformed or oversized message.", c.protocol_errors),
        gauge("lakehouse_pgwire_auth_failures_total",
              "PostgreSQL sign-ins refused for a wrong password.", c.auth_failures),
    };
  });
}

}  // namespace lakehouse::cli
