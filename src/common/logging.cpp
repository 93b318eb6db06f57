#include "common/logging.h"

namespace lakehouse {

Status SetLogLevel(std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string(level));
  // from_str answers "off" for any word it does not know.
  if (parsed == spdlog::level::off && level != "off") {
    return Status::InvalidArgument("unknown log level \"" + std::string(level) +
                                   "\" (trace, debug, info, warn, error, off)");
  }
  spdlog::set_level(parsed);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  return Status::Ok();
}

}  // namespace lakehouse
