#include "vector/vector_service.h"

#include <spdlog/spdlog.h>

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "vector/lhv1.h"

namespace lakehouse::vector {

namespace {
constexpr std::string_view kPrefix = "_vectors/";
constexpr std::string_view kSuffix = ".lhv1";
constexpr size_t kPutChunk = 1 << 20;
}  // namespace

// A dataset text index's origin, kept beside the engine's index and saved
// with it. Each change counts in `changes`, so saves cover it as they cover
// the index's own changes.
struct TextOrigin {
  mutable std::mutex mu;
  std::optional<DatasetSource> source;
  std::shared_ptr<embed::Embedder> embedder;  // fitted to the texts; null: the model's
  uint64_t changes = 0;
};

namespace {
int64_t VersionOf(const Index& index, const TextOrigin& origin) {
  std::lock_guard lock(origin.mu);
  return static_cast<int64_t>(index.version() + origin.changes);
}
}  // namespace

// Saves one index to its object, one save at a time, each covering every
// change made before it began (group commit). Versions are the index's change
// counts; -1 means nothing stored yet.
class IndexSaver {
 public:
  IndexSaver(storage::ObjectStore& store, std::shared_ptr<Index> index,
             std::shared_ptr<TextOrigin> origin, int64_t durable)
      : store_(store),
        index_(std::move(index)),
        origin_(std::move(origin)),
        durable_(durable),
        attempted_(durable) {}

  // Returns once a save covering `version` has been tried: true if stored.
  // A retry tries again even if a save covering it already failed.
  bool SaveThrough(int64_t version, bool retry = false) {
    std::unique_lock lock(mu_);
    while (true) {
      if (durable_ >= version) return true;
      if (stopped_ || (attempted_ >= version && !retry)) return false;
      if (!saving_) break;
      done_.wait(lock);
    }
    saving_ = true;
    lock.unlock();
    int64_t covered = version;
    bool stored = SaveNow(&covered);
    lock.lock();
    saving_ = false;
    // Waiters whose writes this save covered learn their outcome from it;
    // after a failure the rest try again rather than queue behind it.
    attempted_ = std::max(attempted_, covered);
    if (stored) durable_ = std::max(durable_, covered);
    done_.notify_all();
    return durable_ >= version;
  }

  bool Durable() const {
    std::lock_guard lock(mu_);
    return durable_ >= VersionOf(*index_, *origin_);
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
  // Saves a snapshot; sets `covered` to the version it holds.
  bool SaveNow(int64_t* covered) {
    const std::string& name = index_->params().name;
    auto started = std::chrono::steady_clock::now();
    std::optional<DatasetSource> source;
    std::string embedder_state;
    uint64_t origin_changes;
    {
      std::lock_guard lock(origin_->mu);
      source = origin_->source;
      if (origin_->embedder) embedder_state = origin_->embedder->LearnedState();
      origin_changes = origin_->changes;
    }
    auto image = index_->Snapshot();
    if (!image.ok()) {
      spdlog::error("vectord: save of index {} failed: {}", name, image.status().ToString());
      return false;
    }
    image->source = std::move(source);
    image->embedder_state = std::move(embedder_state);
    *covered = static_cast<int64_t>(image->version + origin_changes);
    std::string prefix = lhv1::EncodePrefix(*image);
    const std::string& graph = image->graph;
    storage::PutOptions options;
    options.content_length = prefix.size() + graph.size();
    auto put = store_.Put(
        VectorService::ObjectKey(name),
        [&](const storage::ChunkWriter& write) -> Status {
          LH_RETURN_IF_ERROR(write(prefix));
          for (size_t at = 0; at < graph.size(); at += kPutChunk) {
            LH_RETURN_IF_ERROR(write(std::string_view(graph).substr(at, kPutChunk)));
          }
          return Status::Ok();
        },
        options);
    if (!put.ok()) {
      spdlog::error("vectord: save of index {} failed: {}", name, put.status().ToString());
      return false;
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    spdlog::debug("vectord: saved index {} ({} items, {} bytes) in {} ms", name,
                  image->entries.size(), *options.content_length, ms);
    return true;
  }

  storage::ObjectStore& store_;
  std::shared_ptr<Index> index_;
  std::shared_ptr<TextOrigin> origin_;
  mutable std::mutex mu_;
  std::condition_variable done_;
  bool saving_ = false;
  bool stopped_ = false;
  int64_t durable_;    // highest version stored
  int64_t attempted_;  // highest version a finished save covered, stored or not
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
void VectorService::RetryUnsavedUntilStopped(std::stop_token stop) {
  while (true) {
    {
      std::unique_lock lock(retry_mu_);
      if (retry_cv_.wait_for(lock, stop, options_.retry_interval, [] { return false; }) ||
          stop.stop_requested()) {
        return;
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

// Loads what changed since the last call (everything, the first time):
// objects whose etag is unchanged are left as they are, so a reader's timer
// costs one listing when nothing happened.
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
  std::set<std::string> listed;
  for (const auto& object : objects) {
    listed.insert(object.key);
    {
      std::shared_lock lock(mu_);
      if (auto it = etags_.find(object.key); it != etags_.end() && it->second == object.etag) {
        continue;
      }
    }
    auto loaded = LoadObject(object);
    // It vanished since the listing (dropped elsewhere): nothing to load.
    if (!loaded.ok() && loaded.status().code() == StatusCode::kNotFound) continue;
    std::unique_lock lock(mu_);
    etags_[object.key] = object.etag;
    std::erase_if(skipped_, [&](const SkippedObject& s) { return s.key == object.key; });
    if (!loaded.ok()) {
      // A reader keeps answering from the index it had, if any.
      spdlog::error("vectord: skipped {}: {}", object.key, loaded.status().message());
      skipped_.push_back({object.key, loaded.status().message()});
      continue;
    }
    indexes_.insert_or_assign(loaded->index->params().name, std::move(*loaded));
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

Result<VectorService::Entry> VectorService::LoadObject(const storage::ObjectInfo& object) {
  auto started = std::chrono::steady_clock::now();
  std::string_view key = object.key;
  if (!key.ends_with(kSuffix)) return Status::IoError("not an index object (no .lhv1 suffix)");
  std::string name(key.substr(kPrefix.size(), key.size() - kPrefix.size() - kSuffix.size()));
  auto bytes = store_->GetBytes(object.key);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) return bytes.status();
    return Status::IoError(bytes.status().ToString());
  }
  auto image = lhv1::Decode(std::move(*bytes));
  if (!image.ok()) return Status::IoError(image.status().message());
  if (image->params.name != name) {
    return Status::IoError("holds index \"" + image->params.name + "\", not \"" + name + "\"");
  }
  auto origin = std::make_shared<TextOrigin>();
  origin->source = std::move(image->source);
  if (!image->embedder_state.empty()) {
    auto embedder = RestoreEmbedder(image->params.model, image->embedder_state);
    if (!embedder.ok()) return Status::IoError(embedder.status().message());
    origin->embedder = std::move(*embedder);
  }
  auto index = Index::Restore(std::move(*image));
  if (!index.ok()) return Status::IoError(index.status().message());
  std::shared_ptr<Index> shared = std::move(*index);
  auto saver = std::make_shared<IndexSaver>(*store_, shared, origin, /*durable=*/0);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  spdlog::info("vectord: loaded index {} ({} items) in {} ms", name, shared->size(), ms);
  return Entry{std::move(shared), std::move(saver), std::move(origin)};
}

Result<VectorService::Entry> VectorService::FindEntry(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = indexes_.find(name);
  if (it == indexes_.end()) return Status::NotFound("no index named \"" + std::string(name) + "\"");
  return it->second;
}

IndexStatus VectorService::StatusOf(const Entry& entry) const {
  IndexStatus status{entry.index->params(), entry.index->size(),
                     entry.saver && entry.saver->Durable(), std::nullopt};
  std::lock_guard lock(entry.origin->mu);
  status.source = entry.origin->source;
  return status;
}

bool VectorService::SaveThrough(const Entry& entry, bool retry) {
  if (!entry.saver) return false;
  return entry.saver->SaveThrough(VersionOf(*entry.index, *entry.origin), retry);
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
  Entry entry{std::move(created), nullptr, std::make_shared<TextOrigin>()};
  if (store_) {
    entry.saver = std::make_shared<IndexSaver>(*store_, entry.index, entry.origin, /*durable=*/-1);
  }
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
  LH_RETURN_IF_ERROR(entry.index->Add(std::move(items)));
  bool persisted = SaveThrough(entry);
  return WriteOutcome{entry.index->size(), persisted};
}

Result<WriteOutcome> VectorService::Remove(std::string_view name, std::string_view id) {
  LH_RETURN_IF_ERROR(CheckWritable());
  LH_ASSIGN_OR_RETURN(Entry entry, FindEntry(name));
  LH_RETURN_IF_ERROR(entry.index->Remove(id));
  bool persisted = SaveThrough(entry);
  return WriteOutcome{entry.index->size(), persisted};
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
  Entry entry{std::move(index), nullptr, std::make_shared<TextOrigin>()};
  entry.origin->source = std::move(source);
  entry.origin->embedder = std::move(fitted_embedder);
  if (store_) {
    entry.saver = std::make_shared<IndexSaver>(*store_, entry.index, entry.origin, /*durable=*/-1);
  }
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
  if (!upserts.empty()) LH_RETURN_IF_ERROR(entry.index->Add(std::move(upserts)));
  for (const auto& id : removals) {
    Status removed = entry.index->Remove(id);
    if (!removed.ok() && removed.code() != StatusCode::kNotFound) return removed;
  }
  {
    std::lock_guard lock(entry.origin->mu);
    entry.origin->source = std::move(source);
    ++entry.origin->changes;
  }
  bool persisted = SaveThrough(entry);
  return WriteOutcome{entry.index->size(), persisted};
}

std::vector<SkippedObject> VectorService::skipped() const {
  std::shared_lock lock(mu_);
  return skipped_;
}

}  // namespace lakehouse::vector
