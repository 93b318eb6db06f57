// Index parameters: metric names and the limits every index is created within.
#include <string>

#include "vector/index.h"

namespace lakehouse::vector {

std::string_view MetricName(Metric metric) {
  switch (metric) {
    case Metric::kCosine:
      return "cosine";
    case Metric::kL2:
      return "l2";
    case Metric::kIp:
      return "ip";
  }
  return "cosine";
}

Result<Metric> ParseMetric(std::string_view name) {
  for (Metric m : {Metric::kCosine, Metric::kL2, Metric::kIp}) {
    if (MetricName(m) == name) return m;
  }
  return Status::InvalidArgument("metric must be cosine, l2 or ip, got \"" + std::string(name) +
                                 "\"");
}

Status ValidateParams(const IndexParams& p) {
  const std::string& n = p.name;
  bool name_ok = !n.empty() && n.size() <= 63 && n[0] >= 'a' && n[0] <= 'z';
  for (char c : n) {
    name_ok = name_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  }
  if (!name_ok) {
    return Status::InvalidArgument("index name \"" + n + "\" must match [a-z][a-z0-9_-]{0,62}");
  }
  if (p.dim < 1 || p.dim > 4096) return Status::InvalidArgument("dim must be 1..4096");
  if (p.m < 4 || p.m > 64) return Status::InvalidArgument("m must be 4..64");
  if (p.ef_construction < 1 || p.ef_construction > 10000) {
    return Status::InvalidArgument("ef_construction must be 1..10000");
  }
  if (p.ef_search < 1 || p.ef_search > 10000) {
    return Status::InvalidArgument("ef_search must be 1..10000");
  }
  if (p.full_text) {
    if (Status s = text::ValidateParams(*p.full_text); !s.ok()) {
      return Status::InvalidArgument("full text: " + s.message());
    }
  }
  return Status::Ok();
}
}  // namespace lakehouse::vector
