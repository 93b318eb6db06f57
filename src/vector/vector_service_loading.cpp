// Loads `_vectors/` into a VectorService: everything at Open, then what changed, for a reader.
#include "vector/vector_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "vector/index_saver.h"
#include "vector/lhd1.h"
#include "vector/lhv1.h"

namespace lakehouse::vector {

namespace {
constexpr std::string_view kPrefix = "_vectors/";
constexpr std::string_view kSuffix = ".lhv1";
}  // namespace

std::string VectorService::ObjectKey(std::string_view index_name) {
  return std::string(kPrefix) + std::string(index_name) + std::string(kSuffix);
}

void VectorService::RefreshUntilStopped(const std::stop_token& stop) {
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

}  // namespace lakehouse::vector
