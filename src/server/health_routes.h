// GET /healthz: liveness and the build's versions. GET /healthz?deep=1 also
// runs each dependency's check and answers 503 naming those that failed.
#pragma once

#include <httplib.h>

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace lakehouse::server {

struct HealthCheck {
  std::string name;               // "storage", "catalog", "queryd"...
  std::function<Status()> probe;  // cheap: run on every deep health request
};

void RegisterHealthRoutes(httplib::Server& router, std::vector<HealthCheck> checks = {});

}  // namespace lakehouse::server
