// The tests' one fault-injecting ObjectStore, built on the forwarding wrapper
// (storage/forwarding_store.h): fail writes the way a full disk or a broken
// backend would, "crash" the writing process at its Nth write, or hold puts
// at a gate to catch a writer mid-step. Reconfigure it between steps, not
// while a call is inside; the gate itself is thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

#include "storage/forwarding_store.h"

namespace lakehouse::testing {

using storage::ForwardingObjectStore;

class FaultInjectingStore : public ForwardingObjectStore {
 public:
  using ForwardingObjectStore::ForwardingObjectStore;

  // Every put (Put and PutFile) after the first `succeed` fails with `error`,
  // writing nothing, the way a store whose disk filled up would.
  void FailPutsAfter(int succeed, Status error) {
    puts_left_ = succeed;
    error_ = std::move(error);
  }
  // Storage down: every put, or every delete, fails until switched back.
  void FailPuts(bool down) {
    if (down) {
      FailPutsAfter(0, Status::Unavailable("storage is down (test)"));
    } else {
      error_.reset();
    }
  }
  void FailDeletes(bool down) { fail_deletes_ = down; }
  // After the first `succeed` puts and deletes, every later put and delete
  // fails, as if the process writing had died at that step.
  void CrashAfterWrites(int succeed) {
    writes_left_ = succeed;
    crashing_ = true;
  }
  void Heal() {
    error_.reset();
    crashing_ = false;
    fail_deletes_ = false;
  }
  int failed_puts() const { return failed_; }
  bool crashed() const { return crashed_; }
  // Puts that reached the store (past the gate), failed or not.
  int puts() const { return puts_; }

  // Puts of keys ending in `suffix` ("" for all) wait at a closed gate until
  // ReleasePuts; AwaitHeldPut returns once one is waiting there.
  void HoldPuts(std::string suffix = "") {
    std::lock_guard lock(gate_mu_);
    held_suffix_ = std::move(suffix);
    gate_closed_ = true;
    waiting_ = 0;
  }
  void AwaitHeldPut() {
    std::unique_lock lock(gate_mu_);
    gate_changed_.wait(lock, [&] { return waiting_ > 0; });
  }
  void ReleasePuts() {
    std::lock_guard lock(gate_mu_);
    gate_closed_ = false;
    gate_changed_.notify_all();
  }

  Status Delete(std::string_view key) override {
    if (NextWriteCrashes()) return Status::Unavailable("crashed (test)");
    if (fail_deletes_) return Status::Unavailable("storage is down (test)");
    return ForwardingObjectStore::Delete(key);
  }
  Result<storage::ObjectInfo> Put(std::string_view key, const storage::BodyProducer& body,
                                  const storage::PutOptions& options) override {
    if (auto error = NextPutFails(key)) return *error;
    return ForwardingObjectStore::Put(key, body, options);
  }
  Result<storage::ObjectInfo> PutFile(std::string_view key, const std::string& path,
                                      storage::PutMode mode) override {
    if (auto error = NextPutFails(key)) return *error;
    return ForwardingObjectStore::PutFile(key, path, mode);
  }

 private:
  void PassGate(std::string_view key) {
    std::unique_lock lock(gate_mu_);
    if (!gate_closed_ || !key.ends_with(held_suffix_)) return;
    ++waiting_;
    gate_changed_.notify_all();
    gate_changed_.wait(lock, [&] { return !gate_closed_; });
  }
  bool NextWriteCrashes() {
    if (!crashing_) return false;
    if (writes_left_-- > 0) return false;
    crashed_ = true;
    return true;
  }
  std::optional<Status> NextPutFails(std::string_view key) {
    PassGate(key);
    ++puts_;
    if (NextWriteCrashes()) return Status::Unavailable("crashed (test)");
    if (!error_) return std::nullopt;
    if (puts_left_-- > 0) return std::nullopt;
    ++failed_;
    return error_;
  }

  std::atomic<int> puts_left_{0};
  std::atomic<int> failed_{0};
  std::atomic<int> puts_{0};
  std::atomic<int> writes_left_{0};
  std::atomic<bool> crashing_{false};
  std::atomic<bool> crashed_{false};
  std::atomic<bool> fail_deletes_{false};
  std::optional<Status> error_;

  std::mutex gate_mu_;
  std::condition_variable gate_changed_;
  bool gate_closed_ = false;
  std::string held_suffix_;
  int waiting_ = 0;
};

}  // namespace lakehouse::testing
