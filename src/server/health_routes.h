// GET /healthz: liveness and the build's versions. GET /healthz?deep=1 also
// runs each dependency's check and answers 503 naming those that failed.
//
// Promises: no answer holds an absolute path of the server's filesystem (a
// failed check's message has them replaced by "<path>"; the full message is
// logged). Who may ask is the front door's business: there, plain /healthz
// is public and ?deep needs a read token (gateway/front_door.cpp).
#pragma once

#include <httplib.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakehouse::server {

struct HealthCheck {
  std::string name;               // "storage", "catalog", "queryd"...
  std::function<Status()> probe;  // cheap: run on every deep health request
};

void RegisterHealthRoutes(httplib::Server& router, std::vector<HealthCheck> checks = {});

// `message` with every absolute filesystem path ("/var/lib/x/objects/...")
// replaced by "<path>"; URLs ("http://host/...") are left as they are.
std::string RedactPaths(std::string_view message);

}  // namespace lakehouse::server
