// The full locations of object keys that Iceberg metadata names.
#include "iceberg/locations.h"

#include <cctype>
#include <cstdio>

namespace lakehouse::iceberg {

std::string FileUri(std::string_view path) {
  std::string out = "file://";
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

Result<LocationOf> LocationsFor(const storage::ObjectStore& store, std::string_view configured,
                                std::string_view s3_bucket) {
  if (!configured.empty()) {
    std::string base(configured);
    while (base.ends_with('/')) base.pop_back();
    return LocationOf([base](std::string_view key) { return base + "/" + std::string(key); });
  }
  if (store.LocalPathOf("_iceberg/probe")) {
    return LocationOf([&store](std::string_view key) {
      auto path = store.LocalPathOf(key);
      return path ? FileUri(*path) : std::string();
    });
  }
  if (!s3_bucket.empty()) {
    std::string base = "s3://" + std::string(s3_bucket) + "/";
    return LocationOf([base](std::string_view key) { return base + std::string(key); });
  }
  return Status::InvalidArgument(
      "[iceberg] location must be set when storage is reached through storaged: the URI under "
      "which engines read the store's objects, e.g. s3://bucket");
}

}  // namespace lakehouse::iceberg
