// vector::VectorService — vectord's state: the named indexes of a process,
// each optionally persisted as one LHV1 object `_vectors/<name>.lhv1`
// (DESIGN.md, Vectors; the format is in lhv1.h).
//
// Promises:
//  - Without a store, indexes live in memory and every write reports
//    persisted = false.
//  - With a store, a create, batch add or item delete returns after a save
//    that covers it has finished, and says whether that save stored it.
//    Concurrent writes to one index share saves (group commit): while one
//    save runs, later writes wait and the next single save covers them all.
//  - A failed save is logged with the index name and the error; the write
//    still succeeds in memory. The next write's save catches up, and so does
//    a background retry every `retry_interval` while any index is unsaved.
//  - Searches never wait for a save.
//  - Dropping an index deletes its object; if the store refuses, the drop
//    fails and the index stays.
//  - Open loads every index under `_vectors/`. A damaged object is logged,
//    listed by skipped() and left alone; the others still load.
//
// Several processes on one store (services side by side): exactly one writes
// `_vectors/`. At Open a persistent service claims the object
// `_lakehouse/vectord-writer` with put-if-absent; of any number of processes
// starting together one wins. The
// others run read-only: searches and reads answer, every write is kConflict
// naming the writer, and they reload an index whenever its object's etag
// changes (Refresh, on a timer). So no object is ever written by two
// processes. The claim is deleted when the writer stops cleanly. After a
// crash it is taken back by a writer restarted under the same `writer_id`,
// or by any process on the holder's host once the holder's pid is gone; a
// claim left by a machine that is gone is removed by hand.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "embed/embedder_set.h"
#include "storage/object_store.h"
#include "vector/index.h"

namespace lakehouse::vector {

struct IndexStatus {
  IndexParams params;
  size_t count = 0;
  bool persisted = false;               // the stored object holds every change so far
  std::optional<DatasetSource> source;  // set for a dataset text index
};

struct WriteOutcome {
  size_t count = 0;        // items in the index after the write
  bool persisted = false;  // a save covering the write was stored
};

struct SkippedObject {
  std::string key;
  std::string error;
};

class IndexSaver;
struct TextOrigin;

// Who writes `_vectors/` when several processes share a store.
enum class VectorRole {
  kAuto,    // claim the writer role if it is free, else read-only
  kWriter,  // claim it; Open fails if another process holds it
  kReader,  // never write; follow the writer
};

struct VectorServiceOptions {
  std::chrono::milliseconds retry_interval{5000};
  VectorRole role = VectorRole::kAuto;
  // Names this process in the claim and in read-only refusals ("host
  // 10.0.0.5:8080"); stable across restarts, so a restarted writer knows its
  // own claim. Empty: a claim is never taken back.
  std::string writer_id{};
  // How often a read-only service looks for changed index objects.
  std::chrono::milliseconds reload_interval{2000};
  // Where an index's `model` is found (search by text); null: no embedders,
  // so indexes with a model cannot be created.
  const embed::EmbedderSet* embedders = nullptr;
};

class VectorService {
 public:
  // `store` null: ephemeral. Otherwise it must outlive the service; Open
  // lists and loads what it holds and fails only if it cannot list.
  static Result<std::unique_ptr<VectorService>> Open(storage::ObjectStore* store,
                                                     VectorServiceOptions options = {});
  ~VectorService();

  static std::string ObjectKey(std::string_view index_name);
  // The writer claim's object; outside `_vectors/`, which holds only indexes.
  static constexpr std::string_view kWriterKey = "_lakehouse/vectord-writer";
  bool persistent() const { return store_ != nullptr; }
  // True when another process holds the writer claim: writes are refused.
  bool read_only() const { return read_only_; }
  // The writer's id as its claim names it (ours when we write).
  const std::string& writer() const { return writer_; }
  // kConflict naming the writer when this service is read-only.
  Status CheckWritable() const;

  // Read-only services: reloads every index whose object changed (etag),
  // adds new ones and forgets dropped ones. Runs on a timer; public so tests
  // and callers can force it. A writer's memory is the truth: no-op there.
  Status Refresh();

  // kConflict if the name is taken; kInvalidArgument for bad parameters.
  // With a model and no dim, the index takes the model's dimension.
  Result<IndexStatus> Create(IndexParams params);
  // kNotFound for an unknown name; the store's error if it cannot delete.
  Status Drop(std::string_view name);
  // For reads (search, get). Holders may keep using it after a Drop.
  Result<std::shared_ptr<Index>> Find(std::string_view name) const;
  Result<IndexStatus> Describe(std::string_view name) const;
  std::vector<IndexStatus> List() const;  // by name

  Result<WriteOutcome> Add(std::string_view name, std::vector<Item> items);
  Result<WriteOutcome> Remove(std::string_view name, std::string_view id);

  // Registers an index built whole elsewhere (a dataset text index), with
  // where it came from and the embedder fitted to its texts (null: the
  // model's shared one), and saves it: nobody sees it half built. With
  // `replace` it takes the place of the index of that name (a rebuild);
  // without, kConflict if the name is taken meanwhile.
  Result<IndexStatus> Install(std::unique_ptr<Index> index, DatasetSource source,
                              std::shared_ptr<embed::Embedder> fitted_embedder, bool replace);
  // A refresh of a dataset text index: adds or replaces `upserts`, removes
  // `removals` (ids it lacks are no error) and records `source`, then saves
  // once. A bad upsert changes nothing. kInvalidArgument for an index that
  // has no dataset source.
  Result<WriteOutcome> Apply(std::string_view name, std::vector<Item> upserts,
                             const std::vector<std::string>& removals, DatasetSource source);
  // The embedder that makes the index's vectors: its fitted one, or its
  // model's. kInvalidArgument for an index without a model.
  Result<std::shared_ptr<embed::Embedder>> EmbedderOf(std::string_view name) const;

  // Embeds `text` with the index's own embedder and searches with it;
  // kInvalidArgument for an index without one.
  Result<std::vector<Hit>> SearchText(std::string_view name, const std::string& text, size_t k,
                                      std::optional<uint32_t> ef,
                                      const MetadataFilter& filter = {});

  std::vector<SkippedObject> skipped() const;

 private:
  struct Entry {
    std::shared_ptr<Index> index;
    std::shared_ptr<IndexSaver> saver;   // null when ephemeral
    std::shared_ptr<TextOrigin> origin;  // never null; empty unless built from a dataset
  };

  VectorService(storage::ObjectStore* store, VectorServiceOptions options);
  Status ClaimWriter();
  void ReleaseWriter();
  Status LoadAll();
  // Loads one listed index object; the error says why it is skipped.
  Result<Entry> LoadObject(const storage::ObjectInfo& object);
  void RetryUnsavedUntilStopped(std::stop_token stop);
  void RefreshUntilStopped(std::stop_token stop);
  Result<Entry> FindEntry(std::string_view name) const;
  IndexStatus StatusOf(const Entry& entry) const;
  bool SaveThrough(const Entry& entry, bool retry = false);
  Result<std::shared_ptr<embed::Embedder>> EmbedderOf(const Entry& entry) const;
  Status Register(const std::string& name, const Entry& entry);
  Result<std::shared_ptr<embed::Embedder>> RestoreEmbedder(const std::string& model,
                                                           std::string_view state) const;

  storage::ObjectStore* store_;
  std::mutex admin_mu_;  // creates and drops take turns
  mutable std::shared_mutex mu_;
  std::map<std::string, Entry, std::less<>> indexes_;
  std::vector<SkippedObject> skipped_;
  // The etag each `_vectors/` object had when it was last loaded or skipped.
  std::map<std::string, std::string, std::less<>> etags_;
  std::mutex refresh_mu_;  // one Refresh at a time
  bool read_only_ = false;
  std::string writer_;
  std::string claim_token_;  // this process's claim, to release only our own
  VectorServiceOptions options_;
  std::mutex retry_mu_;
  std::condition_variable_any retry_cv_;
  std::jthread retrier_;  // last: stops and joins before the rest goes
};

}  // namespace lakehouse::vector
