// Metrics: request counters, latency histograms, byte totals and gauges, rendered for /metrics.
#include "server/metrics.h"

#include <charconv>
#include <cmath>
#include <sstream>

namespace lakehouse::server {
namespace {

// Label values escape backslash, quote and newline (exposition format).
std::string Escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// The shortest text that reads back as the same double: 0.0005, not
// 0.00050000000000000001.
std::string Number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  const double magnitude = std::fabs(v);
  const bool plain = magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e15);
  auto [end, ec] = plain
                       ? std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed)
                       : std::to_chars(buffer, buffer + sizeof buffer, v);
  return ec == std::errc() ? std::string(buffer, end) : "NaN";
}

}  // namespace

void Metrics::AddGauges(GaugeSource source) {
  std::lock_guard lock(mu_);
  sources_.push_back(std::move(source));
}

void Metrics::RequestStarted(const std::string& route) {
  std::lock_guard lock(mu_);
  ++in_flight_[route];
}

void Metrics::RequestFinished(const std::string& route, const std::string& method, int status,
                              double seconds, uint64_t bytes_in, uint64_t bytes_out, bool started) {
  std::lock_guard lock(mu_);
  if (auto it = in_flight_.find(route); started && it != in_flight_.end() && it->second > 0) {
    --it->second;
  }
  ++requests_[{route, method, status}];
  Latency& latency = latency_[{route, method}];
  for (size_t b = 0; b < kBuckets.size(); ++b) {
    if (seconds <= kBuckets[b]) {
      ++latency.buckets[b];
      break;
    }
  }
  ++latency.count;
  latency.sum += seconds;
  bytes_in_[route] += bytes_in;
  bytes_out_[route] += bytes_out;
}

uint64_t Metrics::InFlight(const std::string& route) const {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(route);
  return it == in_flight_.end() ? 0 : it->second;
}

std::string Metrics::Render() const {
  std::vector<GaugeSource> sources;
  std::ostringstream out;
  {
    std::lock_guard lock(mu_);
    sources = sources_;
    out << "# HELP lakehouse_http_requests_total HTTP requests answered, by route and status.\n"
           "# TYPE lakehouse_http_requests_total counter\n";
    for (const auto& [key, count] : requests_) {
      const auto& [route, method, status] = key;
      out << "lakehouse_http_requests_total{route=\"" << Escape(route) << "\",method=\"" << method
          << "\",status=\"" << status << "\"} " << count << "\n";
    }
    out << "# HELP lakehouse_http_request_duration_seconds Time from request to the last byte "
           "of the response.\n"
           "# TYPE lakehouse_http_request_duration_seconds histogram\n";
    for (const auto& [key, latency] : latency_) {
      const std::string labels =
          "route=\"" + Escape(key.first) + "\",method=\"" + key.second + "\"";
      uint64_t cumulative = 0;
      for (size_t b = 0; b < kBuckets.size(); ++b) {
        cumulative += latency.buckets[b];
        out << "lakehouse_http_request_duration_seconds_bucket{" << labels << ",le=\""
            << Number(kBuckets[b]) << "\"} " << cumulative << "\n";
      }
      out << "lakehouse_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} "
          << latency.count << "\n";
      out << "lakehouse_http_request_duration_seconds_sum{" << labels << "} " << Number(latency.sum)
          << "\n";
      out << "lakehouse_http_request_duration_seconds_count{" << labels << "} " << latency.count
          << "\n";
    }
    auto bytes = [&](const char* name, const char* help, const auto& by_route) {
      out << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n";
      for (const auto& [route, value] : by_route) {
        out << name << "{route=\"" << Escape(route) << "\"} " << value << "\n";
      }
    };
    bytes("lakehouse_http_request_bytes_total", "Request body bytes received, by route.",
          bytes_in_);
    bytes("lakehouse_http_response_bytes_total", "Response body bytes sent, by route.", bytes_out_);
    out << "# HELP lakehouse_http_requests_in_flight Requests being answered, by route.\n"
           "# TYPE lakehouse_http_requests_in_flight gauge\n";
    for (const auto& [route, value] : in_flight_) {
      out << "lakehouse_http_requests_in_flight{route=\"" << Escape(route) << "\"} " << value
          << "\n";
    }
  }
  // Gauges are read outside the lock: a source may be slow (it may list storage).
  std::map<std::string, std::vector<Gauge>> by_name;
  std::map<std::string, std::string> help;
  for (const auto& source : sources) {
    for (auto& gauge : source()) {
      help[gauge.name] = gauge.help;
      by_name[gauge.name].push_back(std::move(gauge));
    }
  }
  for (const auto& [name, gauges] : by_name) {
    out << "# HELP " << name << " " << help[name] << "\n# TYPE " << name << " gauge\n";
    for (const auto& gauge : gauges) {
      out << name;
      if (!gauge.labels.empty()) {
        out << "{";
        for (size_t i = 0; i < gauge.labels.size(); ++i) {
          out << (i ? "," : "") << gauge.labels[i].first << "=\"" << Escape(gauge.labels[i].second)
              << "\"";
        }
        out << "}";
      }
      out << " " << Number(gauge.value) << "\n";
    }
  }
  return out.str();
}

void RegisterMetricsRoute(httplib::Server& router, const Metrics& metrics) {
  router.Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& response) {
    response.set_content(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace lakehouse::server
