// An ObjectStore over a directory on the local disk.
//
// Each key segment but the last is a directory named "<escaped segment>%2F";
// the last is a file named "<escaped segment>". The suffix keeps "a" (a file)
// and "a/b" (under a directory) apart, and sorting names by their decoded
// form ("a", "a/") yields keys in byte order. Escaping turns '%', control
// bytes and a leading '.' into %XX, so names starting with '.' are never
// objects: they are temp files, which are skipped by List and removed at Open.
//
// A single escaped segment is limited to 255 bytes (the filesystem's name
// limit); longer segments are kInvalidKey on this backend only.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "storage/object_store.h"

namespace lakehouse::storage {

struct LocalObjectStoreOptions {
  std::string root;
  uint64_t max_object_bytes = 5ull << 30;
};

class LocalObjectStore final : public ObjectStore {
 public:
  // Creates the root if needed and removes temp files a crash left behind.
  static Result<std::unique_ptr<LocalObjectStore>> Open(const LocalObjectStoreOptions& options);

  Result<ObjectInfo> Put(std::string_view key, const BodyProducer& body,
                         const PutOptions& options) override;
  Result<ObjectInfo> Get(std::string_view key, ObjectSink& sink) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Status Delete(std::string_view key) override;
  Result<ListPage> List(const ListOptions& options) override;
  std::optional<std::string> LocalPathOf(std::string_view key) const override;
  // Moves the file into place when it is on the same filesystem.
  Result<ObjectInfo> PutFile(std::string_view key, const std::string& path, PutMode mode) override;

  const std::string& root() const { return options_.root; }

 private:
  explicit LocalObjectStore(LocalObjectStoreOptions options);

  struct Location {
    std::string dir;   // absolute directory holding the object file
    std::string path;  // absolute path of the object file
  };
  Result<Location> Locate(std::string_view key) const;
  std::string NewTempPath(const std::string& dir);
  void RemoveEmptyParents(std::string dir) const;

  LocalObjectStoreOptions options_;
  std::atomic<uint64_t> temp_counter_{0};
};

}  // namespace lakehouse::storage
