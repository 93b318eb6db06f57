// text::Bm25Index — an in-memory BM25 keyword index over documents named by
// string ids: add, replace, remove, ranked search with an optional filter.
//
// Scoring (Robertson's BM25 with Lucene's non-negative idf). For a query Q,
// taken as its distinct terms (a term typed twice counts once), and a
// document D:
//
//   score(D, Q) = sum over t in Q and in D of
//                 w(t) * idf(t) * tf(t,D) * (k1 + 1) / (tf(t,D) + k1 * (1 - b + b * |D| / avgdl))
//   idf(t)      = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
//
// where tf(t,D) is how often t occurs in D, |D| the number of terms D yields
// (repeats and hyphen parts included, text/tokenizer.h) leaving out exact
// forms, avgdl the mean |D| over the index, N the number of documents and
// df(t) how many of them hold t. w(t) is 1, and kExactFormWeight for the
// exact form of a stemmed word (tokenizer rule 5): a document saying
// "engineers" for a query "engineers" scores its stem `engin` in full and
// `=engineers` at half weight on top, ahead of one saying only
// "engineering". Exact forms leave |D| alone, so stemming changes no
// document's length. (On bench/retrieval's postings, half weight without
// length beat full weight, with or without length, and stems alone.)
// Documents and queries go through the same tokenizer with the index's
// stemming. A document with no terms still counts in N. The (k1 + 1) factor
// is kept as Robertson wrote it; Lucene drops it, which scales every score
// alike and changes no ranking, so scores here are (k1 + 1) times Lucene's.
//
// Threads: any number of Search, MatchedTerms and the accessors run at once;
// Add and Remove take turns and hold readers off only while they change the
// maps, not while they tokenize. An allow-predicate runs under the readers'
// lock, so it must not call Add or Remove on the same index.
//
// The index keeps copies of ids and terms, nothing of its caller's.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "text/tokenizer.h"

namespace lakehouse::text {

struct Bm25Params {
  double k1 = 1.2;  // how fast repeats of a term stop adding score
  double b = 0.75;  // how much a long document is penalised, 0 (none) to 1 (fully)
  Stemming stemming = Stemming::kEnglish;
  bool operator==(const Bm25Params&) const = default;
};

// kInvalidArgument unless k1 is finite and >= 0 and b is within [0, 1].
Status ValidateParams(const Bm25Params& params);

// The weight w(t) of a stemmed word's exact form (see the top).
inline constexpr double kExactFormWeight = 0.5;

struct TextHit {
  std::string id;
  double score = 0;
  bool operator==(const TextHit&) const = default;
};

// A document as the index holds it: its distinct terms with their counts,
// terms ascending. What the stored form keeps.
struct AnalyzedDoc {
  std::string id;
  std::vector<std::pair<std::string, uint32_t>> terms;
  bool operator==(const AnalyzedDoc&) const = default;
};

// Says whether an id may be returned (a metadata filter, for instance).
using AllowFn = std::function<bool(std::string_view id)>;

class Bm25Index {
 public:
  // REQUIRES: ValidateParams(params).ok().
  explicit Bm25Index(Bm25Params params);
  Bm25Index(const Bm25Index&) = delete;
  Bm25Index& operator=(const Bm25Index&) = delete;

  const Bm25Params& params() const { return params_; }

  // Indexes `text` under `id`, replacing what the id held before.
  // kInvalidArgument for an empty id.
  Status Add(std::string id, std::string_view text);
  // As Add, for terms already counted (a stored image being loaded).
  // kInvalidArgument for an empty id, an empty term, a zero count, or terms
  // not strictly ascending.
  Status AddAnalyzed(AnalyzedDoc doc);
  // False when the id was not there.
  bool Remove(std::string_view id);

  // The best `k` documents for `query` among those `allow` accepts (all when
  // `allow` is empty), highest score first, ties by id ascending. Only
  // documents holding at least one query term are returned. The filter is
  // applied before the cut, so up to k allowed documents come back. An empty
  // query, or one with no terms, returns nothing.
  std::vector<TextHit> Search(std::string_view query, size_t k, const AllowFn& allow = {}) const;

  // The distinct query terms (in their indexed form, stemmed when the index
  // stems; exact forms left out, as their stems are there) that document
  // `id` holds, ascending: what a caller highlights.
  // kNotFound when the id is not indexed.
  Result<std::vector<std::string>> MatchedTerms(std::string_view id, std::string_view query) const;

  size_t size() const;
  double AverageLength() const;
  // How many documents hold `term` (already in indexed form); 0 when none.
  size_t DocumentFrequency(const std::string& term) const;
  // Every document, ids ascending: a consistent copy for the stored form.
  std::vector<AnalyzedDoc> Documents() const;

 private:
  struct Doc {
    std::string id;
    uint32_t length = 0;
    std::vector<std::pair<std::string, uint32_t>> terms;
  };
  // One document holding a term: its slot and the term's count there.
  struct Posting {
    uint32_t slot;
    uint32_t count;
  };

  static std::vector<std::pair<std::string, uint32_t>> Count(std::vector<std::string> terms);
  void InsertLocked(Doc doc);
  void RemoveLocked(uint32_t slot);
  std::vector<std::string> QueryTerms(std::string_view query) const;
  // A zeroed score array for one search (see the .cpp), given back when
  // the search ends however it ends. REQUIRES: the readers' lock held.
  struct ScoreLease {
    explicit ScoreLease(const Bm25Index& index);
    ScoreLease(const ScoreLease&) = delete;
    ScoreLease& operator=(const ScoreLease&) = delete;
    ~ScoreLease();
    std::vector<double> scores;
    std::vector<uint32_t> touched;

   private:
    const Bm25Index& index_;
  };
  static constexpr size_t kMaxSpareScores = 4;

  // Adds each document's score for `terms` into `scores` (by slot, zero
  // where untouched) and lists the slots it touched in `touched`, those
  // `allow` accepts first; returns how many it accepts.
  size_t ScoreLocked(const std::vector<std::string>& terms, const AllowFn& allow,
                     std::vector<double>& scores, std::vector<uint32_t>& touched) const;

  const Bm25Params params_;
  mutable std::shared_mutex mu_;
  std::vector<Doc> docs_;                            // by slot; a freed slot has an empty id
  std::vector<uint32_t> free_slots_;                 // reused before docs_ grows
  std::unordered_map<std::string, uint32_t> slots_;  // id -> slot
  // term -> the documents holding it, slots ascending; a term's document
  // frequency is its size. Flat lists because a search walks every entry of
  // its terms' lists, and a walk over contiguous pairs is several times
  // quicker than over a hash map's nodes; a change finds its entry by
  // binary search.
  std::unordered_map<std::string, std::vector<Posting>> postings_;
  uint64_t total_length_ = 0;
  mutable std::mutex spare_mu_;
  mutable std::vector<std::vector<double>> spare_scores_;  // zeroed; at most kMaxSpareScores
};

}  // namespace lakehouse::text
