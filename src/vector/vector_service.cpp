#include "vector/vector_service.h"

#include <spdlog/spdlog.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "vector/lhd1.h"
#include "vector/lhv1.h"

namespace lakehouse::vector {

namespace {
constexpr std::string_view kPrefix = "_vectors/";
constexpr std::string_view kSuffix = ".lhv1";
constexpr size_t kPutChunk = 1 << 20;
}  // namespace

// A dataset text index's origin, kept beside the engine's index and saved
// with it.
struct TextOrigin {
  mutable std::mutex mu;
  std::optional<DatasetSource> source;
  std::shared_ptr<embed::Embedder> embedder;  // fitted to the texts; null: the model's
};

// Where an index's stored objects stand when its saver starts.
struct StoredState {
  int64_t durable = -1;  // writes stored; -1: not even the base (a new index)
  uint64_t seq = 0;      // the last delta stored, or the base's seq
  uint64_t base_bytes = 0;
  uint64_t delta_bytes = 0;  // deltas after the base
  size_t deltas = 0;
  bool needs_base = true;  // the next save writes a base instead of a delta
};

namespace {

// One write, applied to the index: the live path and replay at load share it,
// so a replayed delta does exactly what the write did. `missing_ok`: removing
// an absent id is no error (a refresh, or a replay repeating a change).
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

// The deltas stored for `name`, in seq order.
Result<std::vector<std::pair<uint64_t, storage::ObjectInfo>>> ListDeltas(
    storage::ObjectStore& store, std::string_view name) {
  storage::ListOptions options;
  options.prefix = lhd1::DeltaPrefix(name);
  std::vector<std::pair<uint64_t, storage::ObjectInfo>> deltas;
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

// Deletes the deltas a stored base covers. A failure only leaves garbage:
// a load skips deltas at or below the base's seq.
void DeleteDeltas(storage::ObjectStore& store,
                  const std::vector<std::pair<uint64_t, storage::ObjectInfo>>& deltas,
                  uint64_t through) {
  for (const auto& [seq, object] : deltas) {
    if (seq > through) continue;
    Status deleted = store.Delete(object.key);
    if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) {
      spdlog::warn("vectord: could not delete covered delta {}: {}", object.key,
                   deleted.ToString());
    }
  }
}

}  // namespace

struct SaverPolicy {
  double compact_fraction = 0.25;
  uint64_t compact_min_bytes = 0;
  size_t compact_deltas = 0;
  std::function<void()> wake_compactor;  // called when compaction is due
};

// Stores one index's writes, one save at a time: a delta holding every write
// queued before it began (group commit), or a base covering all of them.
// Write numbers count Record calls; durable_ is the highest stored.
class IndexSaver {
 public:
  IndexSaver(storage::ObjectStore& store, std::shared_ptr<Index> index,
             std::shared_ptr<TextOrigin> origin, SaverPolicy policy, StoredState state)
      : store_(store),
        index_(std::move(index)),
        origin_(std::move(origin)),
        policy_(std::move(policy)),
        stored_(state),
        durable_(state.durable),
        attempted_(state.durable) {}

  // Applies `change` and queues it for the next save, in one turn with other
  // writes, so deltas replay in the order the index saw the writes. Returns
  // the write's number; an error changed nothing and queued nothing.
  Result<int64_t> Record(lhd1::Change change, bool missing_ok) {
    std::lock_guard lock(write_mu_);
    lhd1::Change queued = change;
    LH_RETURN_IF_ERROR(ApplyChange(*index_, *origin_, std::move(change), missing_ok));
    pending_.push_back(std::move(queued));
    return ++recorded_;
  }
  int64_t recorded() const { return recorded_.load(); }

  // Returns once a save covering write `number` has been tried: true if
  // stored. A retry tries again even if a save covering it already failed.
  bool SaveThrough(int64_t number, bool retry = false) {
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

  // Writes a base covering every write so far, then deletes the deltas it
  // covers. Waits out a running save; false if the base was not stored.
  bool Compact() { return RunSave(/*base=*/true); }

  bool Durable() const { return Durable(recorded_.load()); }

  bool WantsCompaction() const {
    std::lock_guard lock(mu_);
    return WantsCompactionLocked();
  }

  // A reader's view of what it has applied, advanced as it follows deltas.
  StoredState stored() const {
    std::lock_guard lock(mu_);
    return stored_;
  }
  void Followed(const StoredState& state) {
    std::lock_guard lock(mu_);
    stored_ = state;
  }

  // Waits out a running save and refuses later ones (the index is going).
  void Stop() {
    std::unique_lock lock(mu_);
    done_.wait(lock, [&] { return !saving_; });
    stopped_ = true;
  }
  void Resume() {
    std::lock_guard lock(mu_);
    stopped_ = false;
  }

 private:
  bool Durable(int64_t number) const {
    std::lock_guard lock(mu_);
    return durable_ >= number;
  }

  bool WantsCompactionLocked() const {
    if (stored_.needs_base || stored_.deltas == 0) return false;
    if (policy_.compact_deltas > 0 && stored_.deltas >= policy_.compact_deltas) return true;
    return stored_.delta_bytes > policy_.compact_min_bytes &&
           static_cast<double>(stored_.delta_bytes) >
               policy_.compact_fraction * static_cast<double>(stored_.base_bytes);
  }

  // Takes the save turn, saves and hands the outcome to the waiters. Waiters
  // whose writes this save covered learn their outcome from it; after a
  // failure the rest try again rather than queue behind it.
  bool RunSave(bool base) {
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

  // Moves the queued writes out, with the number of the last of them.
  std::vector<lhd1::Change> TakePending(int64_t* covered) {
    std::lock_guard lock(write_mu_);
    *covered = recorded_;
    return std::exchange(pending_, {});
  }
  // A failed save's writes go back in front of the ones queued since.
  void Requeue(std::vector<lhd1::Change> changes) {
    std::lock_guard lock(write_mu_);
    pending_.insert(pending_.begin(), std::make_move_iterator(changes.begin()),
                    std::make_move_iterator(changes.end()));
  }

  bool SaveDelta(int64_t* covered) {
    const std::string& name = index_->params().name;
    lhd1::Delta delta{name, stored_.seq + 1, index_->params().dim, TakePending(covered)};
    if (delta.changes.empty()) return true;
    std::string bytes = lhd1::Encode(delta);
    // A put that failed may still have landed (a timeout): its seq is taken,
    // and this delta, which repeats its writes, goes after it.
    for (int attempt = 0;; ++attempt) {
      auto put =
          store_.PutBytes(lhd1::DeltaKey(name, delta.seq), bytes, storage::PutMode::kIfAbsent);
      if (put.ok()) break;
      if (put.status().code() != StatusCode::kAlreadyExists || attempt == 2) {
        spdlog::error("vectord: save of index {} failed: delta {}: {}", name, delta.seq,
                      put.status().ToString());
        Requeue(std::move(delta.changes));
        return false;
      }
      delta.seq += 1;
      bytes = lhd1::Encode(delta);
    }
    std::lock_guard lock(mu_);
    stored_.seq = delta.seq;
    stored_.delta_bytes += bytes.size();
    stored_.deltas += 1;
    return true;
  }

  // A consistent image of the index with every queued write, taken while no
  // write runs, and those writes (now covered by it).
  Result<IndexImage> TakeImage(int64_t* covered, std::vector<lhd1::Change>* taken) {
    std::lock_guard lock(write_mu_);
    LH_ASSIGN_OR_RETURN(IndexImage image, index_->Snapshot());
    {
      std::lock_guard origin_lock(origin_->mu);
      image.source = origin_->source;
      if (origin_->embedder) image.embedder_state = origin_->embedder->LearnedState();
    }
    *covered = recorded_;
    *taken = std::exchange(pending_, {});
    return image;
  }

  // Order: list the deltas, put the base with a seq at or past all of them
  // (one atomic overwrite: readers see the old base or the new one), then
  // delete the deltas it covers. A crash before the put leaves the old base
  // and its deltas; after it, covered deltas are skipped at load.
  bool SaveBase(int64_t* covered) {
    const std::string& name = index_->params().name;
    auto started = std::chrono::steady_clock::now();
    auto deltas = ListDeltas(store_, name);
    if (!deltas.ok()) {
      spdlog::error("vectord: save of index {} failed: {}", name, deltas.status().ToString());
      return false;
    }
    std::vector<lhd1::Change> taken;
    auto image = TakeImage(covered, &taken);
    if (!image.ok()) {
      spdlog::error("vectord: save of index {} failed: {}", name, image.status().ToString());
      Requeue(std::move(taken));
      return false;
    }
    image->seq = stored_.seq;
    for (const auto& [seq, object] : *deltas) image->seq = std::max(image->seq, seq);
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
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    spdlog::debug("vectord: stored base of index {} ({} items, {} bytes, seq {}) in {} ms", name,
                  image->entries.size(), *put, image->seq, ms);
    return true;
  }

  // Puts the base object; returns its size.
  Result<uint64_t> PutBase(const IndexImage& image) {
    std::string prefix = lhv1::EncodePrefix(image);
    const std::string& graph = image.graph;
    storage::PutOptions options;
    options.content_length = prefix.size() + graph.size();
    LH_RETURN_IF_ERROR(store_
                           .Put(
                               VectorService::ObjectKey(image.params.name),
                               [&](const storage::ChunkWriter& write) -> Status {
                                 LH_RETURN_IF_ERROR(write(prefix));
                                 for (size_t at = 0; at < graph.size(); at += kPutChunk) {
                                   LH_RETURN_IF_ERROR(
                                       write(std::string_view(graph).substr(at, kPutChunk)));
                                 }
                                 return Status::Ok();
                               },
                               options)
                           .status());
    return *options.content_length;
  }

  storage::ObjectStore& store_;
  std::shared_ptr<Index> index_;
  std::shared_ptr<TextOrigin> origin_;
  SaverPolicy policy_;
  std::mutex write_mu_;                // writes take turns with each other and with TakeImage
  std::vector<lhd1::Change> pending_;  // applied, not yet stored; under write_mu_
  std::atomic<int64_t> recorded_{0};
  mutable std::mutex mu_;
  std::condition_variable done_;
  StoredState stored_;  // written by the one running save, under mu_
  bool saving_ = false;
  bool stopped_ = false;
  int64_t durable_;    // highest write number stored
  int64_t attempted_;  // highest write number a finished save covered, stored or not
};

VectorService::VectorService(storage::ObjectStore* store, VectorServiceOptions options)
    : store_(store), options_(std::move(options)) {}

VectorService::~VectorService() {
  // The background thread may be saving: it must be done before the claim
  // goes, or its save could land after the next writer's.
  if (retrier_.joinable()) {
    retrier_.request_stop();
    retrier_.join();
  }
  ReleaseWriter();
}

namespace {
std::string NewClaimToken() {
  std::mt19937_64 rng{std::random_device{}()};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buffer;
}

struct Claim {
  std::string writer;
  std::string token;
  std::string host;
  int64_t pid = 0;
};

std::string HostName() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return "";
  return host;
}

// The holder ran on this host and its process is gone (a crash or kill -9):
// its claim protects nobody. pid reuse can only make this answer "alive".
bool HolderIsDeadHere(const Claim& claim) {
  if (claim.host.empty() || claim.host != HostName() || claim.pid <= 0) return false;
  return ::kill(static_cast<pid_t>(claim.pid), 0) != 0 && errno == ESRCH;
}

// A claim object that does not parse still holds the role (someone wrote
// it); it is described as unknown.
Claim ParseClaim(const std::string& bytes) {
  auto json = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  Claim claim;
  claim.writer = "an unknown process";
  if (json.is_object()) {
    if (json.contains("writer") && json["writer"].is_string()) claim.writer = json["writer"];
    if (json.contains("token") && json["token"].is_string()) claim.token = json["token"];
    if (json.contains("host") && json["host"].is_string()) claim.host = json["host"];
    if (json.contains("pid") && json["pid"].is_number_integer()) claim.pid = json["pid"];
  }
  return claim;
}
}  // namespace

Status VectorService::ClaimWriter() {
  writer_ = options_.writer_id.empty() ? "pid " + std::to_string(::getpid()) : options_.writer_id;
  auto read_claim = [&]() -> Result<std::optional<Claim>> {
    auto bytes = store_->GetBytes(kWriterKey);
    if (!bytes.ok()) {
      if (bytes.status().code() == StatusCode::kNotFound) return std::optional<Claim>();
      return bytes.status();
    }
    return std::optional<Claim>(ParseClaim(*bytes));
  };
  if (options_.role == VectorRole::kReader) {
    LH_ASSIGN_OR_RETURN(auto claim, read_claim());
    read_only_ = true;
    writer_ = claim ? claim->writer : "none (no vectord holds " + std::string(kWriterKey) + ")";
    spdlog::info("vectord: read-only by configuration; the writer is {}", writer_);
    return Status::Ok();
  }
  claim_token_ = NewClaimToken();
  nlohmann::json body = {{"writer", writer_},
                         {"token", claim_token_},
                         {"host", HostName()},
                         {"pid", ::getpid()},
                         {"since_unix_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count()}};
  // A few rounds: the holder may release between our put and our read.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto put = store_->PutBytes(kWriterKey, body.dump(), storage::PutMode::kIfAbsent);
    if (put.ok()) {
      spdlog::info("vectord: this process ({}) writes _vectors/", writer_);
      return Status::Ok();
    }
    if (put.status().code() != StatusCode::kAlreadyExists) return put.status();
    LH_ASSIGN_OR_RETURN(auto claim, read_claim());
    if (!claim) continue;
    if ((!options_.writer_id.empty() && claim->writer == options_.writer_id) ||
        HolderIsDeadHere(*claim)) {
      // Our own claim, or one of a dead process on this host, left by a
      // crash: take it back.
      LH_RETURN_IF_ERROR(store_->PutBytes(kWriterKey, body.dump()).status());
      spdlog::warn("vectord: took back the writer claim of {} left by an earlier run",
                   claim->writer);
      return Status::Ok();
    }
    claim_token_.clear();
    if (options_.role == VectorRole::kWriter) {
      return Status::Conflict("vectord role = \"writer\", but " + claim->writer + " holds " +
                              std::string(kWriterKey) +
                              "; stop it, or delete that object if it is gone");
    }
    read_only_ = true;
    writer_ = claim->writer;
    spdlog::info("vectord: read-only; {} writes _vectors/ (it holds {})", writer_, kWriterKey);
    return Status::Ok();
  }
  return Status::Unavailable("the vectord writer claim " + std::string(kWriterKey) +
                             " keeps changing; try again");
}

void VectorService::ReleaseWriter() {
  if (store_ == nullptr || read_only_ || claim_token_.empty()) return;
  // Only our own claim: a process that lost it (taken back by a restarted
  // writer of the same id) must not delete the new holder's.
  auto bytes = store_->GetBytes(kWriterKey);
  if (!bytes.ok() || ParseClaim(*bytes).token != claim_token_) return;
  Status deleted = store_->Delete(kWriterKey);
  if (!deleted.ok()) {
    spdlog::warn("vectord: could not release the writer claim: {}", deleted.ToString());
  }
}

Status VectorService::CheckWritable() const {
  if (!read_only_) return Status::Ok();
  return Status::Conflict("this vectord is read-only: index writes go to the writer, " + writer_ +
                          " (the holder of " + std::string(kWriterKey) + ")");
}

std::string VectorService::ObjectKey(std::string_view index_name) {
  return std::string(kPrefix) + std::string(index_name) + std::string(kSuffix);
}

Result<std::unique_ptr<VectorService>> VectorService::Open(storage::ObjectStore* store,
                                                           VectorServiceOptions options) {
  std::unique_ptr<VectorService> service(new VectorService(store, std::move(options)));
  if (store != nullptr) {
    LH_RETURN_IF_ERROR(service->ClaimWriter());
    LH_RETURN_IF_ERROR(service->LoadAll());
    // A writer retries unsaved indexes; a reader follows the writer's saves.
    if (service->read_only_) {
      service->retrier_ = std::jthread(
          [raw = service.get()](std::stop_token stop) { raw->RefreshUntilStopped(stop); });
    } else {
      service->retrier_ = std::jthread(
          [raw = service.get()](std::stop_token stop) { raw->RetryUnsavedUntilStopped(stop); });
    }
  }
  return service;
}

// Without it, a write acknowledged with "persisted": false while storage was
// down would stay unsaved until the index's next write, which may never come.
// Compaction runs here too, woken by the save that made it due.
void VectorService::RetryUnsavedUntilStopped(std::stop_token stop) {
  while (true) {
    {
      std::unique_lock lock(retry_mu_);
      bool compact =
          retry_cv_.wait_for(lock, stop, options_.retry_interval, [&] { return compact_wanted_; });
      if (stop.stop_requested()) return;
      compact_wanted_ = false;
      if (compact) {
        lock.unlock();
        CompactWhereWanted(stop);
        continue;
      }
    }
    for (const auto& status : List()) {
      if (status.persisted || stop.stop_requested()) continue;
      auto entry = FindEntry(status.params.name);
      if (entry.ok() && SaveThrough(*entry, /*retry=*/true)) {
        spdlog::info("vectord: index {} saved on retry", status.params.name);
      }
    }
  }
}

void VectorService::CompactWhereWanted(std::stop_token stop) {
  std::vector<std::pair<std::string, Entry>> entries;
  {
    std::shared_lock lock(mu_);
    for (const auto& [name, entry] : indexes_) entries.emplace_back(name, entry);
  }
  for (const auto& [name, entry] : entries) {
    if (stop.stop_requested()) return;
    if (entry.saver && entry.saver->WantsCompaction() && !entry.saver->Compact()) {
      spdlog::warn("vectord: compaction of index {} failed; its deltas stay", name);
    }
  }
}

Status VectorService::Compact(std::string_view name) {
  LH_RETURN_IF_ERROR(CheckWritable());
  LH_ASSIGN_OR_RETURN(Entry entry, FindEntry(name));
  if (!entry.saver) return Status::Ok();
  if (!entry.saver->Compact()) {
    return Status::Unavailable("compaction of index \"" + std::string(name) +
                               "\" failed; its deltas stay and it loads as before");
  }
  return Status::Ok();
}

void VectorService::RefreshUntilStopped(std::stop_token stop) {
  while (true) {
    {
      std::unique_lock lock(retry_mu_);
      if (retry_cv_.wait_for(lock, stop, options_.reload_interval, [] { return false; }) ||
          stop.stop_requested()) {
        return;
      }
    }
    if (Status s = Refresh(); !s.ok()) {
      spdlog::warn("vectord: reload of indexes failed: {}", s.ToString());
    }
  }
}

Status VectorService::Refresh() {
  if (!read_only_) return Status::Ok();
  return LoadAll();
}

// What the store holds for one index name.
struct VectorService::StoredIndex {
  std::optional<storage::ObjectInfo> base;
  std::vector<std::pair<uint64_t, storage::ObjectInfo>> deltas;  // in seq order

  // Changes whenever the base or any delta does: what a reader compares.
  std::string Signature() const {
    std::string signature = base ? base->etag : "";
    for (const auto& [seq, object] : deltas) signature += "|" + object.key + "=" + object.etag;
    return signature;
  }
};

namespace {
// Sorts a `_vectors/` listing into bases and deltas by index name; the rest
// (not an index object) goes to `others`.
template <typename StoredIndex>
void SortListing(std::vector<storage::ObjectInfo> objects,
                 std::map<std::string, StoredIndex>* stored,
                 std::vector<storage::ObjectInfo>* others) {
  for (auto& object : objects) {
    std::string_view rest = std::string_view(object.key).substr(kPrefix.size());
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
      std::string name(rest.substr(0, slash));
      if (auto seq = lhd1::ParseDeltaKey(name, object.key)) {
        (*stored)[name].deltas.emplace_back(*seq, std::move(object));
        continue;
      }
    } else if (rest.ends_with(kSuffix)) {
      (*stored)[std::string(rest.substr(0, rest.size() - kSuffix.size()))].base = std::move(object);
      continue;
    }
    others->push_back(std::move(object));
  }
}
}  // namespace

// Loads what changed since the last call (everything, the first time):
// indexes whose objects are unchanged are left as they are, so a reader's
// timer costs one listing when nothing happened.
Status VectorService::LoadAll() {
  std::lock_guard refreshing(refresh_mu_);
  storage::ListOptions options;
  options.prefix = std::string(kPrefix);
  std::vector<storage::ObjectInfo> objects;
  while (true) {
    LH_ASSIGN_OR_RETURN(auto page, store_->List(options));
    for (auto& object : page.objects) objects.push_back(std::move(object));
    if (!page.next) break;
    options.start_after = *page.next;
  }
  std::map<std::string, StoredIndex> stored;
  std::vector<storage::ObjectInfo> others;
  SortListing(std::move(objects), &stored, &others);
  std::set<std::string> listed;
  auto unchanged = [&](const std::string& key, const std::string& signature) {
    listed.insert(key);
    std::shared_lock lock(mu_);
    auto it = etags_.find(key);
    return it != etags_.end() && it->second == signature;
  };
  auto skip = [&](const std::string& key, const std::string& signature, const std::string& why) {
    std::unique_lock lock(mu_);
    etags_[key] = signature;
    std::erase_if(skipped_, [&](const SkippedObject& s) { return s.key == key; });
    // A reader keeps answering from the index it had, if any.
    spdlog::error("vectord: skipped {}: {}", key, why);
    skipped_.push_back({key, why});
  };
  for (const auto& object : others) {
    if (!unchanged(object.key, object.etag)) {
      skip(object.key, object.etag, "not an index object (no .lhv1 suffix)");
    }
  }
  for (const auto& [name, index] : stored) {
    // Deltas without a base: left by a drop that stopped halfway; the next
    // base of that name removes them.
    if (!index.base) continue;
    const std::string& key = index.base->key;
    std::string signature = index.Signature();
    if (unchanged(key, signature)) continue;
    if (FollowDeltas(name, index)) {
      std::unique_lock lock(mu_);
      etags_[key] = signature;
      continue;
    }
    auto loaded = LoadIndex(name, index);
    // It vanished since the listing (dropped elsewhere): nothing to load.
    if (!loaded.ok() && loaded.status().code() == StatusCode::kNotFound) continue;
    if (!loaded.ok()) {
      skip(key, signature, loaded.status().message());
      continue;
    }
    std::unique_lock lock(mu_);
    etags_[key] = signature;
    std::erase_if(skipped_, [&](const SkippedObject& s) { return s.key == key; });
    indexes_.insert_or_assign(name, std::move(*loaded));
  }
  // What the writer dropped since.
  std::unique_lock lock(mu_);
  std::erase_if(etags_, [&](const auto& e) { return !listed.contains(e.first); });
  std::erase_if(skipped_, [&](const SkippedObject& s) { return !listed.contains(s.key); });
  std::erase_if(indexes_, [&](const auto& e) {
    if (listed.contains(ObjectKey(e.first))) return false;
    spdlog::info("vectord: index {} was dropped by the writer", e.first);
    return true;
  });
  return Status::Ok();
}

namespace {
// Applies the deltas after the base's seq in order, through the same path as
// a live write. Stops at the first missing, unreadable or inapplicable one
// and returns what it was (empty: all applied); `state` ends at the last
// applied. A delta is checked whole (checksum) before any of it applies.
std::string ReplayDeltas(storage::ObjectStore& store, const std::string& name, Index& index,
                         TextOrigin& origin,
                         const std::vector<std::pair<uint64_t, storage::ObjectInfo>>& deltas,
                         StoredState* state) {
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
}  // namespace

// Only new deltas after the ones applied (same base): a reader applies them
// to the index it serves, as the writer did, instead of loading it whole.
// Anything else (a new base, a delta gone, damage) takes a whole reload.
bool VectorService::FollowDeltas(const std::string& name, const StoredIndex& stored) {
  if (!read_only_) return false;
  std::string previous;
  Entry entry;
  {
    std::shared_lock lock(mu_);
    auto seen = etags_.find(stored.base->key);
    auto loaded = indexes_.find(name);
    if (seen == etags_.end() || loaded == indexes_.end()) return false;
    previous = seen->second;
    entry = loaded->second;
  }
  if (!entry.damaged.empty() || !entry.saver || !stored.Signature().starts_with(previous + "|")) {
    return false;
  }
  StoredState state = entry.saver->stored();
  const uint64_t before = state.seq;
  std::string damaged =
      ReplayDeltas(*store_, name, *entry.index, *entry.origin, stored.deltas, &state);
  if (!damaged.empty()) return false;
  entry.saver->Followed(state);
  spdlog::debug("vectord: index {} followed deltas {} to {}", name, before + 1, state.seq);
  return true;
}

Result<VectorService::Entry> VectorService::LoadIndex(const std::string& name,
                                                      const StoredIndex& stored) {
  auto started = std::chrono::steady_clock::now();
  auto bytes = store_->GetBytes(stored.base->key);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) return bytes.status();
    return Status::IoError(bytes.status().ToString());
  }
  const uint64_t base_bytes = bytes->size();
  auto image = lhv1::Decode(std::move(*bytes));
  if (!image.ok()) return Status::IoError(image.status().message());
  if (image->params.name != name) {
    return Status::IoError("holds index \"" + image->params.name + "\", not \"" + name + "\"");
  }
  Entry entry{nullptr, nullptr, std::make_shared<TextOrigin>(), ""};
  entry.origin->source = std::move(image->source);
  if (!image->embedder_state.empty()) {
    auto embedder = RestoreEmbedder(image->params.model, image->embedder_state);
    if (!embedder.ok()) return Status::IoError(embedder.status().message());
    entry.origin->embedder = std::move(*embedder);
  }
  StoredState state{0, image->seq, base_bytes, 0, 0, false};
  auto index = Index::Restore(std::move(*image));
  if (!index.ok()) return Status::IoError(index.status().message());
  entry.index = std::move(*index);
  entry.damaged = ReplayDeltas(*store_, name, *entry.index, *entry.origin, stored.deltas, &state);
  if (!entry.damaged.empty()) {
    spdlog::error("vectord: index {} loaded up to seq {}; replay stopped at {}", name, state.seq,
                  entry.damaged);
    // The next save writes a base past every stored delta, so later deltas
    // never follow the hole.
    for (const auto& [seq, object] : stored.deltas) state.seq = std::max(state.seq, seq);
    state.needs_base = true;
  }
  entry.saver = NewSaver(entry, state);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  spdlog::info("vectord: loaded index {} ({} items) from its base and {} deltas in {} ms", name,
               entry.index->size(), state.deltas, ms);
  return entry;
}

std::shared_ptr<IndexSaver> VectorService::NewSaver(const Entry& entry, const StoredState& state) {
  SaverPolicy policy{options_.compact_fraction, options_.compact_min_bytes, options_.compact_deltas,
                     [this] {
                       {
                         std::lock_guard lock(retry_mu_);
                         compact_wanted_ = true;
                       }
                       retry_cv_.notify_all();
                     }};
  return std::make_shared<IndexSaver>(*store_, entry.index, entry.origin, std::move(policy), state);
}

Result<VectorService::Entry> VectorService::FindEntry(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = indexes_.find(name);
  if (it == indexes_.end()) return Status::NotFound("no index named \"" + std::string(name) + "\"");
  return it->second;
}

IndexStatus VectorService::StatusOf(const Entry& entry) const {
  IndexStatus status{entry.index->params(), entry.index->size(),
                     entry.saver && entry.saver->Durable(), std::nullopt, entry.damaged};
  std::lock_guard lock(entry.origin->mu);
  status.source = entry.origin->source;
  return status;
}

bool VectorService::SaveThrough(const Entry& entry, bool retry) {
  if (!entry.saver) return false;
  return entry.saver->SaveThrough(entry.saver->recorded(), retry);
}

Result<std::shared_ptr<embed::Embedder>> VectorService::RestoreEmbedder(
    const std::string& model, std::string_view state) const {
  if (options_.embedders == nullptr) {
    return Status::Unavailable("this vectord has no embedders for model \"" + model + "\"");
  }
  LH_ASSIGN_OR_RETURN(auto base, options_.embedders->Find(model));
  auto restored = base->WithLearnedState(state);
  if (!restored.ok()) {
    return Status::Unprocessable("the learned state of model \"" + model +
                                 "\" does not load: " + restored.status().message());
  }
  return *restored;
}

Status VectorService::Register(const std::string& name, const Entry& entry) {
  std::unique_lock lock(mu_);
  if (indexes_.contains(name)) return Status::Conflict("index \"" + name + "\" exists");
  indexes_.emplace(name, entry);
  // A new index under a skipped object's name replaces that object.
  std::erase_if(skipped_, [&](const SkippedObject& s) { return s.key == ObjectKey(name); });
  return Status::Ok();
}

Result<IndexStatus> VectorService::Create(IndexParams params) {
  LH_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard admin(admin_mu_);
  {
    std::shared_lock lock(mu_);
    if (indexes_.contains(params.name)) {
      return Status::Conflict("index \"" + params.name + "\" exists");
    }
  }
  if (!params.model.empty()) {
    if (options_.embedders == nullptr) {
      return Status::InvalidArgument(
          "this vectord has no embedders; create the index without "
          "\"model\"");
    }
    LH_ASSIGN_OR_RETURN(auto embedder, options_.embedders->Find(params.model));
    // A model server's dimension is known only once it has answered.
    if (params.dim == 0 && embedder->dim() == 0) {
      return Status::InvalidArgument("model \"" + params.model +
                                     "\" has not told its dimension yet; give \"dim\"");
    }
    if (params.dim == 0) params.dim = static_cast<uint32_t>(embedder->dim());
    if (embedder->dim() != 0 && embedder->dim() != params.dim) {
      return Status::InvalidArgument("model \"" + params.model + "\" makes vectors of dimension " +
                                     std::to_string(embedder->dim()) + ", not " +
                                     std::to_string(params.dim));
    }
  }
  LH_ASSIGN_OR_RETURN(std::unique_ptr<Index> created, Index::Create(params));
  Entry entry{std::move(created), nullptr, std::make_shared<TextOrigin>(), ""};
  if (store_) entry.saver = NewSaver(entry, StoredState{});
  LH_RETURN_IF_ERROR(Register(params.name, entry));
  IndexStatus status = StatusOf(entry);
  status.persisted = SaveThrough(entry);
  return status;
}

Status VectorService::Drop(std::string_view name) {
  LH_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard admin(admin_mu_);
  LH_ASSIGN_OR_RETURN(Entry entry, FindEntry(name));
  if (entry.saver) {
    entry.saver->Stop();
    Status deleted = store_->Delete(ObjectKey(name));
    if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) {
      entry.saver->Resume();
      return Status(deleted.code(), "could not delete the stored index \"" + std::string(name) +
                                        "\", so it stays: " + deleted.message());
    }
    // The base went first: without it the deltas are never loaded, and the
    // next base of this name deletes any that stay behind now.
    auto deltas = ListDeltas(*store_, name);
    if (deltas.ok()) DeleteDeltas(*store_, *deltas, UINT64_MAX);
  }
  std::unique_lock lock(mu_);
  indexes_.erase(indexes_.find(name));
  return Status::Ok();
}

Result<std::shared_ptr<Index>> VectorService::Find(std::string_view name) const {
  LH_ASSIGN_OR_RETURN(Entry entry, FindEntry(name));
  return entry.index;
}

Result<IndexStatus> VectorService::Describe(std::string_view name) const {
  LH_ASSIGN_OR_RETURN(Entry entry, FindEntry(name));
  return StatusOf(entry);
}

std::vector<IndexStatus> VectorService::List() const {
  std::vector<Entry> entries;
  {
    std::shared_lock lock(mu_);
    for (const auto& [name, entry] : indexes_) entries.push_back(entry);
  }
  std::vector<IndexStatus> out;
  for (const auto& entry : entries) out.push_back(StatusOf(entry));
  return out;
}

Result<WriteOutcome> VectorService::Add(std::string_view name, std::vector<Item> items) {
  LH_RETURN_IF_ERROR(CheckWritable());
  LH_ASSIGN_OR_RETURN(Entry entry, FindEntry(name));
  return Write(entry, lhd1::Change{std::move(items), {}, std::nullopt}, /*missing_ok=*/false);
}

Result<WriteOutcome> VectorService::Write(const Entry& entry, lhd1::Change change,
                                          bool missing_ok) {
  if (!entry.saver) {
    LH_RETURN_IF_ERROR(ApplyChange(*entry.index, *entry.origin, std::move(change), missing_ok));
    return WriteOutcome{entry.index->size(), false};
  }
  LH_ASSIGN_OR_RETURN(int64_t number, entry.saver->Record(std::move(change), missing_ok));
  bool persisted = entry.saver->SaveThrough(number);
  return WriteOutcome{entry.index->size(), persisted};
}

Result<WriteOutcome> VectorService::Remove(std::string_view name, std::string_view id) {
  LH_RETURN_IF_ERROR(CheckWritable());
  LH_ASSIGN_OR_RETURN(Entry entry, FindEntry(name));
  return Write(entry, lhd1::Change{{}, {std::string(id)}, std::nullopt}, /*missing_ok=*/false);
}

Result<std::vector<Hit>> VectorService::SearchText(std::string_view name, const std::string& text,
                                                   size_t k, std::optional<uint32_t> ef,
                                                   const MetadataFilter& filter) {
  LH_ASSIGN_OR_RETURN(Entry entry, FindEntry(name));
  LH_ASSIGN_OR_RETURN(auto embedder, EmbedderOf(entry));
  std::vector<std::string> texts = {text};
  LH_ASSIGN_OR_RETURN(auto vectors, embedder->Embed(texts));
  if (vectors.size() != 1) return Status::Internal("embedder returned no vector");
  return entry.index->SearchFiltered(vectors[0], k, ef, filter);
}

Result<std::shared_ptr<embed::Embedder>> VectorService::EmbedderOf(std::string_view name) const {
  LH_ASSIGN_OR_RETURN(Entry entry, FindEntry(name));
  return EmbedderOf(entry);
}

Result<std::shared_ptr<embed::Embedder>> VectorService::EmbedderOf(const Entry& entry) const {
  {
    std::lock_guard lock(entry.origin->mu);
    if (entry.origin->embedder) return entry.origin->embedder;
  }
  const std::string& model = entry.index->params().model;
  if (model.empty()) {
    return Status::InvalidArgument("index \"" + entry.index->params().name +
                                   "\" has no model to embed text with; search it by \"vector\"");
  }
  if (options_.embedders == nullptr) {
    return Status::Unavailable("this vectord has no embedders for model \"" + model + "\"");
  }
  return options_.embedders->Find(model);
}

Result<IndexStatus> VectorService::Install(std::unique_ptr<Index> index, DatasetSource source,
                                           std::shared_ptr<embed::Embedder> fitted_embedder,
                                           bool replace) {
  LH_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard admin(admin_mu_);
  std::string name = index->params().name;
  Entry entry{std::move(index), nullptr, std::make_shared<TextOrigin>(), ""};
  entry.origin->source = std::move(source);
  entry.origin->embedder = std::move(fitted_embedder);
  // Its base gets a seq past the replaced index's deltas, which it covers.
  if (store_) entry.saver = NewSaver(entry, StoredState{});
  if (replace) {
    std::unique_lock lock(mu_);
    if (auto old = indexes_.find(name); old != indexes_.end()) {
      // The old index's saves must not land after the new one's.
      if (old->second.saver) old->second.saver->Stop();
      indexes_.erase(old);
    }
  }
  LH_RETURN_IF_ERROR(Register(name, entry));
  IndexStatus status = StatusOf(entry);
  status.persisted = SaveThrough(entry);
  return status;
}

Result<WriteOutcome> VectorService::Apply(std::string_view name, std::vector<Item> upserts,
                                          const std::vector<std::string>& removals,
                                          DatasetSource source) {
  LH_RETURN_IF_ERROR(CheckWritable());
  LH_ASSIGN_OR_RETURN(Entry entry, FindEntry(name));
  {
    std::lock_guard lock(entry.origin->mu);
    if (!entry.origin->source) {
      return Status::InvalidArgument("index \"" + std::string(name) +
                                     "\" was not built from a dataset");
    }
  }
  return Write(entry, lhd1::Change{std::move(upserts), removals, std::move(source)},
               /*missing_ok=*/true);
}

std::vector<SkippedObject> VectorService::skipped() const {
  std::vector<SkippedObject> out;
  {
    std::shared_lock lock(mu_);
    out = skipped_;
  }
  std::sort(out.begin(), out.end(),
            [](const SkippedObject& a, const SkippedObject& b) { return a.key < b.key; });
  return out;
}

}  // namespace lakehouse::vector
