// vector::VectorService — vectord's state: the named indexes of a process,
// each optionally persisted as an LHV1 base `_vectors/<name>.lhv1` plus an
// ordered log of LHD1 deltas `_vectors/<name>/d/<seq>.lhd1` (README,
// Vectors/Persistence; the formats are in lhv1.h and lhd1.h).
//
// Promises:
//  - Without a store, indexes live in memory and every write reports
//    persisted = false.
//  - With a store, a create writes a base; a batch add, item delete or
//    dataset refresh returns after a delta holding it (or a base covering
//    it) is stored, and says whether it was. Concurrent writes to one index
//    share deltas (group commit): while one save runs, later writes wait and
//    the next single delta holds them all.
//  - A failed save is logged with the index name and the error; the write
//    still succeeds in memory and stays queued, so the next save stores it,
//    and so does a background retry every `retry_interval` while any index
//    is unsaved.
//  - Compaction runs in the background once an index's deltas outgrow
//    `compact_fraction` of its base (past `compact_min_bytes`) or number
//    `compact_deltas`: a new base covering them is stored, then the deltas
//    it covers are deleted. Writes are acknowledged meanwhile: they are
//    stored as deltas after the new base's seq. A crash at any step leaves a
//    loadable index holding every acknowledged write.
//  - Searches never wait for a save.
//  - Dropping an index deletes its base, then its deltas; if the store
//    refuses the base, the drop fails and the index stays.
//  - Open loads every index under `_vectors/`: the base, then each delta
//    after its seq in order. A damaged base is logged, listed by skipped()
//    and left alone; a missing, torn or damaged delta stops the replay
//    there and is reported in IndexStatus::damaged.
//
// Several processes on one store (services side by side): exactly one writes
// `_vectors/`. At Open a persistent service claims the object
// `_lakehouse/vectord-writer` with put-if-absent; of any number of processes
// starting together one wins. The
// others run read-only: searches and reads answer, every write is kConflict
// naming the writer, and they follow it (Refresh, on a timer): new deltas
// are applied to the index they serve; a new base or anything else changed
// reloads the index whole. So no object is ever
// written by two processes. The claim is deleted when the writer stops
// cleanly. After a
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
#include "vector/index_search.h"
#include "vector/lhd1.h"

namespace lakehouse::vector {

struct IndexStatus {
  IndexParams params;
  size_t count = 0;
  bool persisted = false;               // the stored object holds every change so far
  std::optional<DatasetSource> source;  // set for a dataset text index
  // Set when the load found a missing, torn or damaged delta: which object
  // and why. The index holds every change before it.
  std::string damaged;
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
struct StoredState;
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
  // Compaction starts when an index's deltas add up to more than this share
  // of its base and more than compact_min_bytes, or number compact_deltas.
  double compact_fraction = 0.25;
  uint64_t compact_min_bytes = 1 << 20;
  size_t compact_deltas = 1000;
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

  // Items with a text and no vector are embedded by the index's embedder
  // first (kInvalidArgument for an index without one).
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

  // Search in vector mode, its hits as the index gives them: `text`
  // embedded with the index's own embedder; kInvalidArgument for an index
  // without one.
  Result<std::vector<Hit>> SearchText(std::string_view name, const std::string& text, size_t k,
                                      std::optional<uint32_t> ef,
                                      const MetadataFilter& filter = {});

  // One search in any mode (index_search.h), the text embedded with the
  // index's own embedder when the mode needs a vector and none is given.
  Result<SearchResult> Search(std::string_view name, const SearchRequest& request);

  std::vector<SkippedObject> skipped() const;

  // Writes a base covering every change of the index so far, then deletes
  // the deltas it covers. Runs in the background on its own; public so tests
  // and tools can force it. kUnavailable if a put failed (the deltas stay and
  // the index loads as before); no-op without a store.
  Status Compact(std::string_view name);

 private:
  struct Entry {
    std::shared_ptr<Index> index;
    std::shared_ptr<IndexSaver> saver;   // null when ephemeral
    std::shared_ptr<TextOrigin> origin;  // never null; empty unless built from a dataset
    std::string damaged;                 // see IndexStatus::damaged
  };
  struct StoredIndex;

  VectorService(storage::ObjectStore* store, VectorServiceOptions options);
  Status ClaimWriter();
  void ReleaseWriter();
  Status LoadAll();
  // Loads one listed index, its base and then its deltas; the error says
  // why the base is skipped.
  Result<Entry> LoadIndex(const std::string& name, const StoredIndex& stored);
  bool FollowDeltas(const std::string& name, const StoredIndex& stored);
  std::shared_ptr<IndexSaver> NewSaver(const Entry& entry, const StoredState& state);
  Result<WriteOutcome> Write(const Entry& entry, lhd1::Change change, bool missing_ok);
  void CompactWhereWanted(const std::stop_token& stop);
  void RetryUnsavedUntilStopped(const std::stop_token& stop);
  void RefreshUntilStopped(const std::stop_token& stop);
  Result<Entry> FindEntry(std::string_view name) const;
  IndexStatus StatusOf(const Entry& entry) const;
  bool SaveThrough(const Entry& entry, bool retry = false);
  Result<std::shared_ptr<embed::Embedder>> EmbedderOf(const Entry& entry) const;
  Status EmbedMissingVectors(const Entry& entry, std::vector<Item>& items) const;
  Status Register(const std::string& name, const Entry& entry);
  Result<std::shared_ptr<embed::Embedder>> RestoreEmbedder(const std::string& model,
                                                           std::string_view state) const;

  storage::ObjectStore* store_;
  std::mutex admin_mu_;  // creates and drops take turns
  mutable std::shared_mutex mu_;
  std::map<std::string, Entry, std::less<>> indexes_;
  std::vector<SkippedObject> skipped_;
  // What each `_vectors/` object was when it was last loaded or skipped: its
  // etag, and for a base also its deltas' keys and etags.
  std::map<std::string, std::string, std::less<>> etags_;
  std::mutex refresh_mu_;  // one Refresh at a time
  bool read_only_ = false;
  std::string writer_;
  std::string claim_token_;  // this process's claim, to release only our own
  VectorServiceOptions options_;
  std::mutex retry_mu_;
  std::condition_variable_any retry_cv_;
  bool compact_wanted_ = false;  // under retry_mu_
  std::jthread retrier_;         // last: stops and joins before the rest goes
};

}  // namespace lakehouse::vector
