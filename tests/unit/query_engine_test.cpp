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

TEST_F(QueryEngineTest, ATagReadsTheVersionItNames) {
  ASSERT_TRUE(lake_.catalog().PutTag("candidates", "baseline", 1).ok());
  ASSERT_TRUE(lake_.Ingest("candidates", "id,name,state,rate\n4,Di,NY,90\n").ok());
  std::map<std::string, uint64_t> versions;
  EXPECT_EQ(Rows("SELECT count(*) FROM \"candidates@baseline\"", {}, &versions)[0][0], 2);
  EXPECT_EQ(versions, (std::map<std::string, uint64_t>{{"candidates", 1}}));
  // A tag is not moved by later versions, nor by a pin of the plain name.
  EXPECT_EQ(Rows("SELECT count(*) FROM \"candidates@baseline\"", {{"candidates", 2}})[0][0], 2);
  EXPECT_EQ(Rows("SELECT count(*) FROM candidates")[0][0], 4);
  ASSERT_TRUE(lake_.catalog().PutTag("candidates", "baseline", 2).ok());
  EXPECT_EQ(Rows("SELECT count(*) FROM \"candidates@baseline\"", {}, &versions)[0][0], 3);
  EXPECT_EQ(versions.at("candidates"), 2u);

  auto unknown = lake_.QueryJson("SELECT * FROM \"candidates@nosuch\"");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("nosuch"), std::string::npos)
      << unknown.status().ToString();

  // Dots and dashes are fine; a tag DuckDB would read as a file name is not.
  ASSERT_TRUE(lake_.catalog().PutTag("candidates", "v1.0-rc", 1).ok());
  EXPECT_EQ(Rows("SELECT count(*) FROM \"candidates@v1.0-rc\"")[0][0], 2);
  ASSERT_TRUE(lake_.catalog().PutTag("candidates", "final.csv", 1).ok());
  EXPECT_EQ(Code("SELECT count(*) FROM \"candidates@final.csv\""), StatusCode::kPermissionDenied);
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
  EXPECT_EQ(Code("SELECT current_setting('enable_external_access')"),
            StatusCode::kPermissionDenied);
}

TEST_F(QueryEngineTest, SideEffectFunctionsAreRefusedInEverySpelling) {
  const std::string log_dir = lake_.dir() + "/objects/duckdb-log";
  const std::vector<std::string> refused = {
      "SELECT * FROM enable_logging(storage='file', storage_path='" + log_dir + "')",
      "SELECT * FROM enable_logging()",
      "select * from ENABLE_LOGGING()",
      "SELECT * FROM \"enable_logging\"()",
      "SELECT * FROM main.enable_logging()",
      "SELECT * FROM system.main.enable_logging()",
      "SELECT * FROM /* a */ enable_logging /* b */ ()",
      "SELECT (SELECT count(*) FROM enable_logging())",
      "WITH x AS (SELECT * FROM enable_logging()) SELECT 1",
      "SELECT 1 FROM candidates WHERE id IN (SELECT 1 FROM enable_logging())",
      "EXPLAIN ANALYZE SELECT * FROM enable_logging()",
      "EXPLAIN (ANALYZE, FORMAT ') SELECT 1 --') SELECT * FROM enable_logging()",
      "SELECT * FROM disable_logging()",
      "SELECT * FROM truncate_duckdb_logs()",
      "SELECT * FROM duckdb_logs",
      "SELECT * FROM duckdb_logs()",
      "SELECT write_log('x')",
      "SELECT * FROM checkpoint()",
      "SELECT * FROM force_checkpoint()",
      "SELECT * FROM query('SELECT 1')",
      "SELECT * FROM query_table('candidates')",
      "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))",
      "SELECT * FROM pragma_version()",
      "SELECT * FROM duckdb_settings()",
      "SELECT * FROM duckdb_secrets()",
      "SELECT * FROM duckdb_extensions()",
      "SELECT * FROM pg_settings",
      "SELECT * FROM information_schema.tables",
      "SELECT setseed(0.5)",
      "SELECT * FROM icu_calendar_names()",
      "SHOW TABLES",
  };
  for (const auto& sql : refused) {
    auto result = lake_.QueryJson(sql);
    EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied)
        << sql << ": " << result.status().ToString();
  }
  auto named = lake_.QueryJson("SELECT * FROM Main.Enable_Logging()");
  EXPECT_NE(named.status().message().find("enable_logging"), std::string::npos)
      << named.status().ToString();
  // Nothing was switched on: every query still runs, and nothing was written.
  EXPECT_EQ(Rows("SELECT count(*) FROM candidates")[0][0], 3);
  EXPECT_FALSE(std::filesystem::exists(log_dir));
  // Functions that only compute, and the fence's own exceptions, still work.
  EXPECT_EQ(Rows("SELECT upper(name), row_number() OVER (ORDER BY id) FROM candidates "
                 "ORDER BY id LIMIT 1")[0],
            json::parse(R"(["ADA", 1])"));
  EXPECT_EQ(Rows("SELECT count(*) FROM range(3) r, unnest([1, 2])")[0][0], 6);
  EXPECT_EQ(Rows("EXPLAIN SELECT count(*) FROM candidates").size(), 1u);
  EXPECT_EQ(Rows("EXPLAIN (FORMAT json) SELECT 1").size(), 1u);
  EXPECT_EQ(Rows("WITH c AS (SELECT * FROM candidates) SELECT count(*) FROM c")[0][0], 3);
  EXPECT_EQ(Rows("DESCRIBE candidates").size(), 4u);
}

TEST_F(QueryEngineTest, StatementKindIsRefusedBeforeAnythingRuns) {
  const std::string exported = lake_.dir() + "/exported";
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"EXPORT DATABASE '" + exported + "'", "EXPORT"},
      {"INSERT INTO candidates VALUES (9, 'Eve', 'NY', 1)", "INSERT"},
      {"UPDATE candidates SET rate = 0", "UPDATE"},
      {"DELETE FROM candidates", "DELETE"},
      {"ALTER TABLE candidates ADD COLUMN x INTEGER", "ALTER"},
      {"COPY candidates FROM '/etc/passwd'", "COPY"},
      {"PRAGMA import_database('" + lake_.dir() + "')", "PRAGMA"},
      {"/* c */ CALL enable_logging()", "CALL"},
      {"BEGIN TRANSACTION", "transaction"},
  };
  for (const auto& [sql, kind] : refused) {
    auto result = lake_.QueryJson(sql);
    EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied) << sql;
    EXPECT_NE(result.status().message().find(kind), std::string::npos)
        << sql << ": " << result.status().ToString();
  }
  EXPECT_FALSE(std::filesystem::exists(exported));
  EXPECT_EQ(Code("SELECT 1; EXPORT DATABASE '" + exported + "'"), StatusCode::kPermissionDenied);
  EXPECT_EQ(Code("SELECT 1; SELECT 2"), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(exported));
}

TEST_F(QueryEngineTest, DataFilesAreReachableOnlyThroughDatasetNames) {
  auto keys = lake_.Keys("data/");
  ASSERT_FALSE(keys.empty());
  const std::string file = *lake_.store().LocalPathOf(keys[0]);
  const std::vector<std::string> refused = {
      "SELECT * FROM glob('" + lake_.dir() + "/objects/**')",
      "SELECT * FROM read_parquet('" + file + "')",
      "SELECT * FROM parquet_scan('" + file + "')",
      "SELECT * FROM parquet_metadata('" + file + "')",
      "SELECT * FROM '" + file + "'",
      "SELECT * FROM \"" + file + "\"",
      "FROM '" + lake_.dir() + "/objects/**/*.parquet'",
      "SELECT * FROM 'https://example.com/x.parquet'",
      "SELECT filename FROM candidates",
      "SELECT c.FileName FROM candidates c",
  };
  for (const auto& sql : refused) {
    auto result = lake_.QueryJson(sql);
    EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied)
        << sql << ": " << result.status().ToString();
    EXPECT_EQ(result.status().message().find(lake_.dir()), std::string::npos)
        << result.status().ToString();
  }
  // A deleted dataset's files stay out of reach too.
  ASSERT_TRUE(lake_.catalog().DeleteDataset("candidates").ok());
  EXPECT_EQ(Code("SELECT * FROM '" + file + "'"), StatusCode::kPermissionDenied);
  // A dataset's own column named filename is just a column.
  ASSERT_TRUE(lake_.Ingest("docs", "id,filename\n1,a.txt\n").ok());
  EXPECT_EQ(Rows("SELECT filename FROM docs")[0][0], "a.txt");
}

TEST_F(QueryEngineTest, ErrorsShowNoServerPaths) {
  auto keys = lake_.Keys("data/");
  ASSERT_FALSE(keys.empty());
  const std::string file = *lake_.store().LocalPathOf(keys[0]);
  // Damage a data file behind the catalog's back: DuckDB names it failing.
  std::filesystem::resize_file(file, 10);
  auto result = lake_.QueryJson("SELECT * FROM candidates");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message().find(lake_.dir()), std::string::npos)
      << result.status().ToString();
  EXPECT_NE(result.status().message().find("<data>"), std::string::npos)
      << result.status().ToString();
}

TEST(QueryEngineMemoryTest, IdleMemoryReleaseIsConfigured) {
  EmbeddedLakehouse lake;
  EXPECT_EQ(*lake.engine().Setting("allocator_background_threads"), "true");
  QueryEngineOptions options;
  options.scratch_dir = lake.dir() + "/scratch/keep";
  options.release_idle_memory = false;
  auto engine = QueryEngine::Open(options, lake.catalog(), lake.store());
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  EXPECT_EQ(*(*engine)->Setting("allocator_background_threads"), "false");
}

TEST(QueryEngineMemoryTest, QueryOverTheMemoryLimitIsResourceExhaustedNamingTheLimit) {
  EmbeddedLakehouse lake;
  QueryEngineOptions options;
  options.scratch_dir = lake.dir() + "/scratch/small";
  options.memory_limit = "64MB";
  options.connections = 1;
  auto engine = QueryEngine::Open(options, lake.catalog(), lake.store());
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  Status status;
  auto cursor = (*engine)->Execute({"SELECT list(i) FROM range(50000000) t(i)", 10, {}});
  if (cursor.ok()) {
    std::string out;
    while (true) {
      auto more = (*cursor)->NextJson(out);
      if (!more.ok()) status = more.status();
      if (!more.ok() || !*more) break;
    }
  } else {
    status = cursor.status();
  }
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_NE(status.message().find("64MB"), std::string::npos) << status.ToString();
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
