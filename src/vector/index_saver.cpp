// IndexSaver: group-committed deltas, compaction into a new base, replay.
#include "vector/index_saver.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <iterator>

#include "vector/lhv1.h"

namespace lakehouse::vector {

namespace {
constexpr size_t kPutChunk = 1 << 20;

uint64_t MaxSeq(const StoredDeltas& deltas, uint64_t at_least) {
  for (const auto& [seq, object] : deltas) at_least = std::max(at_least, seq);
  return at_least;
}
}  // namespace

void DeleteDeltas(storage::ObjectStore& store, const StoredDeltas& deltas, uint64_t through) {
  for (const auto& [seq, object] : deltas) {
    if (seq > through) continue;
    Status deleted = store.Delete(object.key);
    if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) {
      spdlog::warn("vectord: could not delete covered delta {}: {}", object.key,
                   deleted.ToString());
    }
  }
}

Status ApplyChange(Index& index, TextOrigin& origin, lhd1::Change change, bool missing_ok) {
  if (!change.upserts.empty()) LH_RETURN_IF_ERROR(index.Add(std::move(change.upserts)));
  for (const auto& id : change.removals) {
    Status removed = index.Remove(id);
    if (!removed.ok() && !(missing_ok && removed.code() == StatusCode::kNotFound)) return removed;
  }
  if (change.source) {
    std::lock_guard lock(origin.mu);
    origin.source = std::move(change.source);
  }
  return Status::Ok();
}

Result<StoredDeltas> ListDeltas(storage::ObjectStore& store, std::string_view name) {
  storage::ListOptions options;
  options.prefix = lhd1::DeltaPrefix(name);
  StoredDeltas deltas;
  while (true) {
    LH_ASSIGN_OR_RETURN(auto page, store.List(options));
    for (auto& object : page.objects) {
      if (auto seq = lhd1::ParseDeltaKey(name, object.key)) {
        deltas.emplace_back(*seq, std::move(object));
      }
    }
    if (!page.next) break;
    options.start_after = *page.next;
  }
  return deltas;
}

std::string ReplayDeltas(storage::ObjectStore& store, const std::string& name, Index& index,
                         TextOrigin& origin, const StoredDeltas& deltas, StoredState* state) {
  for (const auto& [seq, object] : deltas) {
    if (seq <= state->seq) continue;  // covered by the base: a compaction's leftovers
    if (seq != state->seq + 1) {
      return lhd1::DeltaKey(name, state->seq + 1) + ": missing (the next stored is " + object.key +
             ")";
    }
    auto bytes = store.GetBytes(object.key);
    if (!bytes.ok()) return object.key + ": " + bytes.status().ToString();
    auto delta = lhd1::Decode(*bytes);
    if (!delta.ok()) return object.key + ": " + delta.status().message();
    if (delta->index != name || delta->seq != seq || delta->dim != index.params().dim) {
      return object.key + ": holds seq " + std::to_string(delta->seq) + " of index \"" +
             delta->index + "\" (dim " + std::to_string(delta->dim) + ")";
    }
    for (auto& change : delta->changes) {
      Status applied = ApplyChange(index, origin, std::move(change), /*missing_ok=*/true);
      if (!applied.ok()) return object.key + ": " + applied.message();
    }
    state->seq = seq;
    state->delta_bytes += bytes->size();
    state->deltas += 1;
  }
  return "";
}

IndexSaver::IndexSaver(storage::ObjectStore& store, std::string base_key,
                       std::shared_ptr<Index> index, std::shared_ptr<TextOrigin> origin,
                       SaverPolicy policy, StoredState state)
    : store_(store),
      base_key_(std::move(base_key)),
      index_(std::move(index)),
      origin_(std::move(origin)),
      policy_(std::move(policy)),
      stored_(state),
      durable_(state.durable),
      attempted_(state.durable) {}

Result<int64_t> IndexSaver::Record(lhd1::Change change, bool missing_ok) {
  std::lock_guard lock(write_mu_);
  lhd1::Change queued = change;
  LH_RETURN_IF_ERROR(ApplyChange(*index_, *origin_, std::move(change), missing_ok));
  pending_.push_back(std::move(queued));
  return ++recorded_;
}

bool IndexSaver::SaveThrough(int64_t number, bool retry) {
  std::unique_lock lock(mu_);
  while (true) {
    if (durable_ >= number) return true;
    if (stopped_ || (attempted_ >= number && !retry)) return false;
    if (!saving_) break;
    done_.wait(lock);
  }
  lock.unlock();
  return RunSave(/*base=*/false) && Durable(number);
}

// Two phases. Under the save turn: the queued writes are stored as one more
// delta and the index is snapshotted with nothing queued, both while writes
// wait, so the snapshot covers exactly the stored deltas. Then the turn is
// handed back and the base is put while later writes are stored as deltas
// after it. Without a base yet (a new or damaged index) deltas would have
// nothing to follow, so the whole save keeps the turn.
bool IndexSaver::Compact() {
  std::unique_lock lock(mu_);
  done_.wait(lock, [&] { return !saving_ && !compacting_; });
  if (stopped_) return false;
  if (stored_.needs_base) {
    lock.unlock();
    return RunSave(/*base=*/true);
  }
  saving_ = compacting_ = true;
  lock.unlock();
  int64_t covered = -1;
  bool flushed = false;
  std::optional<IndexImage> image = FlushAndSnapshot(&covered, &flushed);
  lock.lock();
  saving_ = false;
  attempted_ = std::max(attempted_, covered);
  if (flushed) durable_ = std::max(durable_, covered);
  StoredState at_image = stored_;
  done_.notify_all();
  lock.unlock();
  bool stored = image && PutBaseAndTrim(std::move(*image), at_image);
  lock.lock();
  compacting_ = false;
  done_.notify_all();
  return stored;
}

bool IndexSaver::Durable() const { return Durable(recorded_.load()); }

bool IndexSaver::Durable(int64_t number) const {
  std::lock_guard lock(mu_);
  return durable_ >= number;
}

bool IndexSaver::WantsCompaction() const {
  std::lock_guard lock(mu_);
  return WantsCompactionLocked();
}

bool IndexSaver::WantsCompactionLocked() const {
  if (stored_.needs_base || stored_.deltas == 0 || compacting_) return false;
  if (policy_.compact_deltas > 0 && stored_.deltas >= policy_.compact_deltas) return true;
  return stored_.delta_bytes > policy_.compact_min_bytes &&
         static_cast<double>(stored_.delta_bytes) >
             policy_.compact_fraction * static_cast<double>(stored_.base_bytes);
}

StoredState IndexSaver::stored() const {
  std::lock_guard lock(mu_);
  return stored_;
}

void IndexSaver::Followed(const StoredState& state) {
  std::lock_guard lock(mu_);
  stored_ = state;
}

void IndexSaver::Stop() {
  std::unique_lock lock(mu_);
  done_.wait(lock, [&] { return !saving_ && !compacting_; });
  stopped_ = true;
}

void IndexSaver::Resume() {
  std::lock_guard lock(mu_);
  stopped_ = false;
}

// Takes the save turn, saves and hands the outcome to the waiters. Waiters
// whose writes this save covered learn their outcome from it; after a
// failure the rest try again rather than queue behind it.
bool IndexSaver::RunSave(bool base) {
  std::unique_lock lock(mu_);
  done_.wait(lock, [&] { return !saving_; });
  if (stopped_) return false;
  saving_ = true;
  base = base || stored_.needs_base;
  lock.unlock();
  int64_t covered = -1;
  bool stored = base ? SaveBase(&covered) : SaveDelta(&covered);
  lock.lock();
  saving_ = false;
  attempted_ = std::max(attempted_, covered);
  if (stored) durable_ = std::max(durable_, covered);
  bool wake = stored && WantsCompactionLocked();
  done_.notify_all();
  lock.unlock();
  if (wake && policy_.wake_compactor) policy_.wake_compactor();
  return stored;
}

std::vector<lhd1::Change> IndexSaver::TakePending(int64_t* covered) {
  std::lock_guard lock(write_mu_);
  *covered = recorded_;
  return std::exchange(pending_, {});
}

void IndexSaver::Requeue(std::vector<lhd1::Change> changes) {
  std::lock_guard lock(write_mu_);
  pending_.insert(pending_.begin(), std::make_move_iterator(changes.begin()),
                  std::make_move_iterator(changes.end()));
}

bool IndexSaver::SaveDelta(int64_t* covered) {
  std::vector<lhd1::Change> changes = TakePending(covered);
  if (changes.empty() || PutDelta(changes)) return true;
  Requeue(std::move(changes));
  return false;
}

// Stores `changes` as the next delta. On failure they are handed back in
// `changes`, for the caller to queue again.
bool IndexSaver::PutDelta(std::vector<lhd1::Change>& changes) {
  const std::string& name = index_->params().name;
  uint64_t seq = stored().seq + 1;
  lhd1::Delta delta{name, seq, index_->params().dim, std::move(changes)};
  auto bytes = lhd1::Encode(delta);
  // A put that failed may still have landed (a timeout): its seq is taken,
  // and this delta, which repeats its writes, goes after it.
  for (int attempt = 0;; ++attempt) {
    Status put =
        bytes.ok()
            ? store_.PutBytes(lhd1::DeltaKey(name, delta.seq), *bytes, storage::PutMode::kIfAbsent)
                  .status()
            : bytes.status();
    if (put.ok()) break;
    if (put.code() != StatusCode::kAlreadyExists || attempt == 2) {
      spdlog::error("vectord: save of index {} failed: delta {}: {}", name, delta.seq,
                    put.ToString());
      changes = std::move(delta.changes);
      return false;
    }
    delta.seq += 1;
    bytes = lhd1::Encode(delta);
  }
  std::lock_guard lock(mu_);
  stored_.seq = delta.seq;
  stored_.delta_bytes += bytes->size();
  stored_.deltas += 1;
  return true;
}

// A consistent image of the index, its origin and what its embedder learned;
// the caller holds write_mu_ so no write runs meanwhile.
Result<IndexImage> IndexSaver::SnapshotLocked() {
  LH_ASSIGN_OR_RETURN(IndexImage image, index_->Snapshot());
  std::lock_guard origin_lock(origin_->mu);
  image.source = origin_->source;
  if (origin_->embedder) image.embedder_state = origin_->embedder->LearnedState();
  return image;
}

// Stores the queued writes as a delta and snapshots the index, with writes
// held off in between, so the image holds exactly what the stored deltas do:
// no write is both in the base and in a delta after it. nullopt (logged) if
// the delta or the snapshot failed; `flushed` says whether the queued writes
// were stored (else they stay queued).
std::optional<IndexImage> IndexSaver::FlushAndSnapshot(int64_t* covered, bool* flushed) {
  const std::string& name = index_->params().name;
  auto deltas = ListDeltas(store_, name);
  if (!deltas.ok()) {
    // Nothing was tried for the queued writes: *covered stays as it was.
    spdlog::error("vectord: compaction of index {} failed: {}", name, deltas.status().ToString());
    return std::nullopt;
  }
  std::lock_guard lock(write_mu_);
  *covered = recorded_;
  std::vector<lhd1::Change> changes = std::exchange(pending_, {});
  if (!changes.empty() && !PutDelta(changes)) {
    pending_ = std::move(changes);
    return std::nullopt;
  }
  *flushed = true;
  auto image = SnapshotLocked();
  if (!image.ok()) {
    spdlog::error("vectord: compaction of index {} failed: {}", name, image.status().ToString());
    return std::nullopt;
  }
  // A delta whose put failed may have landed all the same; the base covers
  // its seq, so it is never replayed on top of the writes it repeats.
  image->seq = MaxSeq(*deltas, stored().seq);
  return std::move(*image);
}

// Order: put the base with a seq at or past every delta it covers (one
// atomic overwrite: readers see the old base or the new one), then delete
// those deltas. A crash before the put leaves the old base and its deltas;
// after it, covered deltas are skipped at load. Deltas stored meanwhile have
// later seqs and follow the new base.
bool IndexSaver::PutBaseAndTrim(IndexImage image, const StoredState& at_image) {
  const std::string& name = index_->params().name;
  auto started = std::chrono::steady_clock::now();
  auto put = PutBase(image);
  if (!put.ok()) {
    spdlog::error("vectord: compaction of index {} failed: base: {}", name,
                  put.status().ToString());
    return false;
  }
  {
    std::lock_guard lock(mu_);
    stored_.base_bytes = *put;
    stored_.deltas -= std::min(stored_.deltas, at_image.deltas);
    stored_.delta_bytes -= std::min(stored_.delta_bytes, at_image.delta_bytes);
  }
  if (auto deltas = ListDeltas(store_, name); deltas.ok()) DeleteDeltas(store_, *deltas, image.seq);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  spdlog::debug("vectord: compacted index {} into a base ({} items, {} bytes, seq {}) in {} ms",
                name, image.entries.size(), *put, image.seq, ms);
  return true;
}

// The base of a new or damaged index, with the save turn held throughout.
bool IndexSaver::SaveBase(int64_t* covered) {
  const std::string& name = index_->params().name;
  auto deltas = ListDeltas(store_, name);
  if (!deltas.ok()) {
    spdlog::error("vectord: save of index {} failed: {}", name, deltas.status().ToString());
    return false;
  }
  std::vector<lhd1::Change> taken;
  Result<IndexImage> image = Status::Internal("not taken");
  {
    std::lock_guard lock(write_mu_);
    image = SnapshotLocked();
    *covered = recorded_;
    taken = std::exchange(pending_, {});
  }
  if (!image.ok()) {
    spdlog::error("vectord: save of index {} failed: {}", name, image.status().ToString());
    Requeue(std::move(taken));
    return false;
  }
  image->seq = MaxSeq(*deltas, stored().seq);
  auto put = PutBase(*image);
  if (!put.ok()) {
    spdlog::error("vectord: save of index {} failed: base: {}", name, put.status().ToString());
    Requeue(std::move(taken));
    return false;
  }
  {
    std::lock_guard lock(mu_);
    stored_ = {*covered, image->seq, *put, 0, 0, false};
  }
  DeleteDeltas(store_, *deltas, image->seq);
  return true;
}

// Puts the base object; returns its size.
Result<uint64_t> IndexSaver::PutBase(const IndexImage& image) {
  LH_ASSIGN_OR_RETURN(std::string prefix, lhv1::EncodePrefix(image));
  const std::string& graph = image.graph;
  storage::PutOptions options;
  const std::string& words = image.full_text;
  options.content_length = prefix.size() + graph.size() + words.size();
  auto body = [&](const storage::ChunkWriter& write) -> Status {
    LH_RETURN_IF_ERROR(write(prefix));
    for (const std::string* part : {&graph, &words}) {
      for (size_t at = 0; at < part->size(); at += kPutChunk) {
        LH_RETURN_IF_ERROR(write(std::string_view(*part).substr(at, kPutChunk)));
      }
    }
    return Status::Ok();
  };
  LH_RETURN_IF_ERROR(store_.Put(base_key_, body, options).status());
  return *options.content_length;
}

}  // namespace lakehouse::vector
