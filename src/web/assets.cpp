// FindAsset scans the embedded UI files by path; ContentTypeFor picks a type from the extension.
#include "web/assets.h"

namespace lakehouse::web {

std::optional<std::string_view> FindAsset(std::string_view path) {
  // A few dozen files: a scan is as fast as anything else here.
  for (const auto& f : EmbeddedFiles()) {
    if (f.path == path) return f.content;
  }
  return std::nullopt;
}

std::string_view ContentTypeFor(std::string_view path) {
  auto ends_with = [path](std::string_view suffix) { return path.ends_with(suffix); };
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  if (ends_with(".html") || ends_with(".mustache")) return "text/html; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace lakehouse::web
