// Bm25Index: the postings maps, BM25 scoring and top-k selection.
#include "text/bm25_index.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <mutex>

namespace lakehouse::text {
namespace {

constexpr auto kBySlot = [](const auto& posting, uint32_t slot) { return posting.slot < slot; };

}  // namespace

Status ValidateParams(const Bm25Params& params) {
  if (!std::isfinite(params.k1) || params.k1 < 0) {
    return Status::InvalidArgument("BM25 k1 must be a finite number >= 0");
  }
  if (!(params.b >= 0 && params.b <= 1)) {
    return Status::InvalidArgument("BM25 b must be between 0 and 1");
  }
  return Status::Ok();
}

Bm25Index::Bm25Index(Bm25Params params) : params_(params) { assert(ValidateParams(params_).ok()); }

std::vector<std::pair<std::string, uint32_t>> Bm25Index::Count(std::vector<std::string> terms) {
  std::sort(terms.begin(), terms.end());
  std::vector<std::pair<std::string, uint32_t>> counted;
  for (auto& term : terms) {
    if (!counted.empty() && counted.back().first == term) {
      ++counted.back().second;
    } else {
      counted.emplace_back(std::move(term), 1);
    }
  }
  return counted;
}

Status Bm25Index::Add(std::string id, std::string_view text) {
  if (id.empty()) return Status::InvalidArgument("a document id must not be empty");
  std::vector<std::string> terms = Tokenize(text, params_.stemming);
  if (terms.size() > std::numeric_limits<uint32_t>::max()) {
    return Status::TooLarge("a document yields more than 2^32 terms");
  }
  return AddAnalyzed({std::move(id), Count(std::move(terms))});
}

Status Bm25Index::AddAnalyzed(AnalyzedDoc doc) {
  if (doc.id.empty()) return Status::InvalidArgument("a document id must not be empty");
  uint64_t length = 0;
  for (size_t i = 0; i < doc.terms.size(); ++i) {
    const auto& [term, count] = doc.terms[i];
    if (term.empty() || count == 0) {
      return Status::InvalidArgument("document \"" + doc.id +
                                     "\" has an empty term or a zero count");
    }
    // Removal and MatchedTerms rely on each term appearing once, in order.
    if (i > 0 && !(doc.terms[i - 1].first < term)) {
      return Status::InvalidArgument("document \"" + doc.id +
                                     "\" has terms out of order or repeated");
    }
    if (!IsExactForm(term)) length += count;
  }
  if (length > std::numeric_limits<uint32_t>::max()) {
    return Status::TooLarge("document \"" + doc.id + "\" holds more than 2^32 terms");
  }
  std::unique_lock lock(mu_);
  if (auto it = slots_.find(doc.id); it != slots_.end()) RemoveLocked(it->second);
  InsertLocked({std::move(doc.id), static_cast<uint32_t>(length), std::move(doc.terms)});
  return Status::Ok();
}

void Bm25Index::InsertLocked(Doc doc) {
  uint32_t slot = 0;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(docs_.size());
    docs_.emplace_back();
  }
  for (const auto& [term, count] : doc.terms) {
    auto& list = postings_[term];
    auto at = std::lower_bound(list.begin(), list.end(), slot, kBySlot);
    list.insert(at, {slot, count});
  }
  total_length_ += doc.length;
  slots_.emplace(doc.id, slot);
  docs_[slot] = std::move(doc);
}

void Bm25Index::RemoveLocked(uint32_t slot) {
  Doc& doc = docs_[slot];
  for (const auto& [term, count] : doc.terms) {
    auto posting = postings_.find(term);
    auto& list = posting->second;
    list.erase(std::lower_bound(list.begin(), list.end(), slot, kBySlot));
    if (list.empty()) postings_.erase(posting);
  }
  total_length_ -= doc.length;
  slots_.erase(doc.id);
  doc = Doc{};
  free_slots_.push_back(slot);
}

bool Bm25Index::Remove(std::string_view id) {
  std::unique_lock lock(mu_);
  auto it = slots_.find(std::string(id));
  if (it == slots_.end()) return false;
  RemoveLocked(it->second);
  return true;
}

std::vector<std::string> Bm25Index::QueryTerms(std::string_view query) const {
  std::vector<std::string> terms = Tokenize(query, params_.stemming);
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

// Scores by slot in an array kept between searches (all zero outside one):
// no allocation and no hashing per matching document. The arrays are the
// index's, one per search running at once, so memory follows the index's
// size and the searches in flight rather than every thread that ever
// searched.
Bm25Index::ScoreLease::ScoreLease(const Bm25Index& index) : index_(index) {
  {
    std::lock_guard lock(index_.spare_mu_);
    if (!index_.spare_scores_.empty()) {
      scores = std::move(index_.spare_scores_.back());
      index_.spare_scores_.pop_back();
    }
  }
  if (scores.size() < index_.docs_.size()) scores.resize(index_.docs_.size(), 0.0);
}

Bm25Index::ScoreLease::~ScoreLease() {
  for (uint32_t slot : touched) scores[slot] = 0;
  std::lock_guard lock(index_.spare_mu_);
  if (index_.spare_scores_.size() < kMaxSpareScores) {
    index_.spare_scores_.push_back(std::move(scores));
  }
}

size_t Bm25Index::ScoreLocked(const std::vector<std::string>& terms, const AllowFn& allow,
                              std::vector<double>& scores, std::vector<uint32_t>& touched) const {
  const double n = static_cast<double>(slots_.size());
  const double avgdl = static_cast<double>(total_length_) / n;
  const double k1 = params_.k1;
  const double b = params_.b;
  // Terms go in ascending order, so each document's sum is added up in the
  // same order on every run and equal documents tie exactly.
  for (const auto& term : terms) {
    auto posting = postings_.find(term);
    if (posting == postings_.end()) continue;
    const double df = static_cast<double>(posting->second.size());
    const double idf =
        std::log(1.0 + (n - df + 0.5) / (df + 0.5)) * (IsExactForm(term) ? kExactFormWeight : 1.0);
    for (const auto& [slot, count] : posting->second) {
      const double tf = count;
      // avgdl is 0 only when every document is empty, and then none is here.
      const double norm = 1.0 - b + b * docs_[slot].length / avgdl;
      // A positive idf and count make every addition positive, so a zero
      // score means "not touched yet".
      if (scores[slot] == 0) touched.push_back(slot);
      scores[slot] += idf * tf * (k1 + 1.0) / (tf + k1 * norm);
    }
  }
  if (!allow) return touched.size();
  // Refused slots are moved behind, not erased, so their scores still get
  // reset.
  auto refused = std::partition(touched.begin(), touched.end(),
                                [&](uint32_t slot) { return allow(docs_[slot].id); });
  return static_cast<size_t>(refused - touched.begin());
}

std::vector<TextHit> Bm25Index::Search(std::string_view query, size_t k,
                                       const AllowFn& allow) const {
  const std::vector<std::string> terms = QueryTerms(query);
  if (terms.empty() || k == 0) return {};
  std::shared_lock lock(mu_);
  if (slots_.empty()) return {};
  ScoreLease lease(*this);
  std::vector<double>& scores = lease.scores;
  std::vector<uint32_t>& touched = lease.touched;
  const size_t allowed = ScoreLocked(terms, allow, scores, touched);
  auto better = [&](uint32_t a, uint32_t b) {
    return scores[a] != scores[b] ? scores[a] > scores[b] : docs_[a].id < docs_[b].id;
  };
  const size_t keep = std::min(k, allowed);
  const auto end = touched.begin() + static_cast<std::ptrdiff_t>(allowed);
  std::partial_sort(touched.begin(), touched.begin() + static_cast<std::ptrdiff_t>(keep), end,
                    better);
  std::vector<TextHit> hits;
  hits.reserve(keep);
  for (size_t i = 0; i < keep; ++i) hits.push_back({docs_[touched[i]].id, scores[touched[i]]});
  return hits;
}

Result<std::vector<std::string>> Bm25Index::MatchedTerms(std::string_view id,
                                                         std::string_view query) const {
  const std::vector<std::string> terms = QueryTerms(query);
  std::shared_lock lock(mu_);
  auto it = slots_.find(std::string(id));
  if (it == slots_.end()) return Status::NotFound("no document \"" + std::string(id) + "\"");
  const auto& held = docs_[it->second].terms;  // ascending, as `terms` is
  std::vector<std::string> matched;
  auto next = held.begin();
  for (const auto& term : terms) {
    next = std::lower_bound(next, held.end(), term,
                            [](const auto& pair, const std::string& t) { return pair.first < t; });
    if (next != held.end() && next->first == term && !IsExactForm(term)) matched.push_back(term);
  }
  return matched;
}

size_t Bm25Index::size() const {
  std::shared_lock lock(mu_);
  return slots_.size();
}

double Bm25Index::AverageLength() const {
  std::shared_lock lock(mu_);
  return slots_.empty() ? 0.0
                        : static_cast<double>(total_length_) / static_cast<double>(slots_.size());
}

size_t Bm25Index::DocumentFrequency(const std::string& term) const {
  std::shared_lock lock(mu_);
  auto it = postings_.find(term);
  return it == postings_.end() ? 0 : it->second.size();
}

std::vector<AnalyzedDoc> Bm25Index::Documents() const {
  std::vector<AnalyzedDoc> out;
  {
    std::shared_lock lock(mu_);
    out.reserve(slots_.size());
    for (const auto& doc : docs_) {
      if (!doc.id.empty()) out.push_back({doc.id, doc.terms});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace lakehouse::text
