// Index::Create and Index::Restore: the HNSW engine, wrapped in a full-text part when the params
// ask.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "text/bm25_format.h"
#include "text/tokenizer.h"
#include "vector/hnsw_index.h"
#include "vector/index.h"

namespace lakehouse::vector {
namespace {

// Below this many texts a batch is tokenized on the calling thread alone.
constexpr size_t kTextsPerThread = 256;

Status BadText(size_t position, const std::string& why) {
  return Status::InvalidArgument("item " + std::to_string(position) + ": text " + why +
                                 "; nothing was added");
}

Status CheckTexts(const std::vector<Item>& items) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].text) continue;
    const std::string& text = *items[i].text;
    if (text.size() > kMaxTextBytes) {
      return BadText(i, "is " + std::to_string(text.size()) + " bytes; the limit is " +
                            std::to_string(kMaxTextBytes));
    }
    if (auto at = text::InvalidUtf8At(text)) {
      return BadText(i, "is not valid UTF-8 at byte " + std::to_string(*at));
    }
  }
  return Status::Ok();
}

// The vector index and a BM25 index over its items' texts, changed together
// under one writer lock so that a snapshot sees both as of the same write.
// Searches of either part run beside writes, as each part allows; a keyword
// hit whose item is mid-removal is dropped, never returned without metadata.
class FullTextIndex final : public Index {
 public:
  FullTextIndex(std::unique_ptr<Index> vectors, std::unique_ptr<text::Bm25Index> words)
      : vectors_(std::move(vectors)), words_(std::move(words)) {}

  const IndexParams& params() const override { return vectors_->params(); }
  size_t size() const override { return vectors_->size(); }
  uint64_t version() const override { return vectors_->version(); }

  Status Add(std::vector<Item> items) override {
    LH_RETURN_IF_ERROR(CheckTexts(items));
    std::vector<std::pair<std::string, std::optional<std::string>>> texts;
    texts.reserve(items.size());
    for (auto& item : items) texts.emplace_back(item.id, std::move(item.text));
    std::lock_guard writer(writer_mu_);
    LH_RETURN_IF_ERROR(vectors_->Add(std::move(items)));
    IndexTexts(texts);
    return Status::Ok();
  }

  Result<std::vector<Hit>> Search(std::span<const float> query, size_t k,
                                  std::optional<uint32_t> ef) const override {
    return vectors_->Search(query, k, ef);
  }
  Result<std::vector<Hit>> SearchFiltered(std::span<const float> query, size_t k,
                                          std::optional<uint32_t> ef,
                                          const MetadataFilter& filter) const override {
    return vectors_->SearchFiltered(query, k, ef, filter);
  }
  Result<Item> Get(std::string_view id) const override { return vectors_->Get(id); }
  std::shared_ptr<const nlohmann::json> MetadataOf(std::string_view id) const override {
    return vectors_->MetadataOf(id);
  }

  Status Remove(std::string_view id) override {
    std::lock_guard writer(writer_mu_);
    LH_RETURN_IF_ERROR(vectors_->Remove(id));
    words_->Remove(id);
    return Status::Ok();
  }

  Result<IndexImage> Snapshot() const override {
    std::lock_guard writer(writer_mu_);
    LH_ASSIGN_OR_RETURN(IndexImage image, vectors_->Snapshot());
    LH_ASSIGN_OR_RETURN(image.full_text, text::lht1::Encode(*words_));
    return image;
  }

  Result<std::vector<KeywordHit>> SearchKeywords(std::string_view query, size_t k,
                                                 const MetadataFilter& filter) const override {
    if (k == 0 || k > 10000) return Status::InvalidArgument("k must be 1..10000");
    text::AllowFn allow;
    if (!filter.empty()) {
      allow = [&](std::string_view id) {
        auto metadata = vectors_->MetadataOf(id);
        return metadata != nullptr && filter.Matches(*metadata);
      };
    }
    std::vector<KeywordHit> hits;
    for (auto& hit : words_->Search(query, k, allow)) {
      auto metadata = vectors_->MetadataOf(hit.id);
      if (metadata == nullptr) continue;  // removed meanwhile
      hits.push_back({std::move(hit.id), hit.score, std::move(metadata)});
    }
    return hits;
  }

  Result<std::vector<std::string>> MatchedTerms(std::string_view id,
                                                std::string_view query) const override {
    return words_->MatchedTerms(id, query);
  }

 private:
  // Adds each text (an item without one loses what it had). Bm25Index::Add
  // tokenizes outside its lock, so a large batch is spread over the cores.
  void IndexTexts(std::vector<std::pair<std::string, std::optional<std::string>>>& texts) {
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i = next++; i < texts.size(); i = next++) {
        auto& [id, text] = texts[i];
        if (text) {
          // Only an empty id fails, and the vector part refused those.
          (void)words_->Add(id, *text);
        } else {
          words_->Remove(id);
        }
      }
    };
    size_t workers = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()),
                                      (texts.size() + kTextsPerThread - 1) / kTextsPerThread);
    std::vector<std::thread> threads;
    for (size_t w = 1; w < workers; ++w) threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();
  }

  std::unique_ptr<Index> vectors_;
  std::unique_ptr<text::Bm25Index> words_;
  mutable std::mutex writer_mu_;
};

// Every document of a stored full-text part must be a live item of the
// vector part, with the parameters the index records.
Status CheckFullText(const Index& vectors, const text::Bm25Index& words) {
  if (words.params() != *vectors.params().full_text) {
    return Status::Unprocessable("the full-text part's parameters differ from the index's");
  }
  for (const auto& doc : words.Documents()) {
    if (vectors.MetadataOf(doc.id) == nullptr) {
      return Status::Unprocessable("the full-text part holds \"" + doc.id +
                                   "\", which is not an item of the index");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<KeywordHit>> Index::SearchKeywords(std::string_view /*query*/, size_t /*k*/,
                                                      const MetadataFilter& /*filter*/) const {
  return Status::InvalidArgument("index \"" + params().name +
                                 "\" has no full-text part to search by keywords");
}

Result<std::vector<std::string>> Index::MatchedTerms(std::string_view /*id*/,
                                                     std::string_view /*query*/) const {
  return Status::InvalidArgument("index \"" + params().name + "\" has no full-text part");
}

Result<std::unique_ptr<Index>> Index::Create(const IndexParams& params) {
  LH_ASSIGN_OR_RETURN(std::unique_ptr<Index> vectors, CreateHnswIndex(params));
  if (!params.full_text) return vectors;
  return std::unique_ptr<Index>(std::make_unique<FullTextIndex>(
      std::move(vectors), std::make_unique<text::Bm25Index>(*params.full_text)));
}

Result<std::unique_ptr<Index>> Index::Restore(IndexImage image) {
  std::string full_text = std::move(image.full_text);
  const bool wants_full_text = image.params.full_text.has_value();
  if (wants_full_text && full_text.empty()) {
    return Status::Unprocessable("the full-text part is missing");
  }
  if (!wants_full_text && !full_text.empty()) {
    return Status::Unprocessable("a full-text part, but no full-text parameters");
  }
  LH_ASSIGN_OR_RETURN(std::unique_ptr<Index> vectors, RestoreHnswIndex(std::move(image)));
  if (!wants_full_text) return vectors;
  auto words = text::lht1::Decode(full_text);
  if (!words.ok()) return Status::Unprocessable("full-text part: " + words.status().message());
  LH_RETURN_IF_ERROR(CheckFullText(*vectors, **words));
  return std::unique_ptr<Index>(
      std::make_unique<FullTextIndex>(std::move(vectors), std::move(*words)));
}

}  // namespace lakehouse::vector
