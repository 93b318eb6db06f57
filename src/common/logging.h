// Process-wide logging through spdlog, to stderr.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

#include "common/status.h"

namespace lakehouse {

// Sets the level by name (trace, debug, info, warn, error, off).
Status SetLogLevel(std::string_view level);

}  // namespace lakehouse
