// The Vectors routes of docs/api.md, translating requests to VectorService and
// Index calls.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "vector/vector_service.h"

namespace lakehouse::server {

// An index as GET /v1/indexes/{name} describes it.
nlohmann::json IndexJson(const vector::IndexStatus& status);

void RegisterVectorRoutes(httplib::Server& router, vector::VectorService& service);

}  // namespace lakehouse::server
