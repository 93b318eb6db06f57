// storage::ObjectStore — the one interface every service uses to reach object
// storage, whatever is behind it (a local directory, storaged over HTTP, S3).
//
// Promises of every implementation:
//  - Keys follow the rules of object_key.h; a key breaking them is kInvalidKey
//    and nothing is written.
//  - A Put is atomic: a reader sees the old object or the whole new one, and a
//    failed or interrupted Put leaves nothing under the key.
//  - Put with PutMode::kIfAbsent succeeds for exactly one of any number of
//    concurrent writers; the others get kAlreadyExists.
//  - A missing object is kNotFound, decided from the backend's own signal
//    (errno, HTTP status), never from message text.
//  - List returns keys in byte order, starting after `start_after`, at most
//    `limit` of them, and `next` is set when more remain.
//  - Bodies stream in chunks both ways; no object is held whole in memory.
//
// Threads: every method may be called from any number of threads at once
// without outside locking (a server shares one store among all its request
// threads). A read or list callback runs on the calling thread, before the
// call returns. Lifetimes: a store must outlive everything given a reference
// to it (catalogs, engines, ingestors, index services, caches); the store
// holds no reference to its callers.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakehouse::storage {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // changes whenever the bytes under the key change
  int64_t modified_unix_ms = 0;
};

enum class PutMode { kOverwrite, kIfAbsent };

struct PutOptions {
  PutMode mode = PutMode::kOverwrite;
  // When known, the exact body length: lets a store refuse an oversized body
  // before reading it and detect a body that ends early.
  std::optional<uint64_t> content_length;
};

// Receives the body of a Put one chunk at a time; an error stops the Put.
using ChunkWriter = std::function<Status(std::string_view chunk)>;
// Produces the body of a Put by calling the writer with each chunk in order.
// Returning an error (for example, the client hung up) abandons the Put.
using BodyProducer = std::function<Status(const ChunkWriter& write)>;

// Receives the object of a Get: its info first, then its bytes in order.
class ObjectSink {
 public:
  virtual ~ObjectSink() = default;
  virtual Status OnInfo(const ObjectInfo& info) = 0;
  virtual Status OnData(std::string_view chunk) = 0;
};

struct ListOptions {
  std::string prefix;
  std::string start_after;
  size_t limit = 1000;
};

struct ListPage {
  std::vector<ObjectInfo> objects;
  std::optional<std::string> next;  // pass as start_after for the next page
};

inline constexpr size_t kMaxListLimit = 1000;

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  virtual Result<ObjectInfo> Put(std::string_view key, const BodyProducer& body,
                                 const PutOptions& options) = 0;
  virtual Result<ObjectInfo> Get(std::string_view key, ObjectSink& sink) = 0;
  virtual Result<ObjectInfo> Head(std::string_view key) = 0;
  virtual Status Delete(std::string_view key) = 0;
  virtual Result<ListPage> List(const ListOptions& options) = 0;

  // Stores the file at `path` under `key`. The file is consumed: a backend on
  // the same filesystem may move it into place instead of copying it.
  virtual Result<ObjectInfo> PutFile(std::string_view key, const std::string& path, PutMode mode);

  // The path of the object's bytes on this machine's filesystem, when the
  // backend keeps them there (the local backend); nullopt otherwise. Readers
  // such as DuckDB may open it directly instead of copying.
  virtual std::optional<std::string> LocalPathOf(std::string_view key) const {
    (void)key;
    return std::nullopt;
  }

  // Conveniences over the streaming calls, for small objects.
  Result<ObjectInfo> PutBytes(std::string_view key, std::string_view bytes,
                              PutMode mode = PutMode::kOverwrite);
  Result<std::string> GetBytes(std::string_view key);
};

}  // namespace lakehouse::storage
