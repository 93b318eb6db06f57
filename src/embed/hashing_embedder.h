// The built-in embedder: no model files, deterministic, fast. Lexical, not
// deep-semantic: texts are near when they share words, word pairs and
// pieces of words, weighted by how rare those are.
//
// Features of a text: its lowercased words, adjacent word pairs, and each
// word's character 3-grams with boundary marks ("<py", "pyt", ..., "on>"),
// so "engineer" and "engineering" share most of their grams. A feature
// weighs (1 + ln(tf)) (sublinear) times its IDF times its kind's weight:
// words and 3-grams 1, pairs 0.5. A long text keeps only its kMaxFeatures
// heaviest features; each kept one is added with a sign to one of dim()
// buckets chosen by a hash of it (signed feature hashing keeps collisions
// unbiased); the sum is scaled to unit length, so cosine and dot agree.
//
// Why these numbers (bench/retrieval: real job postings found by their
// titles): hashing makes a dot product a noisy estimate of the exact sparse
// one, with noise about 1/sqrt(dim) whatever the weights, and a long
// posting spreads its length over thousands of features, so a title's few
// matches are small against that noise. 1024 dimensions instead of 384
// cut the noise's variance by 2.7 for the price of a costlier HNSW
// distance; pairs are nearly all distinct and rare, so at full weight they
// take a third of a long text's length while a title rarely matches one;
// 3-grams repeat across a text's words, so they concentrate its length and
// carry most of what a title matches (lowering them loses more than it
// saves); and dropping a long text's lightest features past kMaxFeatures
// removes collision noise for less than it loses in matches.
//
// IDF is learned by Fit from the texts an index is built from: idf =
// ln((1 + N) / (1 + df)) + 1 over kIdfBuckets hashed feature buckets. Until
// fitted every feature weighs 1. The fitted table is part of the embedder's
// state (Save/Load), kept with the index so queries are embedded with it.
// Vectors of another representation must not be mixed with these, so a
// change to any of the above changes kName.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "embed/embedder.h"

namespace lakehouse::embed {

class HashingEmbedder final : public Embedder {
 public:
  static constexpr size_t kDefaultDim = 1024;
  static constexpr size_t kIdfBuckets = 1 << 16;
  static constexpr size_t kMaxFeatures = 800;  // kept of a long text, the heaviest
  static constexpr std::string_view kName = "lakehouse-hash-v2";

  explicit HashingEmbedder(size_t dim = kDefaultDim);

  std::string name() const override { return std::string(kName); }
  size_t dim() const override { return dim_; }
  Result<std::vector<std::vector<float>>> Embed(std::span<const std::string> texts) override;
  std::vector<float> EmbedOne(std::string_view text) const;

  // Learns IDF from a corpus (replacing what was learned before).
  void Fit(std::span<const std::string> corpus);
  bool fitted() const { return documents_ > 0; }

  // The learned state as bytes, and back; Load checks sizes and values.
  std::string Save() const;
  static Result<std::unique_ptr<HashingEmbedder>> Load(std::string_view bytes);

  // The Embedder hooks for the above: a fitted copy, its state, a restore.
  std::shared_ptr<Embedder> FittedTo(std::span<const std::string> corpus) const override;
  std::string LearnedState() const override { return Save(); }
  Result<std::shared_ptr<Embedder>> WithLearnedState(std::string_view state) const override;

 private:
  template <typename Visit>
  static void ForEachFeature(std::string_view text, Visit visit);
  // idf_ from documents_ and document_frequency_.
  void DeriveIdf();

  size_t dim_;
  uint64_t documents_ = 0;
  std::vector<uint32_t> document_frequency_;  // kIdfBuckets, empty until fitted
  std::vector<float> idf_;  // derived from the two above (DeriveIdf), kept for speed
};

}  // namespace lakehouse::embed
