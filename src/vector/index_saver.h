// Persistence of one vector index as a base and deltas: stores its writes
// (group commit), compacts, and replays stored deltas at load. The stored
// formats are lhv1.h (base) and lhd1.h (delta); docs/design.md gives the
// order of operations and why each crash point is safe.
//
// Threading: every IndexSaver method is safe to call from any thread. Writes
// (Record) take turns; one save runs at a time, except that a compaction's
// base put runs beside later delta saves. The store must outlive the saver.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "embed/embedder.h"
#include "storage/object_store.h"
#include "vector/index.h"
#include "vector/lhd1.h"

namespace lakehouse::vector {

// A dataset text index's origin, kept beside the engine's index and saved
// with it.
struct TextOrigin {
  mutable std::mutex mu;
  std::optional<DatasetSource> source;
  std::shared_ptr<embed::Embedder> embedder;  // fitted to the texts; null: the model's
};

// Where an index's stored objects stand.
struct StoredState {
  int64_t durable = -1;  // writes stored; -1: not even the base (a new index)
  uint64_t seq = 0;      // the last delta stored, or the base's seq
  uint64_t base_bytes = 0;
  uint64_t delta_bytes = 0;  // deltas after the base
  size_t deltas = 0;
  bool needs_base = true;  // the next save writes a base instead of a delta
};

struct SaverPolicy {
  double compact_fraction = 0.25;  // of the base's bytes, in deltas
  uint64_t compact_min_bytes = 0;
  size_t compact_deltas = 0;             // 0: no count limit
  std::function<void()> wake_compactor;  // called when compaction is due
};

// One write, applied to the index: the live path and replay at load share it,
// so a replayed delta does exactly what the write did. `missing_ok`: removing
// an absent id is no error (a refresh, or a replay repeating a change).
Status ApplyChange(Index& index, TextOrigin& origin, lhd1::Change change, bool missing_ok);

// The deltas stored for `name`, in seq order.
using StoredDeltas = std::vector<std::pair<uint64_t, storage::ObjectInfo>>;
Result<StoredDeltas> ListDeltas(storage::ObjectStore& store, std::string_view name);

// Deletes the deltas with seq <= `through`. A failure is logged and leaves
// only garbage: a load skips deltas at or below its base's seq.
void DeleteDeltas(storage::ObjectStore& store, const StoredDeltas& deltas, uint64_t through);

// Applies the deltas after state->seq in order, through ApplyChange. Stops at
// the first missing, unreadable or inapplicable one and returns what it was
// (empty: all applied); `state` ends at the last applied. A delta is checked
// whole (checksum) before any of it applies.
std::string ReplayDeltas(storage::ObjectStore& store, const std::string& name, Index& index,
                         TextOrigin& origin, const StoredDeltas& deltas, StoredState* state);

// Stores one index's writes: a delta holding every write queued before it
// began (group commit), or a base covering all of them. Write numbers count
// Record calls; a write is durable once a stored delta or base covers it.
class IndexSaver {
 public:
  // `base_key` is where the index's base lives.
  IndexSaver(storage::ObjectStore& store, std::string base_key, std::shared_ptr<Index> index,
             std::shared_ptr<TextOrigin> origin, SaverPolicy policy, StoredState state);

  // Applies `change` and queues it for the next save, in one turn with other
  // writes, so deltas replay in the order the index saw the writes. Returns
  // the write's number; an error changed nothing and queued nothing.
  Result<int64_t> Record(lhd1::Change change, bool missing_ok);
  int64_t recorded() const { return recorded_.load(); }

  // Returns once a save covering write `number` has been tried: true if
  // stored. A retry tries again even if a save covering it already failed.
  bool SaveThrough(int64_t number, bool retry = false);

  // Writes a base covering every write so far, then deletes the deltas it
  // covers; false if the base was not stored. Writes go on being stored as
  // deltas while the base is put, so no write waits for a compaction.
  bool Compact();

  bool Durable() const;
  bool WantsCompaction() const;

  // A reader's view of what it has applied, advanced as it follows deltas.
  StoredState stored() const;
  void Followed(const StoredState& state);

  // Waits out a running save or compaction and refuses later ones (the index
  // is going); Resume undoes it.
  void Stop();
  void Resume();

 private:
  bool Durable(int64_t number) const;
  bool WantsCompactionLocked() const;
  bool RunSave(bool base);
  std::vector<lhd1::Change> TakePending(int64_t* covered);
  void Requeue(std::vector<lhd1::Change> changes);
  bool SaveDelta(int64_t* covered);
  bool PutDelta(std::vector<lhd1::Change>& changes);
  Result<IndexImage> SnapshotLocked();
  std::optional<IndexImage> FlushAndSnapshot(int64_t* covered, bool* flushed);
  bool SaveBase(int64_t* covered);
  bool PutBaseAndTrim(IndexImage image, const StoredState& at_image);
  Result<uint64_t> PutBase(const IndexImage& image);

  storage::ObjectStore& store_;
  const std::string base_key_;
  std::shared_ptr<Index> index_;
  std::shared_ptr<TextOrigin> origin_;
  SaverPolicy policy_;
  std::mutex write_mu_;                // writes take turns with each other and with snapshots
  std::vector<lhd1::Change> pending_;  // applied, not yet stored; under write_mu_
  std::atomic<int64_t> recorded_{0};
  mutable std::mutex mu_;
  std::condition_variable done_;
  StoredState stored_;  // written by the one running save, under mu_
  bool saving_ = false;
  bool compacting_ = false;  // a base put runs outside the save turn
  bool stopped_ = false;
  int64_t durable_;    // highest write number stored
  int64_t attempted_;  // highest write number a finished save covered, stored or not
};

}  // namespace lakehouse::vector
