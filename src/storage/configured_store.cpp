// OpenConfiguredStore: an S3ObjectStore (conditional put probed) or a LocalObjectStore, by backend.
#include "storage/configured_store.h"

#include <spdlog/spdlog.h>

#include "storage/local_object_store.h"

namespace lakehouse::storage {

S3Options S3OptionsFromConfig(const S3Config& config, uint64_t max_object_bytes) {
  S3Options options;
  options.endpoint = config.endpoint;
  options.bucket = config.bucket;
  options.region = config.region;
  options.path_style = config.path_style;
  options.access_key_id = config.access_key_id;
  options.secret_access_key = config.secret_access_key;
  options.ca_file = config.ca_file;
  options.verify_tls = config.verify_tls;
  options.part_bytes = config.part_bytes;
  options.max_object_bytes = max_object_bytes;
  return options;
}

Result<std::unique_ptr<ObjectStore>> OpenConfiguredStore(const Config& config) {
  if (config.storaged.backend == "s3") {
    LH_ASSIGN_OR_RETURN(auto store, S3ObjectStore::Create(S3OptionsFromConfig(
                                        config.s3, config.storaged.max_object_bytes)));
    if (!store->options().verify_tls) {
      spdlog::warn("storage: TLS certificates of {} are not verified", config.s3.endpoint);
    }
    LH_RETURN_IF_ERROR(store->ProbeConditionalPut());
    spdlog::info("storage: s3 bucket {} at {} ({} style, region {})", config.s3.bucket,
                 config.s3.endpoint, config.s3.path_style ? "path" : "virtual-host",
                 store->options().region);
    return std::unique_ptr<ObjectStore>(std::move(store));
  }
  LocalObjectStoreOptions options;
  options.root = config.storaged.root;
  options.max_object_bytes = config.storaged.max_object_bytes;
  LH_ASSIGN_OR_RETURN(auto store, LocalObjectStore::Open(options));
  spdlog::info("storage: local directory {}", store->root());
  return std::unique_ptr<ObjectStore>(std::move(store));
}

}  // namespace lakehouse::storage
