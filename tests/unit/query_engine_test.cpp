// queryd: fencing, name resolution and provenance, limits, time limits and
// concurrency, and the JSON/CSV forms of values.
#include "query/query_engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "testing/embedded_lakehouse.h"

namespace lakehouse::query {
namespace {

using nlohmann::json;
using testing::EmbeddedLakehouse;

class QueryEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        lake_.Ingest("candidates", "id,name,state,rate\n1,Ada,TX,80\n2,Bob,CA,65.5\n").ok());
    ASSERT_TRUE(lake_.Ingest("candidates", "id,name,state,rate\n3,Cy,TX,70\n").ok());
  }
  json Rows(const std::string& sql, std::map<std::string, uint64_t> as_of = {},
            std::map<std::string, uint64_t>* versions = nullptr) {
    auto result = lake_.QueryJson(sql, 100000, std::move(as_of), versions);
    EXPECT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
    return result.ok() ? json::parse(*result) : json();
  }
  StatusCode Code(const std::string& sql) { return lake_.QueryJson(sql).status().code(); }

  EmbeddedLakehouse lake_;
};

TEST_F(QueryEngineTest, CurrentAndPastVersionsWithProvenance) {
  std::map<std::string, uint64_t> versions;
  EXPECT_EQ(Rows("SELECT count(*) FROM candidates", {}, &versions)[0][0], 3);
  EXPECT_EQ(versions, (std::map<std::string, uint64_t>{{"candidates", 2}}));
  EXPECT_EQ(Rows("SELECT count(*) FROM \"candidates@1\"", {}, &versions)[0][0], 2);
  EXPECT_EQ(versions, (std::map<std::string, uint64_t>{{"candidates", 1}}));
  // A pin replays the answer exactly, whatever has been committed since.
  EXPECT_EQ(Rows("SELECT sum(rate) FROM candidates", {{"candidates", 1}}, &versions)[0][0], 145.5);
  EXPECT_EQ(versions.at("candidates"), 1u);
}

TEST_F(QueryEngineTest, SelfJoinReadsOneVersionAndMixedVersionsAreNamed) {
  std::map<std::string, uint64_t> versions;
  auto rows = Rows("SELECT count(*) FROM candidates a JOIN \"candidates@1\" b ON a.id = b.id", {},
                   &versions);
  EXPECT_EQ(rows[0][0], 2);
  EXPECT_EQ(versions.at("candidates"), 2u);
  EXPECT_EQ(versions.at("candidates@1"), 1u);
}

TEST_F(QueryEngineTest, UnknownDatasetOrVersionIsNotFound) {
  auto result = lake_.QueryJson("SELECT * FROM nosuch");
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
  EXPECT_NE(result.status().message().find("nosuch"), std::string::npos);
  EXPECT_EQ(Code("SELECT * FROM \"candidates@9\""), StatusCode::kNotFound);
}

TEST_F(QueryEngineTest, WritesAndEscapesAreForbiddenAndLeaveNothingBehind) {
  const std::string target = lake_.dir() + "/escaped.csv";
  const std::vector<std::string> forbidden = {
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_text('/etc/hostname')",
      "COPY (SELECT 1) TO '" + target + "'",
      "COPY candidates TO '" + target + "'",
      "ATTACH '" + lake_.dir() + "/other.db' AS other",
      "INSTALL httpfs",
      "LOAD httpfs",
      "SET enable_external_access = true",
      "SET memory_limit = '100GB'",
      "RESET lock_configuration",
      "PRAGMA enable_profiling",
      "CREATE TABLE t AS SELECT 1",
      "CREATE VIEW v AS SELECT 1",
      "CREATE MACRO m(x) AS x + 1",
      "EXPORT DATABASE '" + lake_.dir() + "/export'",
      "SELECT * FROM read_parquet('https://example.com/x.parquet')",
      // EXPLAIN ANALYZE runs what it explains.
      "EXPLAIN ANALYZE CREATE TABLE candidates AS SELECT 42 AS id",
      "EXPLAIN (ANALYZE) CREATE TABLE t AS SELECT 1",
      "EXPLAIN /* x */ ANALYZE CREATE MACRO evil(x) AS x",
  };
  for (const auto& sql : forbidden) {
    EXPECT_EQ(Code(sql), StatusCode::kPermissionDenied) << sql;
  }
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_FALSE(std::filesystem::exists(lake_.dir() + "/other.db"));
  EXPECT_FALSE(std::filesystem::exists(lake_.dir() + "/export"));
  // The fence still holds afterwards, and tables did not appear.
  EXPECT_EQ(Code("SELECT * FROM t"), StatusCode::kNotFound);
  EXPECT_EQ(Rows("SELECT count(*) FROM candidates")[0][0], 3);
  EXPECT_EQ(Rows("EXPLAIN ANALYZE SELECT count(*) FROM candidates").size(), 1u);
  EXPECT_EQ(Rows("SELECT current_setting('enable_external_access')")[0][0], false);
}

TEST_F(QueryEngineTest, BadSqlIsInvalidArgument) {
  EXPECT_EQ(Code("SELEC 1"), StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(""), StatusCode::kInvalidArgument);
  EXPECT_EQ(Code("SELECT 1; SELECT 2"), StatusCode::kInvalidArgument);
  EXPECT_EQ(Code("SELECT nosuchcolumn FROM candidates"), StatusCode::kInvalidArgument);
  EXPECT_EQ(Code("SELECT $1"), StatusCode::kInvalidArgument);
}

TEST_F(QueryEngineTest, LimitTruncatesAndSaysSo) {
  bool truncated = false;
  auto limited = lake_.QueryJson("SELECT * FROM range(5000)", 10, {}, nullptr, &truncated);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(json::parse(*limited).size(), 10u);
  EXPECT_TRUE(truncated);
  // Exactly at a chunk boundary (DuckDB chunks are 2048 rows).
  auto boundary = lake_.QueryJson("SELECT * FROM range(2048)", 2048, {}, nullptr, &truncated);
  ASSERT_TRUE(boundary.ok());
  EXPECT_EQ(json::parse(*boundary).size(), 2048u);
  EXPECT_FALSE(truncated);
  auto whole = lake_.QueryJson("SELECT * FROM range(5000)", 100000, {}, nullptr, &truncated);
  EXPECT_EQ(json::parse(*whole).size(), 5000u);
  EXPECT_FALSE(truncated);
  EXPECT_EQ(lake_.engine().Execute({"SELECT 1", 0, {}}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(QueryEngineTimeTest, SlowQueryHitsItsTimeLimitAndOthersStillRun) {
  EmbeddedLakehouse lake(1 << 20, 300);
  std::atomic<bool> slow_done{false};
  Status slow_status;
  std::thread slow([&] {
    slow_status = lake.QueryJson("SELECT count(*) FROM range(10000000000) a").status();
    slow_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // A fast query is not blocked by the slow one.
  auto fast = lake.QueryJson("SELECT 42");
  EXPECT_TRUE(fast.ok());
  EXPECT_FALSE(slow_done.load());
  slow.join();
  EXPECT_EQ(slow_status.code(), StatusCode::kTimeout) << slow_status.ToString();
  // The interrupted connection is usable again.
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(lake.QueryJson("SELECT 1").ok());
}

TEST_F(QueryEngineTest, ManyConcurrentQueries) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto rows = lake_.QueryJson("SELECT count(*) FROM candidates WHERE state = 'TX'");
        if (rows.ok() && json::parse(*rows)[0][0] == 2) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 80);
}

TEST_F(QueryEngineTest, ValuesKeepTheirTypesInJson) {
  auto rows = Rows(
      "SELECT 1::TINYINT, -5::BIGINT, 42::UBIGINT, 1.5::FLOAT, 2.25::DOUBLE, 'q\"\\\n'::VARCHAR, "
      "true, NULL::INTEGER, DATE '2024-02-29', TIMESTAMP '2024-01-02 03:04:05.5', "
      "12.345::DECIMAL(10,3), -0.05::DECIMAL(4,2), [1, 2], {'a': 'x'}, 'nan'::DOUBLE, "
      "123456789012345678901234567890::HUGEINT, INTERVAL 1 DAY");
  const json& r = rows[0];
  EXPECT_EQ(r[0], 1);
  EXPECT_EQ(r[1], -5);
  EXPECT_EQ(r[2], 42);
  EXPECT_EQ(r[3], 1.5);
  EXPECT_EQ(r[4], 2.25);
  EXPECT_EQ(r[5], "q\"\\\n");
  EXPECT_EQ(r[6], true);
  EXPECT_TRUE(r[7].is_null());
  EXPECT_EQ(r[8], "2024-02-29");
  EXPECT_EQ(r[9], "2024-01-02 03:04:05.500000");
  EXPECT_EQ(r[10].dump(), "12.345");
  EXPECT_EQ(r[11].dump(), "-0.05");
  EXPECT_EQ(r[12], json::parse("[1,2]"));
  EXPECT_EQ(r[13], json::parse(R"({"a":"x"})"));
  EXPECT_TRUE(r[14].is_null());
  EXPECT_EQ(r[15], "123456789012345678901234567890");
  EXPECT_EQ(r[16], "1 day");
}

TEST_F(QueryEngineTest, CsvOutputQuotesWhatNeedsIt) {
  auto cursor =
      lake_.engine().Execute({"SELECT 'a,b' AS x, 'say \"hi\"' AS y, NULL AS z, 3 AS n", 10, {}});
  ASSERT_TRUE(cursor.ok());
  std::string out;
  (*cursor)->formatter().AppendCsvHeader(out);
  while (*(*cursor)->NextCsv(out)) {
  }
  EXPECT_EQ(out, "x,y,z,n\r\n\"a,b\",\"say \"\"hi\"\"\",,3\r\n");
}

TEST_F(QueryEngineTest, DeletedDatasetIsGoneButOldVersionsRemain) {
  ASSERT_TRUE(lake_.catalog().DeleteDataset("candidates").ok());
  EXPECT_EQ(Code("SELECT * FROM candidates"), StatusCode::kNotFound);
  EXPECT_EQ(Code("SELECT * FROM \"candidates@3\""), StatusCode::kNotFound);
  EXPECT_EQ(Rows("SELECT count(*) FROM \"candidates@2\"")[0][0], 3);
}

}  // namespace
}  // namespace lakehouse::query
