#include "storage/object_store.h"

namespace lakehouse::storage {
namespace {

class StringSink : public ObjectSink {
 public:
  Status OnInfo(const ObjectInfo& info) override {
    bytes.reserve(info.size);
    return Status::Ok();
  }
  Status OnData(std::string_view chunk) override {
    bytes.append(chunk);
    return Status::Ok();
  }
  std::string bytes;
};

}  // namespace

Result<ObjectInfo> ObjectStore::PutBytes(std::string_view key, std::string_view bytes,
                                         PutMode mode) {
  PutOptions options;
  options.mode = mode;
  options.content_length = bytes.size();
  return Put(
      key, [bytes](const ChunkWriter& write) { return write(bytes); }, options);
}

Result<std::string> ObjectStore::GetBytes(std::string_view key) {
  StringSink sink;
  auto info = Get(key, sink);
  if (!info.ok()) return info.status();
  return std::move(sink.bytes);
}

}  // namespace lakehouse::storage
