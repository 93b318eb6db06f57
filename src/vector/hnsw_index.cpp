#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "vector/index.h"

namespace lakehouse::vector {
namespace {

constexpr size_t kInitialCapacity = 1024;

Status BadItem(size_t position, const std::string& why) {
  return Status::InvalidArgument("item " + std::to_string(position) + ": " + why +
                                 "; nothing was added");
}

// The engine behind Index: hnswlib 0.8's HierarchicalNSW. Cosine is inner
// product over normalised vectors, so its distance is 1 - cos.
class HnswIndex final : public Index {
 public:
  explicit HnswIndex(const IndexParams& params)
      : params_(params),
        space_(params.metric == Metric::kL2
                   ? static_cast<hnswlib::SpaceInterface<float>*>(new hnswlib::L2Space(params.dim))
                   : new hnswlib::InnerProductSpace(params.dim)),
        graph_(std::make_unique<hnswlib::HierarchicalNSW<float>>(
            space_.get(), kInitialCapacity, params.m, params.ef_construction, /*random_seed=*/100,
            /*allow_replace_deleted=*/true)) {
    graph_->setEf(params.ef_search);
  }

  const IndexParams& params() const override { return params_; }

  size_t size() const override {
    std::lock_guard lock(items_mu_);
    return by_id_.size();
  }

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
      if (params_.metric == Metric::kCosine && norm == 0) {
        return BadItem(i, "a zero vector has no direction for cosine");
      }
      if (!item.metadata.is_object() && !item.metadata.is_null()) {
        return BadItem(i, "metadata must be a JSON object");
      }
      if (item.metadata.dump().size() > kMaxMetadataBytes) {
        return BadItem(i, "metadata exceeds " + std::to_string(kMaxMetadataBytes) + " bytes");
      }
    }
    return Status::Ok();
  }

  Status Add(std::vector<Item> items) override {
    LH_RETURN_IF_ERROR(Validate(items));
    if (items.empty()) return Status::Ok();
    // Labels first, under the item lock; the graph work happens outside it.
    std::vector<hnswlib::labeltype> labels(items.size());
    {
      std::lock_guard lock(items_mu_);
      for (size_t i = 0; i < items.size(); ++i) {
        auto it = by_id_.find(items[i].id);
        labels[i] = it != by_id_.end() ? it->second : next_label_++;
      }
    }
    std::vector<std::vector<float>> prepared(items.size());
    for (size_t i = 0; i < items.size(); ++i) prepared[i] = Prepare(items[i].vector);
    EnsureCapacity(items.size());
    {
      // hnswlib's search reads upper-layer links without locks, so a search
      // beside addPoint can see a torn list: adds take the graph alone.
      std::unique_lock graph(graph_mu_);
      std::atomic<size_t> next{0};
      // Into an empty graph the first point goes alone (it becomes the entry
      // point); the rest of the batch is spread over the cores, as addPoint
      // on distinct labels allows.
      if (graph_->getCurrentElementCount() == 0) {
        graph_->addPoint(prepared[0].data(), labels[0], /*replace_deleted=*/true);
        next = 1;
      }
      auto work = [&] {
        for (size_t i = next++; i < items.size(); i = next++) {
          graph_->addPoint(prepared[i].data(), labels[i], /*replace_deleted=*/true);
        }
      };
      size_t workers = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()),
                                        (items.size() + 255) / 256);
      std::vector<std::thread> threads;
      for (size_t w = 1; w < workers; ++w) threads.emplace_back(work);
      work();
      for (auto& t : threads) t.join();
    }
    std::lock_guard lock(items_mu_);
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].metadata.is_null()) items[i].metadata = nlohmann::json::object();
      by_id_[items[i].id] = labels[i];
      stored_[labels[i]] = std::move(items[i]);
    }
    return Status::Ok();
  }

  Result<std::vector<Hit>> Search(std::span<const float> query, size_t k,
                                  std::optional<uint32_t> ef) const override {
    if (query.size() != params_.dim) {
      return Status::InvalidArgument("query has " + std::to_string(query.size()) +
                                     " components; the index has dimension " +
                                     std::to_string(params_.dim));
    }
    if (k == 0 || k > 10000) return Status::InvalidArgument("k must be 1..10000");
    for (float v : query) {
      if (!std::isfinite(v)) return Status::InvalidArgument("query has a non-finite component");
    }
    std::vector<float> prepared = Prepare({query.begin(), query.end()});
    std::priority_queue<std::pair<float, hnswlib::labeltype>> found;
    if (ef && *ef != params_.ef_search) {
      // hnswlib keeps ef in the index: a search with its own ef runs alone.
      std::unique_lock graph(graph_mu_);
      graph_->setEf(*ef);
      found = graph_->searchKnn(prepared.data(), k);
      graph_->setEf(params_.ef_search);
    } else {
      std::shared_lock graph(graph_mu_);
      found = graph_->searchKnn(prepared.data(), k);
    }
    std::vector<Hit> hits;
    std::lock_guard lock(items_mu_);
    while (!found.empty()) {
      auto [distance, label] = found.top();
      found.pop();
      if (auto it = stored_.find(label); it != stored_.end()) {
        hits.push_back({it->second.id, distance, it->second.metadata});
      }
    }
    std::reverse(hits.begin(), hits.end());
    return hits;
  }

  Result<Item> Get(std::string_view id) const override {
    std::lock_guard lock(items_mu_);
    auto it = by_id_.find(std::string(id));
    if (it == by_id_.end()) return Status::NotFound("no item \"" + std::string(id) + "\"");
    return stored_.at(it->second);
  }

  Status Remove(std::string_view id) override {
    hnswlib::labeltype label;
    {
      std::lock_guard lock(items_mu_);
      auto it = by_id_.find(std::string(id));
      if (it == by_id_.end()) return Status::NotFound("no item \"" + std::string(id) + "\"");
      label = it->second;
      by_id_.erase(it);
      stored_.erase(label);
    }
    std::unique_lock graph(graph_mu_);
    graph_->markDelete(label);
    return Status::Ok();
  }

 private:
  std::vector<float> Prepare(std::vector<float> v) const {
    if (params_.metric == Metric::kCosine) {
      double norm = 0;
      for (float x : v) norm += static_cast<double>(x) * x;
      norm = std::sqrt(norm);
      for (float& x : v) x = static_cast<float>(x / norm);
    }
    return v;
  }

  // Grows the graph (which needs it to itself) when a batch may not fit.
  void EnsureCapacity(size_t more) {
    std::unique_lock graph(graph_mu_);
    size_t needed = graph_->getCurrentElementCount() + more;
    if (needed <= graph_->getMaxElements()) return;
    graph_->resizeIndex(std::max(needed, graph_->getMaxElements() * 2));
  }

  IndexParams params_;
  std::unique_ptr<hnswlib::SpaceInterface<float>> space_;
  mutable std::shared_mutex graph_mu_;  // searches share it; changes take it alone
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph_;
  mutable std::mutex items_mu_;
  std::unordered_map<std::string, hnswlib::labeltype> by_id_;
  std::unordered_map<hnswlib::labeltype, Item> stored_;
  hnswlib::labeltype next_label_ = 0;
};

}  // namespace

std::string_view MetricName(Metric metric) {
  switch (metric) {
    case Metric::kCosine:
      return "cosine";
    case Metric::kL2:
      return "l2";
    case Metric::kIp:
      return "ip";
  }
  return "cosine";
}

Result<Metric> ParseMetric(std::string_view name) {
  for (Metric m : {Metric::kCosine, Metric::kL2, Metric::kIp}) {
    if (MetricName(m) == name) return m;
  }
  return Status::InvalidArgument("metric must be cosine, l2 or ip, got \"" + std::string(name) +
                                 "\"");
}

Status ValidateParams(const IndexParams& p) {
  const std::string& n = p.name;
  bool name_ok = !n.empty() && n.size() <= 63 && n[0] >= 'a' && n[0] <= 'z';
  for (char c : n) {
    name_ok = name_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  }
  if (!name_ok) {
    return Status::InvalidArgument("index name \"" + n + "\" must match [a-z][a-z0-9_-]{0,62}");
  }
  if (p.dim < 1 || p.dim > 4096) return Status::InvalidArgument("dim must be 1..4096");
  if (p.m < 4 || p.m > 64) return Status::InvalidArgument("m must be 4..64");
  if (p.ef_construction < 1 || p.ef_construction > 10000) {
    return Status::InvalidArgument("ef_construction must be 1..10000");
  }
  if (p.ef_search < 1 || p.ef_search > 10000) {
    return Status::InvalidArgument("ef_search must be 1..10000");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Index>> Index::Create(const IndexParams& params) {
  LH_RETURN_IF_ERROR(ValidateParams(params));
  return std::unique_ptr<Index>(std::make_unique<HnswIndex>(params));
}

}  // namespace lakehouse::vector
