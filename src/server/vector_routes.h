// The Vectors routes of API.md, translating requests to IndexRegistry and
// Index calls.
#pragma once

#include <httplib.h>

#include "vector/index_registry.h"

namespace lakehouse::server {

void RegisterVectorRoutes(httplib::Server& router, vector::IndexRegistry& registry);

}  // namespace lakehouse::server
