// A UI handler's HTTP side: the part asked for, number parameters, pages, errors, static files.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "web/templates.h"

namespace lakehouse::web {

// True for an htmx request that replaces the element with this id; history
// restores and plain navigations get the whole page.
bool WantsPart(const httplib::Request& request, std::string_view target);

// A whole non-negative integer, e.g. a query parameter; nullopt for anything else.
std::optional<uint64_t> ParseUint(std::string_view text);

// Renders `status` as an error page, or as the error part of a page for htmx.
void SendError(const httplib::Request& request, httplib::Response& response, const Status& status);

// Sends rendered HTML; a failed render becomes an error page. `status` is the
// HTTP status of a page that shows an error in place.
void Send(const httplib::Request& request, httplib::Response& response,
          const Result<std::string>& html, int status = 200);

// The data of web/templates/error.mustache, for an error shown in place.
Data ErrorData(const Status& status);

// GET /static/{file}: a file of web/static embedded in the binary.
void SendStaticFile(const httplib::Request& request, httplib::Response& response);

}  // namespace lakehouse::web
