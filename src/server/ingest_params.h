// The query string of POST /v1/datasets/{name}/ingest, read into an ingest request.
#pragma once

#include <httplib.h>

#include <string>

#include "common/status.h"
#include "ingest/ingestor.h"

namespace lakehouse::server {

// Every parameter the route takes (docs/api.md); any other is
// kInvalidArgument naming it, so a misspelt option is not silently ignored.
// The CSV options are checked by ingest::ValidateCsvOptions.
Result<ingest::IngestRequest> IngestRequestFromQuery(const httplib::Request& request,
                                                     const std::string& dataset);

}  // namespace lakehouse::server
