// The object store a process gets from its configuration: [storaged]
// backend = "local" (a directory) or "s3" (the [s3] section).
#pragma once

#include <memory>

#include "common/config.h"
#include "storage/object_store.h"
#include "storage/s3_object_store.h"

namespace lakehouse::storage {

S3Options S3OptionsFromConfig(const S3Config& config, uint64_t max_object_bytes);

// Opens the backend of [storaged]. An S3 store must honour put-if-absent
// (ProbeConditionalPut), because the catalog commits versions with it: on a
// store that ignores If-None-Match this refuses to start rather than let two
// writers both commit.
Result<std::unique_ptr<ObjectStore>> OpenConfiguredStore(const Config& config);

}  // namespace lakehouse::storage
