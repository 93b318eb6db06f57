// Index on hnswlib: batched adds, removes, filtered searches, snapshots and restore.
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "vector/distance.h"
#include "vector/hnsw_format.h"
#include "vector/hnsw_index.h"
#include "vector/index.h"
#include "vector/index_image_check.h"
#include "vector/memory_file.h"
#include "vector/metadata_filter.h"

namespace lakehouse::vector {
namespace {

constexpr size_t kInitialCapacity = 1024;
// Any distance between vectors within this squared length stays below
// FLT_MAX (squared L2 is at most 4x it), so no answer is ever inf or NaN.
constexpr double kMaxSquaredNorm = 1e37;
// Filtered searches answered by an exact scan when this few items pass.
constexpr size_t kExactFilterItems = 2048;

Status BadItem(size_t position, const std::string& why) {
  return Status::InvalidArgument("item " + std::to_string(position) + ": " + why +
                                 "; nothing was added");
}

std::unique_ptr<hnswlib::SpaceInterface<float>> MakeSpace(const IndexParams& params) {
  return std::make_unique<DistanceSpace>(params.metric, params.dim);
}

// What the index keeps per label besides the graph. Metadata is shared with
// the hits that return it rather than copied into each.
struct Stored {
  std::string id;  // empty: no live item has this label
  float norm = 1;
  std::shared_ptr<const nlohmann::json> metadata;
};

// The engine behind Index: hnswlib 0.8's HierarchicalNSW. Cosine is inner
// product over normalised vectors, so its distance is 1 - cos.
//
// Locks: writer_mu_ lets one write (add, remove, snapshot) run at a time;
// graph_mu_ is shared by searches and taken alone only to grow the graph's
// capacity, which moves its memory; items_mu_ guards the id tables, which
// only the writer changes. hnswlib lets searches run beside addPoint; the
// few places its own searchKnn reads unguarded state are done in Search below.
class HnswIndex final : public Index {
 public:
  explicit HnswIndex(const IndexParams& params)
      : params_(params),
        space_(MakeSpace(params)),
        graph_(std::make_unique<hnswlib::HierarchicalNSW<float>>(
            space_.get(), kInitialCapacity, params.m, params.ef_construction, /*random_seed=*/100,
            /*allow_replace_deleted=*/true)) {}

  HnswIndex(const IndexParams& params, std::unique_ptr<hnswlib::SpaceInterface<float>> space,
            std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph, uint64_t next_label,
            std::vector<IndexImage::Entry> entries)
      : params_(params),
        space_(std::move(space)),
        graph_(std::move(graph)),
        next_label_(next_label) {
    stored_.resize(next_label_);
    for (auto& entry : entries) {
      by_id_.emplace(entry.id, entry.label);
      stored_[entry.label] =
          Stored{std::move(entry.id), entry.norm,
                 std::make_shared<const nlohmann::json>(std::move(entry.metadata))};
    }
  }

  const IndexParams& params() const override { return params_; }

  size_t size() const override {
    std::shared_lock lock(items_mu_);
    return by_id_.size();
  }

  uint64_t version() const override { return version_.load(); }

  Status Validate(const std::vector<Item>& items) const {
    std::unordered_set<std::string_view> seen;
    for (size_t i = 0; i < items.size(); ++i) {
      const Item& item = items[i];
      if (item.id.empty()) return BadItem(i, "id is empty");
      if (item.id.size() > kMaxIdBytes) {
        return BadItem(i, "id is " + std::to_string(item.id.size()) + " bytes; the limit is " +
                              std::to_string(kMaxIdBytes));
      }
      if (!seen.insert(item.id).second) {
        return BadItem(i, "id \"" + item.id + "\" appears twice in the batch");
      }
      if (item.vector.size() != params_.dim) {
        return BadItem(i, "vector has " + std::to_string(item.vector.size()) +
                              " components; the index has dimension " +
                              std::to_string(params_.dim));
      }
      double norm = 0;
      for (size_t c = 0; c < item.vector.size(); ++c) {
        if (!std::isfinite(item.vector[c])) {
          return BadItem(i, "component " + std::to_string(c) + " is not a finite number");
        }
        norm += static_cast<double>(item.vector[c]) * item.vector[c];
      }
      if (params_.metric == Metric::kCosine && !(norm > 0)) {
        return BadItem(i, "a zero vector has no direction for cosine");
      }
      if (norm > kMaxSquaredNorm) {
        return BadItem(i, "squared length exceeds 1e37; its distances would overflow a float");
      }
      if (!item.metadata.is_object() && !item.metadata.is_null()) {
        return BadItem(i, "metadata must be a JSON object");
      }
      if (item.metadata.dump().size() > kMaxMetadataBytes) {
        return BadItem(i, "metadata exceeds " + std::to_string(kMaxMetadataBytes) + " bytes");
      }
      if (item.text && !params_.full_text) {
        return BadItem(i, "has a \"text\", but index \"" + params_.name +
                              "\" has no full-text part to index it");
      }
    }
    return Status::Ok();
  }

  Status Add(std::vector<Item> items) override {
    LH_RETURN_IF_ERROR(Validate(items));
    if (items.empty()) return Status::Ok();
    std::lock_guard writer(writer_mu_);
    // Only the writer changes the id tables, so it reads them unlocked.
    std::vector<hnswlib::labeltype> labels(items.size());
    std::vector<bool> existing(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      auto it = by_id_.find(items[i].id);
      existing[i] = it != by_id_.end();
      labels[i] = existing[i] ? it->second : next_label_++;
    }
    std::vector<float> norms(items.size(), 1.0f);
    for (size_t i = 0; i < items.size(); ++i) norms[i] = Normalise(items[i].vector);
    LH_RETURN_IF_ERROR(EnsureCapacity(items.size()));
    try {
      // A new label may take a removed element's slot; an existing one must
      // be updated in place, or hnswlib would keep both.
      auto add = [&](size_t i) {
        graph_->addPoint(items[i].vector.data(), labels[i], /*replace_deleted=*/!existing[i]);
      };
      // Into an empty graph the first point goes alone (it becomes the entry
      // point); the rest of the batch is spread over the cores, as addPoint
      // on distinct labels allows.
      std::atomic<size_t> next{0};
      if (graph_->cur_element_count == 0) add(next++);
      auto work = [&] {
        for (size_t i = next++; i < items.size(); i = next++) add(i);
      };
      size_t workers = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()),
                                        (items.size() + 255) / 256);
      std::vector<std::thread> threads;
      for (size_t w = 1; w < workers; ++w) threads.emplace_back(work);
      work();
      for (auto& t : threads) t.join();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("hnswlib: ") + e.what());
    }
    {
      std::unique_lock lock(items_mu_);
      if (stored_.size() < next_label_) stored_.resize(next_label_);
      for (size_t i = 0; i < items.size(); ++i) {
        if (items[i].metadata.is_null()) items[i].metadata = nlohmann::json::object();
        by_id_[items[i].id] = labels[i];
        stored_[labels[i]] = {std::move(items[i].id), norms[i],
                              std::make_shared<const nlohmann::json>(std::move(items[i].metadata))};
      }
    }
    ++version_;
    return Status::Ok();
  }

  Result<std::vector<Hit>> Search(std::span<const float> query, size_t k,
                                  std::optional<uint32_t> ef) const override {
    std::vector<float> normalised;
    LH_ASSIGN_OR_RETURN(const float* prepared, PrepareQuery(query, k, normalised));
    std::shared_lock graph(graph_mu_);
    return ToHits(SearchGraph(prepared, k, std::max<size_t>(ef.value_or(params_.ef_search), k)));
  }

  Result<std::vector<Hit>> SearchFiltered(std::span<const float> query, size_t k,
                                          std::optional<uint32_t> ef,
                                          const MetadataFilter& filter) const override {
    if (filter.empty()) return Search(query, k, ef);
    std::vector<float> normalised;
    LH_ASSIGN_OR_RETURN(const float* prepared, PrepareQuery(query, k, normalised));
    // Which labels pass, decided once for this search from the metadata.
    std::vector<char> allowed;
    std::vector<hnswlib::labeltype> passing;
    size_t live = 0;
    {
      std::shared_lock lock(items_mu_);
      allowed.assign(stored_.size(), 0);
      for (hnswlib::labeltype label = 0; label < stored_.size(); ++label) {
        const Stored& stored = stored_[label];
        if (stored.id.empty()) continue;
        ++live;
        if (filter.Matches(*stored.metadata)) {
          allowed[label] = 1;
          passing.push_back(label);
        }
      }
    }
    if (passing.empty()) return std::vector<Hit>{};
    std::shared_lock graph(graph_mu_);
    // A graph search that may only answer with a few of its points wanders
    // and misses them; below this share an exact scan of those points is
    // both right and cheap.
    if (passing.size() <= kExactFilterItems || passing.size() * 10 <= live) {
      return ToHits(ScanExactly(prepared, k, passing));
    }
    struct Allowed final : hnswlib::BaseFilterFunctor {
      explicit Allowed(const std::vector<char>& a) : allowed(a) {}
      bool operator()(hnswlib::labeltype label) override {
        return label < allowed.size() && allowed[label] != 0;
      }
      const std::vector<char>& allowed;
    } only_allowed(allowed);
    return ToHits(SearchGraph(prepared, k, std::max<size_t>(ef.value_or(params_.ef_search), k),
                              &only_allowed));
  }

  Result<Item> Get(std::string_view id) const override {
    Item item;
    hnswlib::labeltype label;
    float norm;
    {
      std::shared_lock lock(items_mu_);
      auto it = by_id_.find(std::string(id));
      if (it == by_id_.end()) return Status::NotFound("no item \"" + std::string(id) + "\"");
      label = it->second;
      const Stored& stored = stored_[label];
      item.id = stored.id;
      item.metadata = *stored.metadata;
      norm = stored.norm;
    }
    try {
      std::shared_lock graph(graph_mu_);
      item.vector = graph_->getDataByLabel<float>(label);
    } catch (const std::exception&) {
      return Status::NotFound("no item \"" + std::string(id) + "\"");  // removed meanwhile
    }
    if (params_.metric == Metric::kCosine) {
      for (float& x : item.vector) x *= norm;
    }
    return item;
  }

  std::shared_ptr<const nlohmann::json> MetadataOf(std::string_view id) const override {
    std::shared_lock lock(items_mu_);
    auto it = by_id_.find(std::string(id));
    if (it == by_id_.end()) return nullptr;
    return stored_[it->second].metadata;
  }

  Status Remove(std::string_view id) override {
    std::lock_guard writer(writer_mu_);
    auto it = by_id_.find(std::string(id));
    if (it == by_id_.end()) return Status::NotFound("no item \"" + std::string(id) + "\"");
    hnswlib::labeltype label = it->second;
    try {
      graph_->markDelete(label);
    } catch (const std::exception& e) {
      return Status::Internal(std::string("hnswlib: ") + e.what());
    }
    {
      std::unique_lock lock(items_mu_);
      by_id_.erase(it);
      stored_[label] = Stored{};
    }
    ++version_;
    return Status::Ok();
  }

  Result<IndexImage> Snapshot() const override {
    std::lock_guard writer(writer_mu_);
    IndexImage image;
    image.params = params_;
    image.version = version_.load();
    image.next_label = next_label_;
    image.entries.reserve(by_id_.size());
    for (const auto& [id, label] : by_id_) {
      const Stored& stored = stored_[label];
      image.entries.push_back({stored.id, label, stored.norm, *stored.metadata});
    }
    LH_ASSIGN_OR_RETURN(MemoryFile file, MemoryFile::Create());
    try {
      graph_->saveIndex(file.path());
    } catch (const std::exception& e) {
      return Status::Internal(std::string("hnswlib saveIndex: ") + e.what());
    }
    LH_ASSIGN_OR_RETURN(image.graph, file.ReadAll());
    return image;
  }

 private:
  // Scales `v` to unit length for cosine; returns the length it had (1 for
  // the other metrics, which take vectors as they are).
  float Normalise(std::vector<float>& v) const {
    if (params_.metric != Metric::kCosine) return 1.0f;
    double norm = 0;
    for (float x : v) norm += static_cast<double>(x) * x;
    norm = std::sqrt(norm);
    if (norm == 0) return 0.0f;
    for (float& x : v) x = static_cast<float>(x / norm);
    return static_cast<float>(norm);
  }

  using TopCandidates = std::priority_queue<std::pair<float, hnswlib::tableint>,
                                            std::vector<std::pair<float, hnswlib::tableint>>,
                                            hnswlib::HierarchicalNSW<float>::CompareByFirst>;

  // hnswlib's searchKnn with two changes: `ef` is this search's own (hnswlib
  // keeps one ef in the index), and the entry point, top level and upper
  // link lists are read under the locks addPoint writes them under. Returns
  // the k nearest as (distance, internal id), farthest on top. The caller
  // holds graph_mu_ shared.
  // The checked query, normalised into `normalised` for cosine (l2 and ip
  // search the query as given).
  Result<const float*> PrepareQuery(std::span<const float> query, size_t k,
                                    std::vector<float>& normalised) const {
    if (query.size() != params_.dim) {
      return Status::InvalidArgument("query has " + std::to_string(query.size()) +
                                     " components; the index has dimension " +
                                     std::to_string(params_.dim));
    }
    if (k == 0 || k > 10000) return Status::InvalidArgument("k must be 1..10000");
    double norm = 0;
    for (float v : query) {
      if (!std::isfinite(v)) return Status::InvalidArgument("query has a non-finite component");
      norm += static_cast<double>(v) * v;
    }
    if (norm > kMaxSquaredNorm) {
      return Status::InvalidArgument("query's squared length exceeds 1e37");
    }
    if (params_.metric != Metric::kCosine) return query.data();
    normalised.assign(query.begin(), query.end());
    if (Normalise(normalised) == 0) {
      return Status::InvalidArgument("a zero query has no direction for cosine");
    }
    return static_cast<const float*>(normalised.data());
  }

  // The hits of `top` (farthest on top), nearest first. The caller holds
  // graph_mu_ shared.
  std::vector<Hit> ToHits(TopCandidates top) const {
    std::vector<Hit> hits(top.size());
    size_t filled = 0;
    {
      std::shared_lock lock(items_mu_);
      for (size_t i = top.size(); i-- > 0; top.pop()) {
        hnswlib::labeltype label = graph_->getExternalLabel(top.top().second);
        // A label can be mid-add or mid-removal; it is not an answer yet.
        if (label >= stored_.size() || stored_[label].id.empty()) continue;
        const Stored& stored = stored_[label];
        hits[i] = {stored.id, top.top().first, stored.metadata};
        ++filled;
      }
    }
    if (filled < hits.size()) {
      std::erase_if(hits, [](const Hit& hit) { return hit.metadata == nullptr; });
    }
    return hits;
  }

  // The exact k nearest among `labels`. The caller holds graph_mu_ shared.
  TopCandidates ScanExactly(const float* query, size_t k,
                            const std::vector<hnswlib::labeltype>& labels) const {
    std::vector<hnswlib::tableint> ids;
    ids.reserve(labels.size());
    {
      std::lock_guard lookup(graph_->label_lookup_lock);
      for (auto label : labels) {
        auto it = graph_->label_lookup_.find(label);
        if (it != graph_->label_lookup_.end()) ids.push_back(it->second);
      }
    }
    TopCandidates top;
    const void* param = graph_->dist_func_param_;
    for (auto id : ids) {
      float d = graph_->fstdistfunc_(query, graph_->getDataByInternalId(id), param);
      if (top.size() < k) {
        top.emplace(d, id);
      } else if (d < top.top().first) {
        top.pop();
        top.emplace(d, id);
      }
    }
    return top;
  }

  TopCandidates SearchGraph(const float* query, size_t k, size_t ef,
                            hnswlib::BaseFilterFunctor* filter = nullptr) const {
    using hnswlib::tableint;
    tableint current;
    int top_level;
    {
      std::lock_guard global(graph_->global);
      current = graph_->enterpoint_node_;
      top_level = graph_->maxlevel_;
    }
    if (top_level < 0) return {};  // empty graph
    const void* param = graph_->dist_func_param_;
    float current_distance =
        graph_->fstdistfunc_(query, graph_->getDataByInternalId(current), param);
    std::array<tableint, 64> neighbours;  // upper levels hold at most M <= 64 links
    for (int level = top_level; level > 0; --level) {
      for (bool changed = true; changed;) {
        changed = false;
        size_t count;
        {
          std::lock_guard links(graph_->link_list_locks_[current]);
          const unsigned int* list = graph_->get_linklist(current, level);
          count = std::min<size_t>(graph_->getListCount(const_cast<unsigned int*>(list)),
                                   neighbours.size());
          std::memcpy(neighbours.data(), list + 1, count * sizeof(tableint));
        }
        for (size_t n = 0; n < count; ++n) {
          const tableint candidate = neighbours[n];
          float d = graph_->fstdistfunc_(query, graph_->getDataByInternalId(candidate), param);
          if (d < current_distance) {
            current_distance = d;
            current = candidate;
            changed = true;
          }
        }
      }
    }
    auto top = graph_->num_deleted_ == 0 && filter == nullptr
                   ? graph_->searchBaseLayerST<true>(current, query, ef)
                   : graph_->searchBaseLayerST<false>(current, query, ef, filter);
    while (top.size() > k) top.pop();
    return top;
  }

  // Grows the graph (which needs it to itself) when a batch may not fit.
  Status EnsureCapacity(size_t more) {
    size_t needed = graph_->cur_element_count + more;
    if (needed <= graph_->getMaxElements()) return Status::Ok();
    std::unique_lock graph(graph_mu_);
    try {
      graph_->resizeIndex(std::max(needed, graph_->getMaxElements() * 2));
    } catch (const std::exception& e) {
      return Status::Unavailable(std::string("cannot grow the index: ") + e.what());
    }
    return Status::Ok();
  }

  IndexParams params_;
  std::unique_ptr<hnswlib::SpaceInterface<float>> space_;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph_;
  mutable std::mutex writer_mu_;
  mutable std::shared_mutex graph_mu_;
  mutable std::shared_mutex items_mu_;
  std::unordered_map<std::string, hnswlib::labeltype> by_id_;
  std::vector<Stored> stored_;         // by label
  hnswlib::labeltype next_label_ = 0;  // writer_mu_
  std::atomic<uint64_t> version_{0};
};

}  // namespace

Result<std::unique_ptr<Index>> CreateHnswIndex(const IndexParams& params) {
  LH_RETURN_IF_ERROR(ValidateParams(params));
  try {
    return std::unique_ptr<Index>(std::make_unique<HnswIndex>(params));
  } catch (const std::exception& e) {
    return Status::Unavailable(std::string("cannot create the index: ") + e.what());
  }
}

Result<std::unique_ptr<Index>> RestoreHnswIndex(IndexImage image) {
  if (Status s = ValidateParams(image.params); !s.ok()) {
    return Status::Unprocessable("parameters: " + s.message());
  }
  LH_ASSIGN_OR_RETURN(auto facts,
                      hnsw_format::Inspect(image.graph, image.params.dim, image.params.m,
                                           image.params.ef_construction));
  LH_RETURN_IF_ERROR(CheckEntries(image, facts));
  LH_ASSIGN_OR_RETURN(MemoryFile file, MemoryFile::Create());
  LH_RETURN_IF_ERROR(file.Write(image.graph));
  image.graph.clear();
  image.graph.shrink_to_fit();
  auto space = MakeSpace(image.params);
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
  try {
    graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
        space.get(), file.path(), /*nmslib=*/false,
        std::max(facts.elements.size(), kInitialCapacity), /*allow_replace_deleted=*/true);
  } catch (const std::exception& e) {
    return Status::Unprocessable(std::string("hnswlib loadIndex: ") + e.what());
  }
  return std::unique_ptr<Index>(std::make_unique<HnswIndex>(image.params, std::move(space),
                                                            std::move(graph), image.next_label,
                                                            std::move(image.entries)));
}

}  // namespace lakehouse::vector
