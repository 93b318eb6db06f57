// The Objects routes of API.md, translating requests to ObjectStore calls.
#pragma once

#include <httplib.h>

#include "storage/object_store.h"

namespace lakehouse::server {

void RegisterObjectRoutes(httplib::Server& router, storage::ObjectStore& store,
                          uint64_t max_object_bytes);

}  // namespace lakehouse::server
