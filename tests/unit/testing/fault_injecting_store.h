// Fault injection as a wrapper: an ObjectStore that forwards every call to
// another, and one built on it that fails chosen writes — the tests' stand-in
// for a full disk or a broken backend. Not thread-safe to reconfigure while
// in use; forwarding itself is as thread-safe as the target.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "storage/object_store.h"

namespace lakehouse::testing {

// Forwards every call to `target`, which must outlive it.
class ForwardingObjectStore : public storage::ObjectStore {
 public:
  explicit ForwardingObjectStore(storage::ObjectStore& target) : target_(target) {}

  Result<storage::ObjectInfo> Put(std::string_view key, const storage::BodyProducer& body,
                                  const storage::PutOptions& options) override {
    return target_.Put(key, body, options);
  }
  Result<storage::ObjectInfo> Get(std::string_view key, storage::ObjectSink& sink) override {
    return target_.Get(key, sink);
  }
  Result<storage::ObjectInfo> Head(std::string_view key) override { return target_.Head(key); }
  Status Delete(std::string_view key) override { return target_.Delete(key); }
  Result<storage::ListPage> List(const storage::ListOptions& options) override {
    return target_.List(options);
  }
  Result<storage::ObjectInfo> PutFile(std::string_view key, const std::string& path,
                                      storage::PutMode mode) override {
    return target_.PutFile(key, path, mode);
  }
  std::optional<std::string> LocalPathOf(std::string_view key) const override {
    return target_.LocalPathOf(key);
  }

 private:
  storage::ObjectStore& target_;
};

// Fails every put (Put and PutFile) after the first `succeed` ones with
// `error`, writing nothing, the way a store whose disk filled up would. Or
// "crashes": after the first `succeed` puts and deletes, every later put and
// delete fails, as if the process writing had died at that step.
class FaultInjectingStore : public ForwardingObjectStore {
 public:
  using ForwardingObjectStore::ForwardingObjectStore;

  void FailPutsAfter(int succeed, Status error) {
    puts_left_ = succeed;
    error_ = std::move(error);
  }
  void CrashAfterWrites(int succeed) {
    writes_left_ = succeed;
    crashing_ = true;
  }
  void Heal() {
    error_.reset();
    crashing_ = false;
  }
  int failed_puts() const { return failed_; }
  bool crashed() const { return crashed_; }

  Status Delete(std::string_view key) override {
    if (NextWriteCrashes()) return Status::Unavailable("crashed (test)");
    return ForwardingObjectStore::Delete(key);
  }

  Result<storage::ObjectInfo> Put(std::string_view key, const storage::BodyProducer& body,
                                  const storage::PutOptions& options) override {
    if (auto error = NextPutFails()) return *error;
    return ForwardingObjectStore::Put(key, body, options);
  }
  Result<storage::ObjectInfo> PutFile(std::string_view key, const std::string& path,
                                      storage::PutMode mode) override {
    if (auto error = NextPutFails()) return *error;
    return ForwardingObjectStore::PutFile(key, path, mode);
  }

 private:
  bool NextWriteCrashes() {
    if (!crashing_) return false;
    if (writes_left_-- > 0) return false;
    crashed_ = true;
    return true;
  }
  std::optional<Status> NextPutFails() {
    if (NextWriteCrashes()) return Status::Unavailable("crashed (test)");
    if (!error_) return std::nullopt;
    if (puts_left_-- > 0) return std::nullopt;
    ++failed_;
    return error_;
  }

  std::atomic<int> puts_left_{0};
  std::atomic<int> failed_{0};
  std::atomic<int> writes_left_{0};
  std::atomic<bool> crashing_{false};
  std::atomic<bool> crashed_{false};
  std::optional<Status> error_;
};

}  // namespace lakehouse::testing
