// A dataset version's profile for its page: per column the type, share of
// NULLs, distinct values, range and distribution.
//
// Promises:
//  - Computed by three read-only queries through the QueryEngine, like any
//    user's: DuckDB's SUMMARIZE of the version (types, ranges, NULLs), the
//    distinct values of every column, and one statement of per-column
//    histograms (numbers, dates, times) and top values (text, booleans). The
//    fence and the engine's time and memory limits apply.
//  - A version of more than kProfileSampleRows rows is profiled from a
//    sample of that many rows, and says so: its shares and distributions are
//    then estimates, and its distinct counts those of the sample, a lower
//    bound. Otherwise every figure is exact.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "query/query_engine.h"
#include "web/templates.h"

namespace lakehouse::web {

inline constexpr uint64_t kProfileSampleRows = 100'000;
inline constexpr size_t kProfileBins = 10;
inline constexpr size_t kProfileTopValues = 3;

struct ColumnProfile {
  std::string name;
  std::string type;
  uint64_t rows = 0;      // rows profiled, NULLs included
  double null_share = 0;  // 0..1
  uint64_t distinct = 0;  // among the rows profiled
  std::string min, max;   // as text; empty when every value is NULL
  // Numbers, dates and times: counts of kProfileBins equal-width bins from
  // `low` to `high` (epoch seconds for dates and times).
  std::vector<uint64_t> bins;
  double low = 0, high = 0;
  // Text and booleans: the most frequent values, most frequent first.
  std::vector<std::pair<std::string, uint64_t>> top;
};

struct Profile {
  uint64_t version = 0;
  uint64_t rows = 0;     // rows of the version
  bool sampled = false;  // profiled from kProfileSampleRows of them
  std::vector<ColumnProfile> columns;
};

// `rows` is the version's row count from its manifest; it decides sampling.
Result<Profile> ProfileVersion(query::QueryEngine& engine, const std::string& dataset,
                               uint64_t version, uint64_t rows);

// web/templates/dataset_profile.mustache's data.
Data ProfileData(const Profile& profile);

}  // namespace lakehouse::web
