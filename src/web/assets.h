// The web UI's files (web/templates, web/static and htmx), compiled into the
// binary at build time by src/web/embed_assets.cmake.
//
// Promises:
//  - Every file of web/templates and web/static of the build's source tree is
//    present under its path relative to web/, e.g. "templates/layout.mustache";
//    htmx is "static/htmx.min.js".
//  - Lookups read no file: the binary needs nothing beside it.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace lakehouse::web {

struct EmbeddedFile {
  std::string_view path;
  std::string_view content;
};

// Every embedded file (defined in the generated source).
std::span<const EmbeddedFile> EmbeddedFiles();

std::optional<std::string_view> FindAsset(std::string_view path);
// The Content-Type a static file is served with, from its extension.
std::string_view ContentTypeFor(std::string_view path);

}  // namespace lakehouse::web
