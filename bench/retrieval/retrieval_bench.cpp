// bench/retrieval: how well the built-in embedder (embed::HashingEmbedder,
// through vector::Index) finds real job postings by their titles, against the
// standard keyword baseline, and how fast it embeds and indexes.
//
// Quality, on the real postings with body text in ../shared/data (see its
// SOURCES.md):
//   usajobs    usajobs-data-roles/usajobs_postings.csv: title; description
//   google     google-job-skills/job_skills.csv: Title; Responsibilities,
//              Minimum Qualifications, Preferred Qualifications
//   glassdoor  glassdoor-ds-jobs/Uncleaned_DS_jobs.csv: Job Title; Job
//              Description
//   all        the three together in one corpus (the overall figure)
// read through DuckDB's read_csv (quoted fields with newlines, CRLF rows).
// A posting's indexed text is its body text WITHOUT its title; the query is
// its title. For every posting: is the posting itself (by row) in the top 10,
// and at which rank (hit@10, MRR@10). Postings without a title or body text
// are left out. Identical titles make "itself" ambiguous (the query cannot
// tell the postings apart), so the share of postings whose title another
// posting shares is printed, with hit@10 over the postings with a unique
// title and a lenient hit@10 (itself or a posting with the same title).
//
//   embedder   HashingEmbedder (kDefaultDim dims) fitted on the corpus's indexed
//              texts (Fit learns IDF), the texts' vectors in a vector::Index
//              (cosine, M 16, ef_construction 200), the title's vector
//              searched with ef 100. Also printed: the exact cosine top 10
//              (a scan), to tell the embedding from the graph.
//   BM25       Okapi BM25 (k1 1.2, b 0.75, Lucene's idf) over the same texts,
//              tokenized as the embedder tokenizes words (lowercased runs of
//              letters and digits), no stemming, no stop words, implemented
//              here. BM25 is the standard lexical baseline (Lucene's,
//              Elasticsearch's and Tantivy's default similarity, the baseline
//              of the BEIR and MS MARCO retrieval benchmarks): beating it is
//              what "better than keyword search" means. A plain ILIKE filter
//              has no ranking, so it would be a weaker bar.
//   ILIKE      the plain keyword baseline: the first ten postings
//              (table order) whose text holds every word of the title, as
//              `WHERE text ILIKE '%w1%' AND ... ORDER BY i LIMIT 10` answers
//              (checked against DuckDB's own ILIKE on a sample of titles).
// Goals: the built-in embedder beats the plain keyword baseline on hit@10
// (per data set, and over all postings in one corpus); and, the stronger
// bar, BM25 — printed as its own goal line, met or not.
//
// The product's own full-text search, on the same postings:
//   keyword    a vector::Index with a full-text part (params.full_text, the
//              default text::Bm25Params: k1 1.2, b 0.75, English stemming),
//              its items carrying the posting text beside the vector, each
//              title searched through vector::SearchIndex in keyword mode,
//              k 10: what POST /v1/indexes/{name}/search answers. Goal: its
//              hit@10 >= 1.0x the bench's BM25 above (same formula, simpler
//              tokenizer), per set.
//   LanceDB    the full-text search a user would pick instead: LanceDB
//              0.31.0's FTS index with its defaults
//              (bench/retrieval/lance_fts_peer.mjs under node, installed by
//              scripts/bootstrap.sh), the same texts and titles. Goal: keyword
//              hit@10 >= 1.0x LanceDB's, per set; NOT MET when the peer
//              cannot run (no node, LanceDB not installed, or it failed),
//              with the reason.
//   hybrid     the same index through SearchIndex in hybrid mode (the
//              embedder's ranking and BM25's fused by RRF, rrf_k 60, equal
//              weights). Goals: hit@10 >= 1.1x BM25 on all, >= 1.0x on each
//              single set: fusing should add to BM25, not trade against it.
// On "all" also: per-query latency through SearchIndex of vector mode and
// hybrid mode, same index and queries, the title's embedding included in
// both (goal: hybrid median <= 2x vector median); and the full-text build
// rate (texts/s into a text::Bm25Index on one thread, and Index::Add with
// texts against without) and size (the LHT1 image over the raw texts).
// Two diagnostics are printed beside, as rows without goals, to explain a
// goal not met rather than to move it: keyword search without stemming, and
// hybrid with the keyword ranking weighed 2.
//
// Throughput, on the demo data's resumes (demo::StaffingData candidates, as
// `lakehouse demo` loads them; --resumes N, default 100,000):
//   Fit on all of them; embedding with EmbedOne on one core (goal: >= 20,000
//   texts/s, the target for short texts); and the index build rate:
//   texts in batches of 1,000, each embedded on every core and then given to
//   Index::Add (which spreads over the cores), texts/s from the first
//   embedding to the last Add.
#include <duckdb.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench/common/bench_common.h"
#include "bench/common/node_peer.h"
#include "common/sql_quote.h"
#include "demo/staffing_data.h"
#include "embed/hashing_embedder.h"
#include "query/duckdb_handles.h"
#include "text/bm25_format.h"
#include "text/bm25_index.h"
#include "text/tokenizer.h"
#include "vector/distance.h"
#include "vector/index.h"
#include "vector/index_search.h"
#include "vector/rank_fusion.h"

namespace {

namespace bench = lakehouse::bench;
namespace demo = lakehouse::demo;
namespace embed = lakehouse::embed;
namespace query = lakehouse::query;
namespace text = lakehouse::text;
namespace vector = lakehouse::vector;
using json = nlohmann::json;
using bench::Clock;
using bench::Fail;
using bench::g_interrupted;
using lakehouse::SqlString;

constexpr const char* kTool = "retrieval_bench";
constexpr size_t kK = 10;
constexpr uint32_t kM = 16;
constexpr uint32_t kEfConstruction = 200;
constexpr uint32_t kEfSearch = 100;
constexpr double kK1 = 1.2;
constexpr double kB = 0.75;
constexpr double kEmbedGoal = 20'000;  // texts/s on one core
constexpr double kKeywordVsBm25Goal = 1.0;
constexpr double kKeywordVsLanceGoal = 1.0;
constexpr double kHybridVsBm25AllGoal = 1.1;  // on "all"
constexpr double kHybridVsBm25SetGoal = 1.0;  // on each single set
constexpr double kHybridLatencyGoal = 2.0;    // hybrid median / vector median
constexpr size_t kBatch = 1'000;              // texts per embed + Index::Add step

struct Options : bench::CommonOptions {
  uint64_t resumes = 100'000;
};

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: retrieval_bench [--resumes N] [--quick] [--dir PARENT] [--keep]\n"
               "  --resumes N  demo resumes for the throughput runs (default 100000)\n"
               "  --quick      10,000 resumes: a sanity check, throughput numbers are not\n"
               "               meaningful (the retrieval figures are the same)\n"
               "  --dir PARENT make the scratch directory under PARENT (default: .)\n"
               "  --keep       leave the scratch directory in place\n");
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  bool resumes_set = false;
  bench::ParseArguments(argc, argv, kTool, Usage, options, [&](const std::string& arg, int& i) {
    if (arg != "--resumes") return false;
    options.resumes =
        bench::ParseCount(bench::OptionValue(argc, argv, i, kTool), "--resumes", kTool);
    if (options.resumes == 0) {
      std::fprintf(stderr, "%s: --resumes takes a positive count\n", kTool);
      std::exit(2);
    }
    resumes_set = true;
    return true;
  });
  if (options.quick && !resumes_set) options.resumes = 10'000;
  return options;
}

size_t Cores() { return std::max(1u, std::thread::hardware_concurrency()); }

// Runs fn(i) for i in [0, n) on `threads` threads.
template <typename Fn>
void ParallelFor(size_t n, size_t threads, Fn fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

// ---------------------------------------------------------------------------
// Reading CSV through DuckDB.

// Every row of a query whose columns are all VARCHAR; NULL reads as "".
std::vector<std::vector<std::string>> FetchStrings(duckdb_connection connection,
                                                   const std::string& sql) {
  query::QueryResult result;
  if (duckdb_query(connection, sql.c_str(), result.out()) != DuckDBSuccess) {
    Fail("duckdb: " + std::string(duckdb_result_error(result.get())) + " (in: " + sql + ")");
  }
  const idx_t columns = duckdb_column_count(result.get());
  for (idx_t c = 0; c < columns; ++c) {
    if (duckdb_column_type(result.get(), c) != DUCKDB_TYPE_VARCHAR) {
      Fail("duckdb: column " + std::to_string(c) + " is not VARCHAR (in: " + sql + ")");
    }
  }
  std::vector<std::vector<std::string>> rows;
  for (;;) {
    query::DataChunk chunk(duckdb_fetch_chunk(*result.get()));
    if (!chunk) break;
    const idx_t n = duckdb_data_chunk_get_size(chunk.get());
    if (n == 0) break;
    const size_t base = rows.size();
    rows.resize(base + n, std::vector<std::string>(columns));
    for (idx_t c = 0; c < columns; ++c) {
      duckdb_vector column = duckdb_data_chunk_get_vector(chunk.get(), c);
      auto* data = static_cast<duckdb_string_t*>(duckdb_vector_get_data(column));
      uint64_t* validity = duckdb_vector_get_validity(column);
      for (idx_t r = 0; r < n; ++r) {
        if (validity != nullptr && !duckdb_validity_row_is_valid(validity, r)) continue;
        rows[base + r][c].assign(duckdb_string_t_data(&data[r]), duckdb_string_t_length(data[r]));
      }
    }
  }
  return rows;
}

std::string ReadCsvSql(const std::string& path, const std::string& columns) {
  return "SELECT " + columns + " FROM read_csv(" + SqlString(path) +
         ", header = true, all_varchar = true)";
}

// ---------------------------------------------------------------------------
// The postings.

struct Posting {
  std::string title;  // the query
  std::string text;   // what is indexed: the body text, without the title
};

struct Corpus {
  std::string name;
  std::string about;
  size_t rows = 0;  // read from the file(s)
  std::vector<Posting> postings;
};

std::string Trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

// rows: a title, then body columns (joined with newlines).
Corpus MakeCorpus(std::string name, std::string about,
                  const std::vector<std::vector<std::string>>& rows) {
  Corpus corpus;
  corpus.name = std::move(name);
  corpus.about = std::move(about);
  corpus.rows = rows.size();
  for (const auto& row : rows) {
    Posting posting;
    posting.title = Trimmed(row[0]);
    for (size_t c = 1; c < row.size(); ++c) {
      const std::string part = Trimmed(row[c]);
      if (part.empty()) continue;
      if (!posting.text.empty()) posting.text += '\n';
      posting.text += part;
    }
    if (posting.title.empty() || posting.text.empty()) continue;
    corpus.postings.push_back(std::move(posting));
  }
  return corpus;
}

std::vector<Corpus> LoadPostings(bench::AnchorDb& db) {
  const std::string dir = bench::TestDataDir() + "/";
  std::vector<Corpus> sets;
  sets.push_back(MakeCorpus(
      "usajobs", "usajobs-data-roles/usajobs_postings.csv: query title; text description",
      FetchStrings(db.connection(), ReadCsvSql(dir + "usajobs-data-roles/usajobs_postings.csv",
                                               "title, description"))));
  sets.push_back(MakeCorpus(
      "google",
      "google-job-skills/job_skills.csv: query Title; text Responsibilities + Minimum "
      "Qualifications + Preferred Qualifications",
      FetchStrings(db.connection(),
                   ReadCsvSql(dir + "google-job-skills/job_skills.csv",
                              "\"Title\", \"Responsibilities\", \"Minimum Qualifications\", "
                              "\"Preferred Qualifications\""))));
  sets.push_back(MakeCorpus(
      "glassdoor", "glassdoor-ds-jobs/Uncleaned_DS_jobs.csv: query Job Title; text Job Description",
      FetchStrings(db.connection(), ReadCsvSql(dir + "glassdoor-ds-jobs/Uncleaned_DS_jobs.csv",
                                               "\"Job Title\", \"Job Description\""))));
  Corpus all;
  all.name = "all";
  all.about = "the three sets above in one corpus";
  for (const auto& set : sets) {
    all.rows += set.rows;
    all.postings.insert(all.postings.end(), set.postings.begin(), set.postings.end());
  }
  sets.push_back(std::move(all));
  return sets;
}

// Lowercased words: runs of ASCII letters and digits, and of the bytes of
// multi-byte UTF-8 characters, as HashingEmbedder splits words.
template <typename Fn>
void ForEachWord(std::string_view text, Fn fn) {
  std::string word;
  for (unsigned char c : text) {
    const bool in_word =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
    if (in_word) {
      word.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a')
                                          : static_cast<char>(c));
    } else if (!word.empty()) {
      fn(word);
      word.clear();
    }
  }
  if (!word.empty()) fn(word);
}

// A title as the reader would call it the same: its words, lowercased.
std::string NormalizedTitle(std::string_view title) {
  std::string out;
  ForEachWord(title, [&](const std::string& word) {
    if (!out.empty()) out += ' ';
    out += word;
  });
  return out;
}

// ---------------------------------------------------------------------------
// The plain keyword baseline: what
//   SELECT i FROM postings WHERE body ILIKE '%w1%' AND body ILIKE '%w2%' ...
//   ORDER BY i LIMIT 10
// returns for a title's words w1, w2, ...: the first ten postings, in table
// order, holding every word (case-insensitive substrings). A filter has no
// ranking, which is why BM25 is measured too. Run here rather than through
// DuckDB because it stops at the tenth match; checked against DuckDB's own
// ILIKE on a sample of titles (KeywordFilterMatchesDuckDb).
class KeywordFilter {
 public:
  explicit KeywordFilter(const std::vector<Posting>& postings) {
    lowered_.reserve(postings.size());
    for (const auto& p : postings) {
      std::string text = p.text;
      for (char& c : text) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      lowered_.push_back(std::move(text));
    }
  }

  static std::vector<std::string> Words(std::string_view title) {
    std::vector<std::string> words;
    ForEachWord(title, [&](const std::string& word) {
      if (std::find(words.begin(), words.end(), word) == words.end()) words.push_back(word);
    });
    return words;
  }

  std::vector<uint32_t> Search(std::string_view title, size_t k) const {
    std::vector<std::string> words = Words(title);
    std::vector<uint32_t> out;
    if (words.empty()) return out;
    // The longest word first: it is the likeliest to rule a posting out.
    std::sort(words.begin(), words.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    for (size_t d = 0; d < lowered_.size() && out.size() < k; ++d) {
      bool all = true;
      for (const auto& word : words) {
        if (lowered_[d].find(word) == std::string::npos) {
          all = false;
          break;
        }
      }
      if (all) out.push_back(static_cast<uint32_t>(d));
    }
    return out;
  }

 private:
  std::vector<std::string> lowered_;
};

// The same filter through DuckDB's ILIKE, for the titles at `sample`: how
// many of them give the same ten postings as KeywordFilter.
size_t KeywordFilterMatchesDuckDb(bench::AnchorDb& db, const std::vector<Posting>& postings,
                                  const KeywordFilter& filter, const std::vector<size_t>& sample) {
  db.Exec("CREATE OR REPLACE TABLE keyword_postings (i INTEGER, body VARCHAR)");
  duckdb_appender appender;
  if (duckdb_appender_create(db.connection(), nullptr, "keyword_postings", &appender) !=
      DuckDBSuccess) {
    bench::Check(lakehouse::Status::Internal("cannot append to keyword_postings"), "keyword check");
  }
  for (size_t i = 0; i < postings.size(); ++i) {
    duckdb_append_int32(appender, static_cast<int32_t>(i));
    duckdb_append_varchar_length(appender, postings[i].text.data(), postings[i].text.size());
    duckdb_appender_end_row(appender);
  }
  duckdb_appender_destroy(&appender);
  size_t same = 0;
  for (size_t q : sample) {
    std::string sql = "SELECT CAST(i AS VARCHAR) FROM keyword_postings WHERE true";
    for (const auto& word : KeywordFilter::Words(postings[q].title)) {
      sql += " AND body ILIKE '%" + word + "%'";
    }
    sql += " ORDER BY i LIMIT " + std::to_string(kK);
    std::vector<uint32_t> duck;
    if (!KeywordFilter::Words(postings[q].title).empty()) {
      for (const auto& row : FetchStrings(db.connection(), sql)) {
        duck.push_back(static_cast<uint32_t>(std::stoul(row[0])));
      }
    }
    if (duck == filter.Search(postings[q].title, kK)) ++same;
  }
  db.Exec("DROP TABLE keyword_postings");
  return same;
}

// ---------------------------------------------------------------------------
// BM25 over the indexed texts.

class Bm25 {
 public:
  explicit Bm25(const std::vector<Posting>& postings) {
    doc_length_.resize(postings.size());
    double total = 0;
    std::unordered_map<uint32_t, uint32_t> tf;
    for (size_t d = 0; d < postings.size(); ++d) {
      tf.clear();
      uint32_t length = 0;
      ForEachWord(postings[d].text, [&](const std::string& word) {
        auto [it, added] = terms_.try_emplace(word, static_cast<uint32_t>(lists_.size()));
        if (added) lists_.emplace_back();
        ++tf[it->second];
        ++length;
      });
      for (const auto& [term, count] : tf) {
        lists_[term].push_back({static_cast<uint32_t>(d), count});
      }
      doc_length_[d] = static_cast<float>(length);
      total += length;
    }
    average_length_ = postings.empty() ? 1 : total / static_cast<double>(postings.size());
    if (average_length_ <= 0) average_length_ = 1;
    scores_.assign(postings.size(), 0.0f);
  }

  // The top `k` documents for `text` (each distinct query word once), best
  // first, ties by lower document number. Only documents holding a query word
  // are retrieved, as a keyword engine returns only matches.
  std::vector<uint32_t> Search(std::string_view text, size_t k) {
    std::vector<uint32_t> query_terms;
    ForEachWord(text, [&](const std::string& word) {
      auto it = terms_.find(word);
      if (it != terms_.end()) query_terms.push_back(it->second);
    });
    std::sort(query_terms.begin(), query_terms.end());
    query_terms.erase(std::unique(query_terms.begin(), query_terms.end()), query_terms.end());
    touched_.clear();
    const double n = static_cast<double>(doc_length_.size());
    for (uint32_t term : query_terms) {
      const auto& list = lists_[term];
      const double df = static_cast<double>(list.size());
      // Lucene's idf: never negative, unlike the original Robertson form.
      const double idf = std::log(1.0 + (n - df + 0.5) / (df + 0.5));
      for (const auto& [doc, count] : list) {
        const double tf = count;
        const double norm = kK1 * (1.0 - kB + kB * doc_length_[doc] / average_length_);
        if (scores_[doc] == 0.0f) touched_.push_back(doc);
        scores_[doc] += static_cast<float>(idf * tf * (kK1 + 1.0) / (tf + norm));
      }
    }
    auto better = [&](uint32_t a, uint32_t b) {
      return scores_[a] != scores_[b] ? scores_[a] > scores_[b] : a < b;
    };
    const size_t top = std::min(k, touched_.size());
    std::partial_sort(touched_.begin(), touched_.begin() + static_cast<ptrdiff_t>(top),
                      touched_.end(), better);
    std::vector<uint32_t> out(touched_.begin(), touched_.begin() + static_cast<ptrdiff_t>(top));
    for (uint32_t doc : touched_) scores_[doc] = 0.0f;
    return out;
  }

  size_t terms() const { return lists_.size(); }
  double average_length() const { return average_length_; }

 private:
  struct Entry {
    uint32_t doc;
    uint32_t count;
  };
  std::unordered_map<std::string, uint32_t> terms_;
  std::vector<std::vector<Entry>> lists_;  // per term: the documents holding it
  std::vector<float> doc_length_;          // words
  double average_length_ = 1;
  std::vector<float> scores_;  // per document, all 0 between searches
  std::vector<uint32_t> touched_;
};

// ---------------------------------------------------------------------------
// The peer: LanceDB's full-text search, lance_fts_peer.mjs under node, its
// JSON lines read as they come.

struct LanceRun {
  std::string unavailable;  // why there are no figures, when there are none
  std::string versions;
  std::string details;  // the FTS index's options, as LanceDB lists them
  double create_ms = 0;
  double index_ms = 0;
  std::vector<double> query_ms;               // per query, as timed inside node
  std::vector<std::vector<uint32_t>> ranked;  // per query (posting): rows, best first
};

// One JSON object a line; invalid UTF-8 (none is expected from DuckDB's
// reader) would be replaced rather than fail the run.
void WriteJsonLines(const std::string& path, const std::vector<json>& records) {
  std::ofstream out(path, std::ios::binary);
  if (!out) Fail("cannot write " + path);
  for (const auto& record : records) {
    out << record.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  }
  if (!out.flush()) Fail("cannot write " + path);
}

// The FTS details as "key value, ..." for the report, the options that
// decide what matches first.
std::string DescribeFts(const json& details) {
  if (!details.is_object()) return "not reported";
  std::string out;
  for (const char* key : {"base_tokenizer", "lower_case", "ascii_folding", "stem", "language",
                          "remove_stop_words", "max_token_length", "with_position"}) {
    if (!details.contains(key)) continue;
    if (!out.empty()) out += ", ";
    const json& value = details[key];
    out += std::string(key) + " " + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return out;
}

LanceRun RunLance(const std::string& dir, const std::vector<Posting>& postings) {
  LanceRun run;
  const std::string modules = LAKEHOUSE_LANCEDB_DIR;
  run.unavailable = bench::LancePeerMissing(modules);
  if (!run.unavailable.empty()) return run;
  std::filesystem::create_directories(dir);
  const size_t n = postings.size();
  {
    std::vector<json> docs, queries;
    docs.reserve(n);
    queries.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      docs.push_back({{"id", i}, {"text", postings[i].text}});
      queries.push_back({{"id", i}, {"title", postings[i].title}});
    }
    WriteJsonLines(dir + "/docs.jsonl", docs);
    WriteJsonLines(dir + "/queries.jsonl", queries);
  }
  std::vector<std::string> args = {"node",      LAKEHOUSE_LANCE_FTS_PEER_SCRIPT,
                                   "--modules", modules,
                                   "--dir",     dir + "/db",
                                   "--docs",    dir + "/docs.jsonl",
                                   "--queries", dir + "/queries.jsonl",
                                   "--k",       std::to_string(kK)};
  run.ranked.assign(n, {});
  std::vector<bool> answered(n, false);
  size_t answers = 0;
  std::string error;
  auto read = [&](const json& record, const std::string& line) {
    const std::string op = record.value("op", "");
    if (op == "peer") {
      run.versions = "LanceDB " + record.value("lancedb", "?") + ", apache-arrow " +
                     record.value("arrow", "?") + ", node " + record.value("node", "?");
    } else if (op == "create") {
      run.create_ms = record.value("ms", 0.0);
    } else if (op == "index") {
      run.index_ms = record.value("ms", 0.0);
      run.details = DescribeFts(record.value("details", json()));
    } else if (op == "query") {
      const size_t q = record.value("q", n);
      if (q >= n || answered[q] || !record.contains("ids") || !record["ids"].is_array()) {
        error = "an unexpected answer: " + line;
        return;
      }
      answered[q] = true;
      ++answers;
      for (const auto& id : record["ids"]) {
        if (!id.is_number_unsigned() || id.get<uint64_t>() >= n) {
          error = "an unknown row in: " + line;
          break;
        }
        run.ranked[q].push_back(id.get<uint32_t>());
      }
      run.query_ms.push_back(record.value("ms", 0.0));
    } else if (op == "error") {
      error = record.value("message", "unknown error");
    }
  };
  const bench::PeerExit exit = bench::RunJsonLinesPeer(std::move(args), dir + "/peer.stderr", read);
  if (!exit.started) {
    run.unavailable = exit.error;
    run.ranked.clear();
    return run;
  }
  if (error.empty()) error = exit.error;
  if (error.empty() && answers != n) {
    error =
        "the peer answered " + std::to_string(answers) + " of " + std::to_string(n) + " queries";
  }
  if (!error.empty()) {
    run.unavailable = "LanceDB failed: " + error;
    run.ranked.clear();
    run.query_ms.clear();
  }
  return run;
}

// ---------------------------------------------------------------------------
// Scoring: per query (posting), the documents retrieved, best first.

struct Metrics {
  double hit = 0;          // hit@10: the posting itself in the top 10
  double mrr = 0;          // MRR@10 over the posting itself
  double hit_unique = 0;   // hit@10 over the postings with a unique title
  double hit_lenient = 0;  // the posting or one with the same title in the top 10
};

struct TitleFacts {
  std::vector<uint32_t> title_group;  // per posting: its normalized title's number
  std::vector<bool> title_shared;     // another posting has the same title
  size_t distinct_titles = 0;
  size_t shared_titles = 0;  // postings whose title another posting has
  size_t shared_texts = 0;   // postings whose text another posting has exactly
  size_t unique = 0;         // postings with a unique title
};

TitleFacts FactsOf(const Corpus& corpus) {
  TitleFacts facts;
  const size_t n = corpus.postings.size();
  std::unordered_map<std::string, uint32_t> groups;
  std::vector<uint32_t> group_size;
  std::unordered_map<std::string_view, uint32_t> texts;
  facts.title_group.resize(n);
  for (size_t i = 0; i < n; ++i) {
    auto [it, added] = groups.try_emplace(NormalizedTitle(corpus.postings[i].title),
                                          static_cast<uint32_t>(group_size.size()));
    if (added) group_size.push_back(0);
    ++group_size[it->second];
    facts.title_group[i] = it->second;
    ++texts[corpus.postings[i].text];
  }
  facts.distinct_titles = group_size.size();
  facts.title_shared.resize(n);
  for (size_t i = 0; i < n; ++i) {
    facts.title_shared[i] = group_size[facts.title_group[i]] > 1;
    if (facts.title_shared[i]) {
      ++facts.shared_titles;
    } else {
      ++facts.unique;
    }
    if (texts[corpus.postings[i].text] > 1) ++facts.shared_texts;
  }
  return facts;
}

Metrics Score(const std::vector<std::vector<uint32_t>>& retrieved, const TitleFacts& facts) {
  Metrics m;
  const size_t n = retrieved.size();
  for (size_t q = 0; q < n; ++q) {
    const auto& top = retrieved[q];
    bool lenient = false;
    for (size_t r = 0; r < top.size() && r < kK; ++r) {
      if (top[r] == q) {
        m.hit += 1;
        m.mrr += 1.0 / static_cast<double>(r + 1);
        if (!facts.title_shared[q]) m.hit_unique += 1;
      }
      if (facts.title_group[top[r]] == facts.title_group[q]) lenient = true;
    }
    if (lenient) m.hit_lenient += 1;
  }
  if (n > 0) {
    m.hit /= static_cast<double>(n);
    m.mrr /= static_cast<double>(n);
    m.hit_lenient /= static_cast<double>(n);
  }
  if (facts.unique > 0) m.hit_unique /= static_cast<double>(facts.unique);
  return m;
}

void PrintRow(const char* name, const Metrics& m, const std::string& extra) {
  std::printf("  %-32s %7.3f %7.3f %14.3f %14.3f   %s\n", name, m.hit, m.mrr, m.hit_unique,
              m.hit_lenient, extra.c_str());
}

// The value below which `fraction` of `values` lie (nearest rank).
double Percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

// Rows of hits whose ids are posting numbers, as the bench names items.
std::vector<uint32_t> RowsOf(const vector::SearchResult& result) {
  std::vector<uint32_t> rows;
  rows.reserve(result.hits.size());
  for (const auto& hit : result.hits) rows.push_back(static_cast<uint32_t>(std::stoul(hit.id)));
  return rows;
}

// One title searched through the product's search path.
vector::SearchResult SearchTitle(const vector::Index& index, embed::HashingEmbedder& embedder,
                                 const std::string& title, vector::SearchMode mode, size_t k = kK) {
  vector::SearchRequest request;
  request.text = title;
  request.mode = mode;
  request.k = k;
  auto result = vector::SearchIndex(index, &embedder, request);
  bench::Check(result.status(), std::string(vector::SearchModeName(mode)) + " search");
  return std::move(*result);
}

// Per-query latency of vector and hybrid mode through SearchIndex on the
// same index and titles; keyword mode, and vector and keyword mode as deep
// as hybrid asks each of them for (kFusionDepth), to show where hybrid's
// time goes. Per title every measurement runs once, in an order rotated
// title by title, so that none always runs on the caches another warmed.
void RunLatency(const vector::Index& index, embed::HashingEmbedder& embedder,
                const std::vector<Posting>& postings) {
  struct Probe {
    vector::SearchMode mode;
    size_t k;
    std::vector<double> us;
  };
  std::vector<Probe> probes = {{vector::SearchMode::kVector, kK, {}},
                               {vector::SearchMode::kHybrid, kK, {}},
                               {vector::SearchMode::kKeyword, kK, {}},
                               {vector::SearchMode::kVector, vector::kFusionDepth, {}},
                               {vector::SearchMode::kKeyword, vector::kFusionDepth, {}}};
  const size_t n = postings.size();
  for (auto& probe : probes) probe.us.reserve(n);
  size_t kept = 0;  // hits returned, so the searches are not optimised away
  for (size_t q = 0; q < n && !g_interrupted; ++q) {
    for (size_t i = 0; i < probes.size(); ++i) {
      Probe& probe = probes[(q + i) % probes.size()];
      const auto start = Clock::now();
      kept += SearchTitle(index, embedder, postings[q].title, probe.mode, probe.k).hits.size();
      probe.us.push_back(1e6 * bench::SecondsSince(start));
    }
  }
  if (g_interrupted) return;
  std::printf(
      "latency, %s titles through SearchIndex in-process, one thread (the title's embedding "
      "included in vector and hybrid; %zu hits kept):\n",
      bench::Thousands(double(n)).c_str(), kept);
  auto line = [](const char* what, const Probe& probe) {
    std::printf("latency: %s median %.1f us, p95 %.1f us\n", what, bench::Median(probe.us),
                Percentile(probe.us, 0.95));
  };
  line("vector mode, k 10:", probes[0]);
  line("hybrid mode, k 10:", probes[1]);
  line("keyword mode, k 10:", probes[2]);
  std::printf("latency: hybrid's parts, each %zu deep (RRF k %.0f on top):\n", vector::kFusionDepth,
              vector::kDefaultRrfK);
  line("  vector mode, k 50:", probes[3]);
  line("  keyword mode, k 50:", probes[4]);
  const double vector_median = bench::Median(probes[0].us);
  const double hybrid_median = bench::Median(probes[1].us);
  const double ratio = vector_median > 0 ? hybrid_median / vector_median : 0;
  bench::PrintGoal("hybrid latency <= 2x vector (median)",
                   "ratio " + bench::Ratio(hybrid_median, vector_median) + " (" +
                       bench::Fixed(hybrid_median, 1) + " us vs " + bench::Fixed(vector_median, 1) +
                       " us)",
                   ratio > 0 && ratio <= kHybridLatencyGoal);
}

// How fast the full-text part is built and how big its stored image is.
// `vectors_add_s` and `full_text_add_s` are the Index::Add times of the same
// items without and with their texts.
void RunFullTextBuild(const std::vector<Posting>& postings, double vectors_add_s,
                      double full_text_add_s) {
  const size_t n = postings.size();
  size_t text_bytes = 0;
  for (const auto& p : postings) text_bytes += p.text.size();
  std::vector<std::string> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = std::to_string(i);
  // A fresh index each round, every text added on this thread; the median
  // of three rounds, and the last round's index encoded.
  constexpr int kRounds = 3;
  std::vector<double> seconds;
  size_t image_bytes = 0, terms = 0;
  for (int round = 0; round < kRounds && !g_interrupted; ++round) {
    text::Bm25Index words{text::Bm25Params{}};
    const auto start = Clock::now();
    for (size_t i = 0; i < n; ++i) bench::Check(words.Add(ids[i], postings[i].text), "Bm25 add");
    seconds.push_back(bench::SecondsSince(start));
    if (round == kRounds - 1) {
      auto image = text::lht1::Encode(words);
      bench::Check(image.status(), "LHT1 encode");
      image_bytes = image->size();
      for (const auto& doc : words.Documents()) terms += doc.terms.size();
    }
  }
  if (g_interrupted) return;
  const double bm25_s = bench::Median(seconds);
  // What of that is the tokenizer (normalising, case folding, stemming):
  // the same texts through text::Tokenize alone.
  seconds.clear();
  size_t tokens = 0;
  for (int round = 0; round < kRounds && !g_interrupted; ++round) {
    const auto start = Clock::now();
    for (const auto& p : postings)
      tokens += text::Tokenize(p.text, text::Stemming::kEnglish).size();
    seconds.push_back(bench::SecondsSince(start));
  }
  if (g_interrupted) return;
  const double tokenize_s = bench::Median(seconds);
  std::printf(
      "full-text build, text::Bm25Index::Add on one thread: %s texts/s, %.1f MB/s of text (%s "
      "texts, %.1f MB, median of %d rounds: %.0f ms), of which text::Tokenize (English "
      "stemming) alone %.0f ms (%s terms)\n",
      bench::Thousands(double(n) / bm25_s).c_str(), double(text_bytes) / 1e6 / bm25_s,
      bench::Thousands(double(n)).c_str(), double(text_bytes) / 1e6, kRounds, bm25_s * 1000,
      tokenize_s * 1000, bench::Thousands(double(tokens) / kRounds).c_str());
  std::printf(
      "full-text build through Index::Add (one batch, %zu cores): with texts %s texts/s (%.0f "
      "ms), vectors only %s texts/s (%.0f ms); the texts' share %.0f ms (the HNSW build varies "
      "run to run)\n",
      Cores(), bench::Thousands(double(n) / full_text_add_s).c_str(), full_text_add_s * 1000,
      bench::Thousands(double(n) / vectors_add_s).c_str(), vectors_add_s * 1000,
      (full_text_add_s - vectors_add_s) * 1000);
  std::printf(
      "full-text size: LHT1 image %s bytes / raw texts %s bytes = %.2f (%s distinct terms a "
      "document on average)\n",
      bench::Thousands(double(image_bytes)).c_str(), bench::Thousands(double(text_bytes)).c_str(),
      double(image_bytes) / double(std::max<size_t>(text_bytes, 1)),
      bench::Fixed(double(terms) / double(std::max<size_t>(n, 1)), 1).c_str());
}

struct Outcome {
  Metrics embedder;
  Metrics bm25;
  Metrics keyword;       // the ILIKE filter
  Metrics keyword_mode;  // the product's keyword search
  Metrics hybrid;
  std::optional<Metrics> lance;  // unset: the peer did not run
};

Outcome RunCorpus(const Corpus& corpus, bench::AnchorDb& db, const std::string& root) {
  const auto& postings = corpus.postings;
  const size_t n = postings.size();
  std::printf("\n== %s: %s ==\n", corpus.name.c_str(), corpus.about.c_str());
  const TitleFacts facts = FactsOf(corpus);
  size_t text_chars = 0, title_chars = 0;
  for (const auto& p : postings) {
    text_chars += p.text.size();
    title_chars += p.title.size();
  }
  std::printf(
      "postings: %s rows read, %s with a title and body text (the rest left out); body text "
      "%s chars on average, title %.0f\n",
      bench::Thousands(double(corpus.rows)).c_str(), bench::Thousands(double(n)).c_str(),
      bench::Thousands(double(text_chars) / double(std::max<size_t>(n, 1))).c_str(),
      double(title_chars) / double(std::max<size_t>(n, 1)));
  std::printf(
      "titles: %s distinct (lowercased words); %.1f%% of postings share their title with another "
      "posting, %.1f%% have a unique one; %.1f%% share their whole body text with another "
      "(exact duplicates)\n",
      bench::Thousands(double(facts.distinct_titles)).c_str(),
      100.0 * double(facts.shared_titles) / double(std::max<size_t>(n, 1)),
      100.0 * double(facts.unique) / double(std::max<size_t>(n, 1)),
      100.0 * double(facts.shared_texts) / double(std::max<size_t>(n, 1)));

  std::vector<std::string> texts(n);
  for (size_t i = 0; i < n; ++i) texts[i] = postings[i].text;

  // The built-in embedder: Fit, embed (every core), index, search the titles.
  auto start = Clock::now();
  embed::HashingEmbedder embedder;
  embedder.Fit(texts);
  const double fit_s = bench::SecondsSince(start);
  start = Clock::now();
  std::vector<std::vector<float>> vectors(n);
  ParallelFor(n, Cores(), [&](size_t i) { vectors[i] = embedder.EmbedOne(texts[i]); });
  const double embed_s = bench::SecondsSince(start);
  const size_t dim = embedder.dim();
  start = Clock::now();
  vector::IndexParams params;
  params.name = "postings";
  params.dim = static_cast<uint32_t>(dim);
  params.metric = vector::Metric::kCosine;
  params.m = kM;
  params.ef_construction = kEfConstruction;
  params.ef_search = kEfSearch;
  auto created = vector::Index::Create(params);
  bench::Check(created.status(), "create the index");
  vector::Index& index = **created;
  {
    std::vector<vector::Item> items(n);
    for (size_t i = 0; i < n; ++i) {
      items[i].id = std::to_string(i);
      items[i].vector = vectors[i];
    }
    bench::Check(index.Add(std::move(items)), "add the postings");
  }
  const double add_s = bench::SecondsSince(start);

  std::vector<std::vector<float>> title_vectors(n);
  std::vector<std::vector<uint32_t>> by_index(n), by_exact(n), by_bm25(n);
  start = Clock::now();
  for (size_t q = 0; q < n; ++q) {
    title_vectors[q] = embedder.EmbedOne(postings[q].title);
    auto hits = index.Search(title_vectors[q], kK, kEfSearch);
    bench::Check(hits.status(), "search");
    for (const auto& hit : *hits) by_index[q].push_back(static_cast<uint32_t>(std::stoul(hit.id)));
  }
  const double search_s = bench::SecondsSince(start);

  // The exact cosine top 10, with the graph's distance kernel.
  vector::DistanceSpace space(vector::Metric::kCosine, dim);
  auto distance = space.get_dist_func();
  void* distance_param = space.get_dist_func_param();
  ParallelFor(n, Cores(), [&](size_t q) {
    std::vector<std::pair<float, uint32_t>> all(n);
    for (size_t d = 0; d < n; ++d) {
      all[d] = {distance(title_vectors[q].data(), vectors[d].data(), distance_param),
                static_cast<uint32_t>(d)};
    }
    const size_t top = std::min(kK, n);
    std::partial_sort(all.begin(), all.begin() + static_cast<ptrdiff_t>(top), all.end());
    for (size_t r = 0; r < top; ++r) by_exact[q].push_back(all[r].second);
  });

  // BM25 over the same texts.
  start = Clock::now();
  Bm25 bm25(postings);
  const double bm25_build_s = bench::SecondsSince(start);
  start = Clock::now();
  for (size_t q = 0; q < n; ++q) by_bm25[q] = bm25.Search(postings[q].title, kK);
  const double bm25_search_s = bench::SecondsSince(start);

  // The plain keyword filter, and a check of it against DuckDB's ILIKE.
  start = Clock::now();
  KeywordFilter keyword(postings);
  std::vector<std::vector<uint32_t>> by_keyword(n);
  ParallelFor(n, Cores(), [&](size_t q) { by_keyword[q] = keyword.Search(postings[q].title, kK); });
  const double keyword_s = bench::SecondsSince(start);
  std::vector<size_t> sample;
  for (size_t q = 0; q < n; q += std::max<size_t>(1, n / 40)) sample.push_back(q);
  const size_t same_as_duckdb = KeywordFilterMatchesDuckDb(db, postings, keyword, sample);

  // The product's full-text search: the same vectors with the texts beside
  // them in one index, searched through SearchIndex as the server does.
  vector::IndexParams full_params = params;
  full_params.full_text = text::Bm25Params{};
  auto full_created = vector::Index::Create(full_params);
  bench::Check(full_created.status(), "create the full-text index");
  vector::Index& full_index = **full_created;
  start = Clock::now();
  {
    std::vector<vector::Item> items;
    items.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      items.emplace_back(std::to_string(i), vectors[i], json::object(), postings[i].text);
    }
    bench::Check(full_index.Add(std::move(items)), "add the postings with their texts");
  }
  const double full_add_s = bench::SecondsSince(start);
  std::vector<std::vector<uint32_t>> by_keyword_mode(n), by_hybrid(n);
  start = Clock::now();
  for (size_t q = 0; q < n; ++q) {
    by_keyword_mode[q] =
        RowsOf(SearchTitle(full_index, embedder, postings[q].title, vector::SearchMode::kKeyword));
  }
  const double keyword_mode_s = bench::SecondsSince(start);
  start = Clock::now();
  for (size_t q = 0; q < n; ++q) {
    by_hybrid[q] =
        RowsOf(SearchTitle(full_index, embedder, postings[q].title, vector::SearchMode::kHybrid));
  }
  const double hybrid_s = bench::SecondsSince(start);
  // A diagnostic, not the default: hybrid with the keyword ranking weighed
  // twice the vector one, to show whether the embedder's weaker ranking is
  // what holds equal-weight fusion below BM25.
  constexpr double kDiagnosticKeywordWeight = 2;
  std::vector<std::vector<uint32_t>> by_hybrid_weighted(n);
  for (size_t q = 0; q < n; ++q) {
    vector::SearchRequest request;
    request.text = postings[q].title;
    request.mode = vector::SearchMode::kHybrid;
    request.k = kK;
    request.keyword_weight = kDiagnosticKeywordWeight;
    auto result = vector::SearchIndex(full_index, &embedder, request);
    bench::Check(result.status(), "weighted hybrid search");
    by_hybrid_weighted[q] = RowsOf(*result);
  }

  // A diagnostic, not a product setting: the product's tokenizer and BM25
  // without stemming, to tell what stemming does to these titles from what
  // the rest of the tokenizer does against the bench's BM25.
  std::vector<std::vector<uint32_t>> by_unstemmed(n);
  {
    text::Bm25Params unstemmed_params;
    unstemmed_params.stemming = text::Stemming::kNone;
    text::Bm25Index unstemmed(unstemmed_params);
    for (size_t i = 0; i < n; ++i) {
      bench::Check(unstemmed.Add(std::to_string(i), postings[i].text), "unstemmed add");
    }
    for (size_t q = 0; q < n; ++q) {
      for (const auto& hit : unstemmed.Search(postings[q].title, kK)) {
        by_unstemmed[q].push_back(static_cast<uint32_t>(std::stoul(hit.id)));
      }
    }
  }

  // LanceDB's full-text search over the same texts and titles.
  const LanceRun lance = RunLance(root + "/lance-" + corpus.name, postings);

  Outcome outcome;
  outcome.keyword = Score(by_keyword, facts);
  outcome.embedder = Score(by_index, facts);
  const Metrics exact = Score(by_exact, facts);
  outcome.bm25 = Score(by_bm25, facts);
  outcome.keyword_mode = Score(by_keyword_mode, facts);
  outcome.hybrid = Score(by_hybrid, facts);
  const Metrics unstemmed = Score(by_unstemmed, facts);
  const Metrics hybrid_weighted = Score(by_hybrid_weighted, facts);
  if (lance.unavailable.empty()) outcome.lance = Score(lance.ranked, facts);
  std::printf("  %-32s %7s %7s %14s %14s\n", "", "hit@10", "MRR@10", "hit@10 unique",
              "hit@10 title");
  std::printf("  %-32s %7s %7s %14s %14s\n", "", "", "", "titles only", "itself or same");
  PrintRow("embedder (Index, HNSW ef 100)", outcome.embedder,
           "fit " + bench::Fixed(fit_s * 1000, 0) + " ms, embed " +
               bench::Fixed(embed_s * 1000, 0) + " ms (" + std::to_string(Cores()) +
               " threads), Index::Add " + bench::Fixed(add_s * 1000, 0) + " ms, " +
               bench::Thousands(double(n) / search_s) + " queries/s (embed + search)");
  PrintRow("embedder (exact cosine scan)", exact, "same vectors, no graph");
  PrintRow("BM25 (k1 1.2, b 0.75)", outcome.bm25,
           bench::Thousands(double(bm25.terms())) + " terms, " +
               bench::Fixed(bm25.average_length(), 0) + " words a text on average; build " +
               bench::Fixed(bm25_build_s * 1000, 0) + " ms, " +
               bench::Thousands(double(n) / bm25_search_s) + " queries/s");
  PrintRow("keyword filter (ILIKE every word)", outcome.keyword,
           "first 10 in table order; " + bench::Thousands(double(n) / keyword_s) +
               " queries/s; the same ten as DuckDB's ILIKE for " + std::to_string(same_as_duckdb) +
               " of " + std::to_string(sample.size()) + " sampled titles");
  PrintRow("keyword mode (SearchIndex)", outcome.keyword_mode,
           "Index with full text (Index::Add with texts " + bench::Fixed(full_add_s * 1000, 0) +
               " ms), " + bench::Thousands(double(n) / keyword_mode_s) + " queries/s");
  PrintRow("  stemming none (diagnostic)", unstemmed,
           "text::Bm25Index with Stemming::kNone, the rest of the tokenizer as is");
  PrintRow("hybrid mode (SearchIndex, RRF)", outcome.hybrid,
           "same index; " + bench::Thousands(double(n) / hybrid_s) +
               " queries/s (embed + both rankers + fusion)");
  PrintRow("  keyword weight 2 (diagnostic)", hybrid_weighted,
           "weights: vector 1, keyword " + bench::Fixed(kDiagnosticKeywordWeight, 0));
  if (outcome.lance) {
    PrintRow("LanceDB fts (its defaults)", *outcome.lance,
             "create_table " + bench::Fixed(lance.create_ms, 0) + " ms, FTS index " +
                 bench::Fixed(lance.index_ms, 0) + " ms; query median " +
                 bench::Fixed(bench::Median(lance.query_ms), 2) + " ms, p95 " +
                 bench::Fixed(Percentile(lance.query_ms, 0.95), 2) + " ms (in node)");
    std::printf("  LanceDB peer: %s; FTS index: %s\n", lance.versions.c_str(),
                lance.details.c_str());
  } else {
    std::printf("  LanceDB fts: skipped: %s\n", lance.unavailable.c_str());
  }
  std::printf("ratio embedder / BM25: hit@10 %s, MRR@10 %s\n",
              bench::Ratio(outcome.embedder.hit, outcome.bm25.hit).c_str(),
              bench::Ratio(outcome.embedder.mrr, outcome.bm25.mrr).c_str());
  bench::PrintGoal(
      corpus.name + ": built-in embedder beats the plain keyword baseline (ILIKE, hit@10)",
      bench::Fixed(outcome.embedder.hit, 3) + " vs " + bench::Fixed(outcome.keyword.hit, 3),
      outcome.embedder.hit > outcome.keyword.hit);
  bench::PrintGoal(
      corpus.name +
          ": built-in embedder beats BM25, the ranked keyword baseline "
          "(hit@10)",
      bench::Fixed(outcome.embedder.hit, 3) + " vs " + bench::Fixed(outcome.bm25.hit, 3),
      outcome.embedder.hit > outcome.bm25.hit);

  // "x >= goal * y" as a goal line with the ratio to three places and the
  // postings found, since a ratio of 1.00 may be a posting short of 1.0x.
  auto ratio_goal = [n](const std::string& goal, double ours, double theirs, double times) {
    const auto found = [n](double hit) { return bench::Thousands(hit * double(n)); };
    bench::PrintGoal(goal,
                     bench::Fixed(ours, 3) + " vs " + bench::Fixed(theirs, 3) + " (" + found(ours) +
                         " vs " + found(theirs) + " postings found), ratio " +
                         (theirs > 0 ? bench::Fixed(ours / theirs, 3) : std::string("n/a")),
                     theirs > 0 ? ours >= times * theirs : ours > 0);
  };
  ratio_goal("keyword hit@10 >= 1.0x the bench's BM25 baseline on " + corpus.name,
             outcome.keyword_mode.hit, outcome.bm25.hit, kKeywordVsBm25Goal);
  if (outcome.lance) {
    ratio_goal("keyword hit@10 >= 1.0x LanceDB fts on " + corpus.name, outcome.keyword_mode.hit,
               outcome.lance->hit, kKeywordVsLanceGoal);
  } else {
    bench::PrintGoal("keyword hit@10 >= 1.0x LanceDB fts on " + corpus.name,
                     bench::Fixed(outcome.keyword_mode.hit, 3) +
                         " vs n/a (peer missing: " + lance.unavailable + ")",
                     false);
  }
  const bool overall = corpus.name == "all";
  const double hybrid_times = overall ? kHybridVsBm25AllGoal : kHybridVsBm25SetGoal;
  ratio_goal("hybrid hit@10 >= " + bench::Fixed(hybrid_times, 1) + "x BM25 on " + corpus.name,
             outcome.hybrid.hit, outcome.bm25.hit, hybrid_times);
  std::fflush(stdout);

  if (overall && !g_interrupted) {
    const auto cpu_before = bench::SampleCpu();
    RunLatency(full_index, embedder, postings);
    if (!g_interrupted) RunFullTextBuild(postings, add_s, full_add_s);
    const auto cpu_after = bench::SampleCpu();
    std::printf("latency and full-text build: ");
    bench::PrintCpuContention(cpu_before, cpu_after);
    std::fflush(stdout);
  }
  return outcome;
}

// ---------------------------------------------------------------------------
// Throughput on the demo resumes.

std::vector<std::string> DemoResumes(const std::string& root, uint64_t count, bench::AnchorDb& db) {
  const uint64_t per_scale = demo::SizesForScale(1).candidates;
  const uint64_t scale = (count + per_scale - 1) / per_scale;
  const demo::StaffingData data(scale);
  const std::string path = root + "/candidates.csv";
  {
    std::ofstream out(path, std::ios::binary);
    if (!out) Fail("cannot write " + path);
    auto rows = data.WriteCsv(demo::Table::kCandidates, [&](std::string_view chunk) {
      out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      return out ? lakehouse::Status::Ok() : lakehouse::Status::Internal("write " + path);
    });
    bench::Check(rows.status(), "write the demo candidates");
  }
  auto rows =
      FetchStrings(db.connection(), ReadCsvSql(path, "resume") + " LIMIT " + std::to_string(count));
  if (rows.size() != count) Fail("the demo candidates have fewer resumes than asked for");
  std::vector<std::string> resumes;
  resumes.reserve(rows.size());
  for (auto& row : rows) resumes.push_back(std::move(row[0]));
  return resumes;
}

void RunThroughput(const std::string& root, const Options& options, bench::AnchorDb& db) {
  std::printf("\n== throughput: %s demo resumes (demo::StaffingData candidates) ==\n",
              bench::Thousands(double(options.resumes)).c_str());
  const std::vector<std::string> resumes = DemoResumes(root, options.resumes, db);
  const size_t n = resumes.size();
  size_t chars = 0, words = 0;
  for (const auto& text : resumes) {
    chars += text.size();
    ForEachWord(text, [&](const std::string&) { ++words; });
  }
  std::printf("texts: %.0f chars and %.0f words on average, e.g. \"%s\"\n",
              double(chars) / double(n), double(words) / double(n), resumes[0].c_str());

  const auto cpu_before = bench::SampleCpu();
  auto start = Clock::now();
  embed::HashingEmbedder embedder;
  embedder.Fit(resumes);
  const double fit_s = bench::SecondsSince(start);

  // One core: EmbedOne over every text, the vectors folded into a sum so the
  // work is kept.
  double fold = 0;
  start = Clock::now();
  for (size_t i = 0; i < n && !g_interrupted; ++i) {
    const auto v = embedder.EmbedOne(resumes[i]);
    fold += v[i % v.size()];
  }
  const double embed_s = bench::SecondsSince(start);
  const double embed_rate = double(n) / embed_s;

  // Every core: batches of kBatch embedded in parallel, then Index::Add.
  vector::IndexParams params;
  params.name = "resumes";
  params.dim = static_cast<uint32_t>(embedder.dim());
  params.metric = vector::Metric::kCosine;
  params.m = kM;
  params.ef_construction = kEfConstruction;
  params.ef_search = kEfSearch;
  auto created = vector::Index::Create(params);
  bench::Check(created.status(), "create the index");
  vector::Index& index = **created;
  double build_embed_s = 0, build_add_s = 0;
  const auto build_start = Clock::now();
  for (size_t from = 0; from < n && !g_interrupted; from += kBatch) {
    const size_t count = std::min(kBatch, n - from);
    std::vector<vector::Item> items(count);
    auto step = Clock::now();
    ParallelFor(count, Cores(), [&](size_t i) {
      items[i].id = std::to_string(from + i);
      items[i].vector = embedder.EmbedOne(resumes[from + i]);
    });
    build_embed_s += bench::SecondsSince(step);
    step = Clock::now();
    bench::Check(index.Add(std::move(items)), "add the resumes");
    build_add_s += bench::SecondsSince(step);
  }
  const double build_s = bench::SecondsSince(build_start);
  const auto cpu_after = bench::SampleCpu();
  if (g_interrupted) return;
  if (index.size() != n) Fail("the index holds " + std::to_string(index.size()) + " resumes");
  const double build_rate = double(n) / build_s;

  std::printf("Fit (IDF over all %s, one core): %.2f s, %s texts/s\n",
              bench::Thousands(double(n)).c_str(), fit_s,
              bench::Thousands(double(n) / fit_s).c_str());
  std::printf("embedding, EmbedOne on one core: %.2f s, %s texts/s (%.1f us a text; fold %.3f)\n",
              embed_s, bench::Thousands(embed_rate).c_str(), 1e6 * embed_s / double(n), fold);
  bench::PrintGoal("embedding >= 20,000 short texts/s on one core",
                   bench::Thousands(embed_rate) + " texts/s", embed_rate >= kEmbedGoal);
  std::printf(
      "index build, %zu cores (batches of %s: embed on every core, then Index::Add; cosine, M %u, "
      "ef_construction %u): %.2f s, %s texts/s (embedding %.2f s, Index::Add %.2f s)\n",
      Cores(), bench::Thousands(double(kBatch)).c_str(), kM, kEfConstruction, build_s,
      bench::Thousands(build_rate).c_str(), build_embed_s, build_add_s);
  std::printf("throughput: ");
  bench::PrintCpuContention(
      cpu_before, cpu_after,
      "the texts/s are lower than on a quiet machine (rerun when it is quiet)");
}

int Run(const Options& options, const std::string& root) {
  std::printf(
      "retrieval_bench: the built-in embedder, and the product's keyword and hybrid search, "
      "against BM25 and LanceDB's full-text search on real job postings, and their throughput, "
      "%s\n",
      options.run_kind());
  bench::PrintMachine(root, bench::MachineLine::kBrief);
  std::printf(
      "embedder: %s, %zu dims, fitted per corpus; index: vector::Index cosine, M %u, "
      "ef_construction %u, search ef %u; baseline: BM25 k1 %.1f, b %.2f (Lucene idf), the "
      "embedder's words, no stemming or stop words\n",
      std::string(embed::HashingEmbedder::kName).c_str(), embed::HashingEmbedder::kDefaultDim, kM,
      kEfConstruction, kEfSearch, kK1, kB);
  std::printf(
      "per posting: query = its title, indexed = its body text without the title; hit@10 = "
      "the posting itself (by row) in the top 10, MRR@10 = 1/rank of itself (0 past 10)\n");
  const text::Bm25Params full_text;
  std::printf(
      "keyword and hybrid modes: the same vector::Index with a full-text part (k1 %.1f, b %.2f, "
      "%s stemming: text/tokenizer.h), searched through vector::SearchIndex, k %zu; hybrid "
      "fuses the vector and keyword rankings by RRF (rrf_k %.0f, weights 1 and 1)\n",
      full_text.k1, full_text.b, std::string(text::StemmingName(full_text.stemming)).c_str(), kK,
      vector::kDefaultRrfK);
  std::fflush(stdout);

  bench::AnchorDb db(static_cast<int>(Cores()), "2GB", root + "/duckdb-tmp");
  auto start = Clock::now();
  const std::vector<Corpus> sets = LoadPostings(db);
  std::printf("data: read through DuckDB read_csv in %.2f s from %s\n", bench::SecondsSince(start),
              bench::TestDataDir().c_str());

  std::vector<std::pair<std::string, Outcome>> outcomes;
  for (const auto& set : sets) {
    if (g_interrupted) break;
    outcomes.emplace_back(set.name, RunCorpus(set, db, root));
  }

  if (!g_interrupted) {
    std::printf(
        "\n== summary: hit@10 / MRR@10; ratios of hit@10 (emb = embedder, kw = keyword mode, "
        "hyb = hybrid mode) ==\n");
    std::printf("  %-10s %8s %13s %13s %13s %13s %13s %13s %9s %8s %7s %8s %8s\n", "set",
                "postings", "embedder", "ILIKE", "BM25", "keyword", "hybrid", "LanceDB fts",
                "emb/ILIKE", "emb/BM25", "kw/BM25", "kw/Lance", "hyb/BM25");
    auto pair = [](const Metrics& m) {
      char cell[32];
      std::snprintf(cell, sizeof cell, "%.3f / %.3f", m.hit, m.mrr);
      return std::string(cell);
    };
    for (size_t i = 0; i < outcomes.size(); ++i) {
      const auto& [name, o] = outcomes[i];
      const std::string lance = o.lance ? pair(*o.lance) : "n/a";
      std::printf("  %-10s %8s %13s %13s %13s %13s %13s %13s %9s %8s %7s %8s %8s\n", name.c_str(),
                  bench::Thousands(double(sets[i].postings.size())).c_str(),
                  pair(o.embedder).c_str(), pair(o.keyword).c_str(), pair(o.bm25).c_str(),
                  pair(o.keyword_mode).c_str(), pair(o.hybrid).c_str(), lance.c_str(),
                  bench::Ratio(o.embedder.hit, o.keyword.hit).c_str(),
                  bench::Ratio(o.embedder.hit, o.bm25.hit).c_str(),
                  bench::Ratio(o.keyword_mode.hit, o.bm25.hit).c_str(),
                  o.lance ? bench::Ratio(o.keyword_mode.hit, o.lance->hit).c_str() : "n/a",
                  bench::Ratio(o.hybrid.hit, o.bm25.hit).c_str());
    }
    std::fflush(stdout);
  }

  if (!g_interrupted) RunThroughput(root, options, db);
  return g_interrupted ? 130 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::RunInScratchDir(kTool, ParseOptions(argc, argv), "bench-retrieval-tmp", Run);
}
