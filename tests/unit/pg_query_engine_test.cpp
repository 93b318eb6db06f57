// What the PostgreSQL protocol asks of the query engine: parameters, Describe, text cells, cancel.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "query/query_engine.h"
#include "testing/embedded_lakehouse.h"

namespace lakehouse::query {
namespace {

using testing::EmbeddedLakehouse;

class PgQueryEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        lake_.Ingest("candidates", "id,name,state,rate\n1,Ada,TX,80\n2,Bob,CA,65.5\n").ok());
    ASSERT_TRUE(lake_.Ingest("candidates", "id,name,state,rate\n3,Cy,TX,70\n").ok());
  }

  // Every cell of the result as text, "NULL" for NULL.
  Result<std::vector<std::vector<std::string>>> Text(
      const std::string& sql, std::vector<std::optional<std::string>> params = {},
      std::vector<ResultColumn>* columns = nullptr) {
    QueryRequest request;
    request.sql = sql;
    request.limit = 100000;
    request.params = std::move(params);
    LH_ASSIGN_OR_RETURN(auto cursor, lake_.engine().Execute(request));
    if (columns != nullptr) *columns = cursor->columns();
    std::vector<std::vector<std::string>> rows;
    TextRows text;
    while (true) {
      text.clear();
      LH_ASSIGN_OR_RETURN(bool more, cursor->NextText(text));
      for (size_t r = 0; r < text.rows(); ++r) {
        std::vector<std::string> row;
        for (size_t c = 0; c < text.columns; ++c) {
          row.push_back(text.null(r, c) ? "NULL" : std::string(text.cell(r, c)));
        }
        rows.push_back(std::move(row));
      }
      if (!more) break;
    }
    return rows;
  }

  EmbeddedLakehouse lake_;
};

TEST_F(PgQueryEngineTest, ParametersArriveAsTextAndDuckDBCastsThem) {
  auto rows = Text("SELECT name FROM candidates WHERE id = $1 AND rate > $2", {"2", "60.5"});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (std::vector<std::vector<std::string>>{{"Bob"}}));
  auto null = Text("SELECT $1::INTEGER IS NULL", {std::nullopt});
  ASSERT_TRUE(null.ok()) << null.status().ToString();
  EXPECT_EQ((*null)[0][0], "t");
  // The same fence and names: a version by name, with a parameter.
  auto old = Text("SELECT count(*) FROM \"candidates@1\" WHERE state = $1", {"TX"});
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ((*old)[0][0], "1");
}

TEST_F(PgQueryEngineTest, AParameterCountOtherThanTheStatementsIsRefused) {
  EXPECT_EQ(Text("SELECT $1::INTEGER").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Text("SELECT 1", {"1"}).status().code(), StatusCode::kInvalidArgument);
  auto bad = Text("SELECT count(*) FROM candidates WHERE id = $1", {"not a number"});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("Conversion Error"), std::string::npos)
      << bad.status().ToString();
}

TEST_F(PgQueryEngineTest, DescribeTellsParametersAndColumnsWithoutRunning) {
  QueryRequest request;
  request.sql = "SELECT id, name, rate FROM candidates WHERE rate > $1 AND state = $2";
  auto shape = lake_.engine().Describe(request);
  ASSERT_TRUE(shape.ok()) << shape.status().ToString();
  EXPECT_EQ(shape->params, (std::vector<ValueType>{ValueType::kDouble, ValueType::kVarchar}));
  ASSERT_EQ(shape->columns.size(), 3u);
  EXPECT_EQ(shape->columns[0].name, "id");
  EXPECT_EQ(shape->columns[0].value_type, ValueType::kBigInt);
  EXPECT_EQ(shape->columns[1].value_type, ValueType::kVarchar);
  EXPECT_EQ(shape->columns[2].value_type, ValueType::kDouble);

  request.sql = "SELECT $1";
  auto open = lake_.engine().Describe(request);
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  EXPECT_EQ(open->params, (std::vector<ValueType>{ValueType::kUnknown}));
}

TEST_F(PgQueryEngineTest, DescribeMeetsTheSameFenceAndNames) {
  QueryRequest request;
  request.sql = "DROP TABLE candidates";
  EXPECT_EQ(lake_.engine().Describe(request).status().code(), StatusCode::kPermissionDenied);
  request.sql = "SELECT * FROM nosuch";
  EXPECT_EQ(lake_.engine().Describe(request).status().code(), StatusCode::kNotFound);
  request.sql = "SELECT * FROM \"candidates@9\"";
  EXPECT_EQ(lake_.engine().Describe(request).status().code(), StatusCode::kNotFound);
  request.sql = "SELECT * FROM \"candidates@1\"";
  EXPECT_TRUE(lake_.engine().Describe(request).ok());
}

TEST_F(PgQueryEngineTest, TextCellsUsePostgresSpellings) {
  std::vector<ResultColumn> columns;
  auto rows = Text(
      "SELECT true, false, NULL::INTEGER, 'NaN'::DOUBLE, '-inf'::FLOAT, "
      "TIMESTAMP '2024-01-02 03:04:05.5', TIMESTAMPTZ '2024-01-02 03:04:05+00', "
      "DATE '2024-02-29', INTERVAL '1 year 1 month 2 days 2 hours', [1, 2, NULL], ['a b', 'c', '', "
      "'NULL'], "
      "12.50::DECIMAL(5,2), 'x'::BLOB, {'k': 1}, 7::TINYINT, 2::HUGEINT",
      {}, &columns);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*rows)[0],
            (std::vector<std::string>{
                "t", "f", "NULL", "NaN", "-Infinity", "2024-01-02 03:04:05.500000",
                "2024-01-02 03:04:05+00", "2024-02-29", "1 year 1 mon 2 days 02:00:00",
                "{1,2,NULL}", "{\"a b\",c,\"\",\"NULL\"}", "12.50", "x", "{\"k\":1}", "7", "2"}));
  std::vector<ValueType> types;
  for (const auto& c : columns) types.push_back(c.value_type);
  EXPECT_EQ(types,
            (std::vector<ValueType>{
                ValueType::kBoolean, ValueType::kBoolean, ValueType::kInteger, ValueType::kDouble,
                ValueType::kFloat, ValueType::kTimestamp, ValueType::kTimestampTz, ValueType::kDate,
                ValueType::kInterval, ValueType::kList, ValueType::kList, ValueType::kDecimal,
                ValueType::kBlob, ValueType::kStruct, ValueType::kTinyInt, ValueType::kHugeInt}));
}

TEST_F(PgQueryEngineTest, TextRowsStreamAChunkAtATime) {
  QueryRequest request;
  request.sql = "SELECT i FROM range(10000) t(i)";
  request.limit = 100000;
  auto cursor = lake_.engine().Execute(request);
  ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
  TextRows text;
  size_t chunks = 0, rows = 0;
  while (true) {
    text.clear();
    auto more = (*cursor)->NextText(text);
    ASSERT_TRUE(more.ok());
    EXPECT_LE(text.rows(), 2048u);
    rows += text.rows();
    if (!*more) break;
    ++chunks;
  }
  EXPECT_EQ(rows, 10000u);
  EXPECT_GE(chunks, 5u);
}

TEST_F(PgQueryEngineTest, CancelStopsARunningQueryFromAnotherThread) {
  QueryRequest request;
  request.sql = "SELECT count(*) FROM range(100000000000) a(i) WHERE i % 7 = 3";
  request.cancel = std::make_shared<QueryCancel>();
  std::thread canceller([cancel = request.cancel] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel->Cancel();
  });
  auto started = std::chrono::steady_clock::now();
  Status status;
  auto cursor = lake_.engine().Execute(request);
  if (cursor.ok()) {
    TextRows text;
    auto more = (*cursor)->NextText(text);
    status = more.status();
  } else {
    status = cursor.status();
  }
  canceller.join();
  EXPECT_EQ(status.code(), StatusCode::kTimeout) << status.ToString();
  EXPECT_NE(status.message().find("cancelled"), std::string::npos) << status.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  // The connection is fine for the next query.
  auto after = Text("SELECT 42");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ((*after)[0][0], "42");
}

}  // namespace
}  // namespace lakehouse::query
