// Where StoreCatalog keeps manifests and tags in the store, shared by its source files.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace lakehouse::catalog {

inline constexpr std::string_view kCatalogPrefix = "_catalog/";

inline std::string VersionsPrefix(std::string_view name) {
  return std::string(kCatalogPrefix) + std::string(name) + "/v/";
}

inline std::string TagsPrefix(std::string_view name) {
  return std::string(kCatalogPrefix) + std::string(name) + "/t/";
}

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace lakehouse::catalog
