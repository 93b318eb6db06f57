// storage::ForwardingObjectStore — an ObjectStore that passes every call to
// another, so a wrapper overrides only the calls it changes (the way
// LevelDB's EnvWrapper does for Env): fault injection in tests, counting,
// delays. A new ObjectStore method gets its forwarding here, once.
//
// Threads: as thread-safe as the target; the wrapper adds no state.
// Lifetimes: the target must outlive the wrapper.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "storage/object_store.h"

namespace lakehouse::storage {

class ForwardingObjectStore : public ObjectStore {
 public:
  explicit ForwardingObjectStore(ObjectStore& target) : target_(target) {}

  Result<ObjectInfo> Put(std::string_view key, const BodyProducer& body,
                         const PutOptions& options) override {
    return target_.Put(key, body, options);
  }
  Result<ObjectInfo> Get(std::string_view key, ObjectSink& sink) override {
    return target_.Get(key, sink);
  }
  Result<ObjectInfo> Head(std::string_view key) override { return target_.Head(key); }
  Status Delete(std::string_view key) override { return target_.Delete(key); }
  Result<ListPage> List(const ListOptions& options) override { return target_.List(options); }
  Result<ObjectInfo> PutFile(std::string_view key, const std::string& path, PutMode mode) override {
    return target_.PutFile(key, path, mode);
  }
  std::optional<std::string> LocalPathOf(std::string_view key) const override {
    return target_.LocalPathOf(key);
  }

  ObjectStore& target() const { return target_; }

 private:
  ObjectStore& target_;
};

}  // namespace lakehouse::storage
