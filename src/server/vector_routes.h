// The Vectors routes of API.md, translating requests to VectorService and
// Index calls.
#pragma once

#include <httplib.h>

#include "vector/vector_service.h"

namespace lakehouse::server {

void RegisterVectorRoutes(httplib::Server& router, vector::VectorService& service);

}  // namespace lakehouse::server
