// GET /healthz: liveness and the build's versions.
#pragma once

#include <httplib.h>

namespace lakehouse::server {

void RegisterHealthRoutes(httplib::Server& router);

}  // namespace lakehouse::server
