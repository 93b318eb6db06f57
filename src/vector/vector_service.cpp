// vectord's registry of open indexes and VectorService's public calls on it.
#include "vector/vector_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>

#include "vector/index_saver.h"
#include "vector/lhd1.h"
#include "vector/writer_claim.h"

namespace lakehouse::vector {

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

Result<std::unique_ptr<VectorService>> VectorService::Open(storage::ObjectStore* store,
                                                           VectorServiceOptions options) {
  std::unique_ptr<VectorService> service(new VectorService(store, std::move(options)));
  if (store != nullptr) {
    LH_RETURN_IF_ERROR(service->ClaimWriter());
    LH_RETURN_IF_ERROR(service->LoadAll());
    // A writer retries unsaved indexes; a reader follows the writer's saves.
    if (service->read_only_) {
      service->retrier_ = std::jthread(
          [raw = service.get()](const std::stop_token& stop) { raw->RefreshUntilStopped(stop); });
    } else {
      service->retrier_ = std::jthread([raw = service.get()](const std::stop_token& stop) {
        raw->RetryUnsavedUntilStopped(stop);
      });
    }
  }
  return service;
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

Status VectorService::Refresh() {
  if (!read_only_) return Status::Ok();
  return LoadAll();
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
  out.reserve(entries.size());
  for (const auto& entry : entries) out.push_back(StatusOf(entry));
  return out;
}

Status VectorService::EmbedMissingVectors(const Entry& entry, std::vector<Item>& items) const {
  std::vector<size_t> positions;
  std::vector<std::string> texts;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].vector.empty() && items[i].text) {
      positions.push_back(i);
      texts.push_back(*items[i].text);
    }
  }
  if (positions.empty()) return Status::Ok();
  auto embedder = EmbedderOf(entry);
  if (!embedder.ok()) {
    return Status::InvalidArgument("item " + std::to_string(positions[0]) +
                                   " has a text and no vector, and " + embedder.status().message() +
                                   "; nothing was added");
  }
  LH_ASSIGN_OR_RETURN(auto vectors, (*embedder)->Embed(texts));
  if (vectors.size() != positions.size())
    return Status::Internal("embedder returned too few vectors");
  for (size_t n = 0; n < positions.size(); ++n) items[positions[n]].vector = std::move(vectors[n]);
  return Status::Ok();
}

Result<WriteOutcome> VectorService::Add(std::string_view name, std::vector<Item> items) {
  LH_RETURN_IF_ERROR(CheckWritable());
  LH_ASSIGN_OR_RETURN(Entry entry, FindEntry(name));
  LH_RETURN_IF_ERROR(EmbedMissingVectors(entry, items));
  return Write(entry, lhd1::Change{std::move(items), {}, std::nullopt}, /*missing_ok=*/false);
}

Result<WriteOutcome> VectorService::Remove(std::string_view name, std::string_view id) {
  LH_RETURN_IF_ERROR(CheckWritable());
  LH_ASSIGN_OR_RETURN(Entry entry, FindEntry(name));
  return Write(entry, lhd1::Change{{}, {std::string(id)}, std::nullopt}, /*missing_ok=*/false);
}

Result<std::vector<Hit>> VectorService::SearchText(std::string_view name, const std::string& text,
                                                   size_t k, std::optional<uint32_t> ef,
                                                   const MetadataFilter& filter) {
  SearchRequest request;
  request.text = text;
  request.mode = SearchMode::kVector;
  request.k = k;
  request.ef = ef;
  request.filter = filter;
  LH_ASSIGN_OR_RETURN(SearchResult found, Search(name, request));
  std::vector<Hit> hits;
  hits.reserve(found.hits.size());
  for (auto& ranked : found.hits) {
    // A vector search finds every hit by its distance.
    hits.push_back({std::move(ranked.id), ranked.distance.value_or(0), std::move(ranked.metadata)});
  }
  return hits;
}

Result<SearchResult> VectorService::Search(std::string_view name, const SearchRequest& request) {
  LH_ASSIGN_OR_RETURN(Entry entry, FindEntry(name));
  LH_ASSIGN_OR_RETURN(SearchMode mode, ChooseMode(*entry.index, request));
  std::shared_ptr<embed::Embedder> embedder;
  if (NeedsEmbedding(mode, request)) {
    LH_ASSIGN_OR_RETURN(embedder, EmbedderOf(entry));
  }
  return SearchIndex(*entry.index, embedder.get(), request);
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
