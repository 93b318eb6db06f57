// SetLogLevel: moves spdlog's default logger to stderr and sets its level and line pattern.
#include "common/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace lakehouse {

Status SetLogLevel(std::string_view level) {
  // spdlog's default logger writes to stdout, which belongs to command output
  // (`lakehouse sql --format csv > out.csv`); logs go to stderr, once.
  static const bool on_stderr = [] {
    spdlog::set_default_logger(spdlog::stderr_color_mt("lakehouse"));
    return true;
  }();
  (void)on_stderr;
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
