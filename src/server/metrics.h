// Prometheus metrics of one process: HTTP requests by route and status, their
// latency as a histogram, bytes in and out, requests in flight, and gauges
// the parts report when scraped (datasets, versions, objects, indexes...).
#pragma once

#include <httplib.h>

#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace lakehouse::server {

struct Gauge {
  std::string name;  // lakehouse_<...>
  std::string help;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

// Thread-safe: request threads record while a scrape renders. A gauge
// source runs on the scraping thread, so whatever it reads must outlive the
// Metrics.
class Metrics {
 public:
  // Parts add a source of gauges, read at every scrape.
  using GaugeSource = std::function<std::vector<Gauge>()>;
  void AddGauges(GaugeSource source);

  void RequestStarted(const std::string& route);
  // `started`: RequestStarted was called for it (not for requests httplib
  // rejects before routing).
  void RequestFinished(const std::string& route, const std::string& method, int status,
                       double seconds, uint64_t bytes_in, uint64_t bytes_out, bool started);
  uint64_t InFlight(const std::string& route) const;

  // The text exposition format, version 0.0.4.
  std::string Render() const;

  static constexpr std::array<double, 14> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

 private:
  struct Latency {
    std::array<uint64_t, kBuckets.size()> buckets{};  // cumulative at render
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::pair<std::string, std::string>, Latency> latency_;
  std::map<std::string, uint64_t> bytes_in_, bytes_out_, in_flight_;
  std::vector<GaugeSource> sources_;
};

// GET /metrics.
void RegisterMetricsRoute(httplib::Server& router, const Metrics& metrics);

}  // namespace lakehouse::server
