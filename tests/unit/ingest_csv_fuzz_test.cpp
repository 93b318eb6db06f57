// A deterministic fuzz of CSV ingest: files with and without a header, of
// several sizes, with quoted delimiters, quoted newlines, doubled quotes and
// CRLF, some with one row given an extra or a missing field (the first, a
// middle or the last row). Every answer must be exactly the file's row count
// or a 4xx-class refusal; a ragged file is always refused.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/splitmix64.h"
#include "testing/embedded_lakehouse.h"

namespace lakehouse::ingest {
namespace {

using testing::EmbeddedLakehouse;

enum class Defect { kNone, kExtraField, kMissingField };
enum class Where { kHeader, kFirst, kMiddle, kLast };

struct Case {
  size_t rows;
  bool header;
  Defect defect;
  Where where;
  uint64_t seed;
  std::string Describe() const {
    static constexpr const char* kDefects[] = {"clean", "extra field", "missing field"};
    static constexpr const char* kWheres[] = {"header", "first", "middle", "last"};
    return std::to_string(rows) + " rows, " + (header ? "header" : "no header") + ", " +
           kDefects[static_cast<int>(defect)] +
           (defect == Defect::kNone
                ? ""
                : std::string(" on the ") + kWheres[static_cast<int>(where)] + " row") +
           ", seed " + std::to_string(seed);
  }
};

// A text field: plain, or quoted around a delimiter, a doubled quote or a
// line break — all legal CSV that must not change the row count.
std::string TextField(SplitMix64& rng) {
  static constexpr const char* kWords[] = {"ann", "bob", "cy", "dee", "eve", "fay"};
  std::string word = kWords[rng.Below(6)];
  switch (rng.Below(6)) {
    case 0:
      return "\"" + word + ", " + kWords[rng.Below(6)] + "\"";
    case 1:
      return "\"" + word + " \"\"quoted\"\"\"";
    case 2:
      return "\"" + word + "\nsecond line\"";
    default:
      return word;
  }
}

std::string MakeCsv(const Case& c, SplitMix64& rng) {
  const std::string newline = rng.Below(4) == 0 ? "\r\n" : "\n";
  std::string header = "id,name,rate";
  if (c.where == Where::kHeader && c.defect == Defect::kExtraField) header += ",more";
  if (c.where == Where::kHeader && c.defect == Defect::kMissingField) header = "id,name";
  std::string csv = c.header ? header + newline : "";
  const size_t bad_row = c.where == Where::kHeader   ? c.rows
                         : c.where == Where::kFirst  ? 0
                         : c.where == Where::kMiddle ? c.rows / 2
                                                     : c.rows - 1;
  for (size_t row = 0; row < c.rows; ++row) {
    std::vector<std::string> fields = {std::to_string(row + 1), TextField(rng),
                                       std::to_string(rng.Below(1000)) + ".5"};
    if (row == bad_row && c.defect == Defect::kExtraField) fields.push_back(TextField(rng));
    if (row == bad_row && c.defect == Defect::kMissingField) fields.pop_back();
    for (size_t f = 0; f < fields.size(); ++f) csv += (f ? "," : "") + fields[f];
    // The last line sometimes has no line break.
    if (row + 1 < c.rows || rng.Below(2) == 0) csv += newline;
  }
  return csv;
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  uint64_t seed = 20240601;
  for (size_t rows : {1u, 2u, 3u, 10u, 250u}) {
    for (bool header : {true, false}) {
      // One row alone cannot disagree with anything, nor tell a header apart.
      if (rows == 1 && !header) continue;
      for (int repeat = 0; repeat < 3; ++repeat) {
        cases.push_back({rows, header, Defect::kNone, Where::kFirst, ++seed});
      }
      for (Defect defect : {Defect::kExtraField, Defect::kMissingField}) {
        for (Where where : {Where::kHeader, Where::kFirst, Where::kMiddle, Where::kLast}) {
          if (where == Where::kHeader && !header) continue;
          for (int repeat = 0; repeat < 2; ++repeat) {
            cases.push_back({rows, header, defect, where, ++seed});
          }
        }
      }
    }
  }
  return cases;
}

TEST(IngestCsvFuzzTest, EveryAnswerIsTheRowCountOrARefusal) {
  EmbeddedLakehouse lake;
  int n = 0;
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.Describe());
    SplitMix64 rng(c.seed);
    const std::string csv = MakeCsv(c, rng);
    const std::string dataset = "fuzz_" + std::to_string(++n);
    auto result = lake.Ingest(dataset, csv);
    if (result.ok()) {
      EXPECT_EQ(c.defect, Defect::kNone) << "a ragged file was stored:\n" << csv;
      EXPECT_EQ(result->rows_added, c.rows) << csv;
      EXPECT_EQ(result->manifest.schema.size(), 3u) << csv;
    } else {
      const StatusCode code = result.status().code();
      EXPECT_TRUE(code == StatusCode::kInvalidArgument || code == StatusCode::kUnprocessable)
          << result.status().ToString();
      EXPECT_NE(c.defect, Defect::kNone) << result.status().ToString() << "\n" << csv;
      EXPECT_TRUE(lake.Keys("data/" + dataset + "/").empty());
    }
  }
}

}  // namespace
}  // namespace lakehouse::ingest
