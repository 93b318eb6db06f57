#include "vector/vector_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <set>

#include "vector/index_saver.h"
#include "vector/lhd1.h"
#include "vector/lhv1.h"
#include "vector/writer_claim.h"

namespace lakehouse::vector {

namespace {
constexpr std::string_view kPrefix = "_vectors/";
constexpr std::string_view kSuffix = ".lhv1";
}  // namespace

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

Status VectorService::ClaimWriter() {
  WriterClaim claim;
  Status taken = TakeWriterClaim(*store_, options_.role, options_.writer_id, claim);
  read_only_ = claim.read_only;
  writer_ = std::move(claim.writer);
  claim_token_ = std::move(claim.token);
  return taken;
}

void VectorService::ReleaseWriter() {
  if (store_ == nullptr) return;
  ReleaseWriterClaim(*store_, WriterClaim{read_only_, writer_, claim_token_});
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
  StoredDeltas deltas;  // in seq order

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
  return std::make_shared<IndexSaver>(*store_, ObjectKey(entry.index->params().name), entry.index,
                                      entry.origin, std::move(policy), state);
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
