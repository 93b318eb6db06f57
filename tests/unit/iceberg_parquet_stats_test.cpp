// Iceberg column statistics read from Parquet footers, position delete files
// written through DuckDB, and local copies of stored Parquet objects.
#include <duckdb.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "iceberg/parquet_stats.h"
#include "iceberg/position_deletes.h"
#include "iceberg/table_model.h"
#include "query/duckdb_handles.h"
#include "storage/forwarding_store.h"
#include "storage/local_object_store.h"
#include "testing/temp_dir.h"

namespace lakehouse::iceberg {
namespace {

using namespace std::string_literals;

// A DuckDB of the test's own, to write the files under test and read back
// what the code wrote. One thread, so row groups and row order are fixed.
class TestDuck {
 public:
  TestDuck() {
    duckdb_open(nullptr, database_.out());
    duckdb_connect(database_.get(), connection_.out());
    Run("SET threads = 1");
  }

  void Run(const std::string& sql) {
    query::QueryResult result;
    ASSERT_EQ(duckdb_query(connection_.get(), sql.c_str(), result.out()), DuckDBSuccess)
        << duckdb_result_error(result.get()) << " in " << sql;
  }

  // Every cell as DuckDB prints it, "NULL" for a null.
  std::vector<std::vector<std::string>> Rows(const std::string& sql) {
    query::QueryResult result;
    std::vector<std::vector<std::string>> rows;
    if (duckdb_query(connection_.get(), sql.c_str(), result.out()) != DuckDBSuccess) {
      ADD_FAILURE() << duckdb_result_error(result.get()) << " in " << sql;
      return rows;
    }
    for (idx_t row = 0; row < duckdb_row_count(result.get()); ++row) {
      rows.emplace_back();
      for (idx_t col = 0; col < duckdb_column_count(result.get()); ++col) {
        char* cell = duckdb_value_varchar(result.get(), col, row);
        rows.back().push_back(cell != nullptr ? cell : "NULL");
        duckdb_free(cell);
      }
    }
    return rows;
  }

  std::string One(const std::string& sql) {
    auto rows = Rows(sql);
    return rows.size() == 1 && rows[0].size() == 1 ? rows[0][0] : "<not one cell>";
  }

 private:
  query::Database database_;
  query::Connection connection_;
};

std::string Quoted(const std::string& path) { return "'" + path + "'"; }

// 5,000 rows in row groups of 2,048, 2,048 and 904, a column of each type.
// Bounds below are computed by hand from these expressions.
constexpr const char* kEveryTypeSelect = R"(SELECT
  (i % 2 = 0) AS b,
  CASE WHEN i = 100 THEN NULL ELSE i::INTEGER - 5 END AS i,
  (i - 2500) * 1000000000000 AS l,
  (i / 4)::FLOAT AS f,
  ((i - 1000) / 8)::DOUBLE AS d,
  DATE '1969-12-25' + i::INTEGER AS dt,
  TIME '00:00:01' + INTERVAL (i) SECOND AS t,
  TIMESTAMP '1969-12-31 23:59:59' + INTERVAL (i) MILLISECOND AS ts,
  TIMESTAMPTZ '2024-01-01 00:00:00+02' + INTERVAL (i) SECOND AS tz,
  CASE WHEN i % 3 = 0 THEN NULL ELSE lpad((i % 1000)::VARCHAR, 3, '0') || repeat('α', 8) END AS s,
  'k' || (i % 10) AS sh,
  repeat(chr(1114111), 5) AS maxcp,
  CASE WHEN i % 2 = 0 THEN unhex('0001') ELSE unhex('fffe') END AS bl,
  CASE WHEN i % 2 = 0 THEN unhex(repeat('00', 20))
       ELSE unhex('01' || repeat('ff', 15) || '0203') END AS lb,
  unhex(repeat('ff', 20)) AS allff,
  ((i - 2500) / 100)::DECIMAL(9,2) AS dec9,
  (i * 1000000000)::DECIMAL(18,3) AS dec18,
  ((i::HUGEINT - 2500) * '1000000000000000000000000000000'::HUGEINT)::DECIMAL(38,0) AS dec38,
  ((i % 200) / 10 - 5)::DECIMAL(4,1) AS dec4,
  CASE WHEN i % 2 = 0 THEN '01020304-0506-0708-090a-0b0c0d0e0f10'::UUID
       ELSE 'f1020304-0506-0708-090a-0b0c0d0e0f10'::UUID END AS u,
  i::INTEGER - 5 AS widened,
  CASE WHEN i % 2 = 0 THEN 0.1 ELSE 2.5 END::FLOAT AS fw,
  (i * 800000)::UINTEGER AS ui,
  CASE WHEN i < 2048 THEN NULL ELSE i::INTEGER END AS allnull,
  CASE WHEN i = 3000 THEN 'NaN'::DOUBLE ELSE i END AS nan
FROM range(5000) r(i))";

const std::vector<Field> kEveryTypeFields = {
    {1, "b", "boolean"},
    {2, "i", "int"},
    {3, "l", "long"},
    {4, "f", "float"},
    {5, "d", "double"},
    {6, "dt", "date"},
    {7, "t", "time"},
    {8, "ts", "timestamp"},
    {9, "tz", "timestamptz"},
    {10, "s", "string"},
    {11, "sh", "string"},
    {12, "maxcp", "string"},
    {13, "bl", "binary"},
    {14, "lb", "binary"},
    {15, "allff", "binary"},
    {16, "dec9", "decimal(9, 2)"},
    {17, "dec18", "decimal(18, 3)"},
    {18, "dec38", "decimal(38, 0)"},
    {19, "dec4", "decimal(4, 1)"},
    {20, "u", "uuid"},
    {21, "widened", "long"},
    {22, "fw", "double"},
    {23, "ui", "long"},
    {24, "allnull", "int"},
    {25, "nan", "double"},
    {26, "absent", "int"},
};

class IcebergParquetStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/every.parquet";
    duck_.Run("COPY (" + std::string(kEveryTypeSelect) + ") TO " + Quoted(path_) +
              " (FORMAT parquet, ROW_GROUP_SIZE 2048)");
    // Listed out of id order: the answer is sorted all the same.
    std::vector<Field> fields(kEveryTypeFields.rbegin(), kEveryTypeFields.rend());
    auto stats = ReadParquetStats(path_, "data/t/every.parquet", fields);
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    stats_ = std::move(stats).value();
  }

  const ColumnStats* Column(int32_t id) const {
    for (const ColumnStats& c : stats_.columns) {
      if (c.field_id == id) return &c;
    }
    return nullptr;
  }

  void ExpectBounds(int32_t id, std::optional<std::string> lower,
                    std::optional<std::string> upper) const {
    const ColumnStats* c = Column(id);
    ASSERT_NE(c, nullptr) << "field " << id;
    EXPECT_EQ(c->lower_bound, lower) << "lower bound of field " << id;
    EXPECT_EQ(c->upper_bound, upper) << "upper bound of field " << id;
  }

  testing::TempDir dir_;
  TestDuck duck_;
  std::string path_;
  ParquetFileStats stats_;
};

TEST_F(IcebergParquetStatsTest, CountsOverEveryRowGroup) {
  ASSERT_EQ(duck_.One("SELECT num_row_groups FROM parquet_file_metadata(" + Quoted(path_) + ")"),
            "3");
  EXPECT_EQ(stats_.record_count, 5000);
  ASSERT_EQ(stats_.columns.size(), 25u);  // every field but "absent"
  for (size_t k = 0; k < stats_.columns.size(); ++k) {
    const ColumnStats& c = stats_.columns[k];
    EXPECT_EQ(c.field_id, static_cast<int32_t>(k + 1));
    EXPECT_EQ(c.value_count, 5000) << c.field_id;
    EXPECT_EQ(c.nan_value_count, std::nullopt) << c.field_id;
    const std::string& name = kEveryTypeFields[k].name;
    EXPECT_EQ(std::to_string(c.column_size.value_or(-1)),
              duck_.One("SELECT sum(total_compressed_size) FROM parquet_metadata(" + Quoted(path_) +
                        ") WHERE path_in_schema = '" + name + "'"))
        << name;
  }
  EXPECT_EQ(Column(2)->null_value_count, 1);
  EXPECT_EQ(Column(10)->null_value_count, 1667);
  EXPECT_EQ(Column(24)->null_value_count, 2048);
  EXPECT_EQ(Column(1)->null_value_count, 0);
}

TEST_F(IcebergParquetStatsTest, FixedWidthBoundsInIcebergEncoding) {
  ExpectBounds(1, "\x00"s, "\x01"s);
  ExpectBounds(2, "\xfb\xff\xff\xff"s, "\x82\x13\x00\x00"s);
  ExpectBounds(3, "\x00\xc0\x0f\x64\x43\x1e\xf7\xff"s, "\x00\x30\x4b\xc7\xd3\xe0\x08\x00"s);
  ExpectBounds(4, "\x00\x00\x00\x00"s, "\x00\x38\x9c\x44"s);
  ExpectBounds(5, "\x00\x00\x00\x00\x00\x40\x5f\xc0"s, "\x00\x00\x00\x00\x00\x3e\x7f\x40"s);
  ExpectBounds(6, "\xf9\xff\xff\xff"s, "\x80\x13\x00\x00"s);  // -7 and 4992 days
  ExpectBounds(7, "\x40\x42\x0f\x00\x00\x00\x00\x00"s, "\x00\xf2\x05\x2a\x01\x00\x00\x00"s);
  ExpectBounds(8, "\xc0\xbd\xf0\xff\xff\xff\xff\xff"s, "\x18\x05\x3d\x00\x00\x00\x00\x00"s);
  // 2023-12-31 22:00:00 UTC, whatever the offset it was written with.
  ExpectBounds(9, "\x00\xd8\xf9\x62\xd5\x0d\x06\x00"s, "\xc0\x87\xf0\x8c\xd6\x0d\x06\x00"s);
}

TEST_F(IcebergParquetStatsTest, DecimalAndUuidBoundsAreBigEndian) {
  ExpectBounds(16, "\xf6\x3c"s, "\x09\xc3"s);  // -25.00 and 24.99
  ExpectBounds(17, "\x00"s, "\x11\xc2\x90\x63\x3b\x70\x00"s);
  ExpectBounds(18, "\x84\xbd\x90\x54\x9e\x0f\xf2\x1c\x9c\x67\x00\x00\x00\x00"s,
               "\x7b\x35\xd0\x7e\xc5\x1f\xc7\x6e\x75\xae\xc0\x00\x00\x00"s);
  // 14.9 is 149, which needs a sign byte; -5.0 is -50, one byte.
  ExpectBounds(19, "\xce"s, "\x00\x95"s);
  ExpectBounds(20, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"s,
               "\xf1\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"s);
}

TEST_F(IcebergParquetStatsTest, StringAndBinaryBoundsAreTruncated) {
  // 3 digits and 8 two-byte alphas: cut at 15 bytes, not inside an alpha.
  ExpectBounds(10, "000" + std::string("αααααα"), "999" + std::string("αααααβ"));
  ExpectBounds(11, "k0", "k9");  // short: exact
  // Four U+10FFFF: no code point left to increment, so no upper bound.
  ExpectBounds(12, "\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf"s,
               std::nullopt);
  ExpectBounds(13, "\x00\x01"s, "\xff\xfe"s);
  ExpectBounds(14, std::string(16, '\x00'), "\x02"s);
  ExpectBounds(15, std::string(16, '\xff'), std::nullopt);
}

TEST_F(IcebergParquetStatsTest, TruncatedUpperBoundIsAboveEveryValue) {
  const ColumnStats* s = Column(10);
  ASSERT_TRUE(s->upper_bound && s->lower_bound);
  auto rows =
      duck_.Rows("SELECT DISTINCT s FROM read_parquet(" + Quoted(path_) + ") WHERE s IS NOT NULL");
  ASSERT_EQ(rows.size(), 1000u);
  for (const auto& row : rows) {
    EXPECT_GT(*s->upper_bound, row[0]);
    EXPECT_LE(*s->lower_bound, row[0]);
  }
}

TEST_F(IcebergParquetStatsTest, WidenedTypesEncodeAsTheFieldType) {
  // INTEGER in the file, long in the table: eight bytes.
  ExpectBounds(21, "\xfb\xff\xff\xff\xff\xff\xff\xff"s, "\x82\x13\x00\x00\x00\x00\x00\x00"s);
  // FLOAT 0.1 read as double is the float's value, not the double 0.1.
  ExpectBounds(22, "\x00\x00\x00\xa0\x99\x99\xb9\x3f"s, "\x00\x00\x00\x00\x00\x00\x04\x40"s);
  ExpectBounds(23, "\x00\x00\x00\x00\x00\x00\x00\x00"s, "\x00\xf3\x5e\xee\x00\x00\x00\x00"s);
}

TEST_F(IcebergParquetStatsTest, MissingStatisticsDropOnlyWhatTheyMust) {
  // A row group of nulls alone needs no min or max.
  ExpectBounds(24, "\x00\x08\x00\x00"s, "\x87\x13\x00\x00"s);
  // DuckDB writes no min/max for a row group holding a NaN.
  ExpectBounds(25, std::nullopt, std::nullopt);
  EXPECT_EQ(Column(26), nullptr);  // not in the file
}

TEST(IcebergParquetStats, TypeMismatchKeepsCountsDropsBounds) {
  testing::TempDir dir;
  TestDuck duck;
  std::string path = dir.path() + "/f.parquet";
  duck.Run("COPY (SELECT range::BIGINT AS n FROM range(10)) TO " + Quoted(path) +
           " (FORMAT parquet)");
  // BIGINT does not read as int (a narrowing), nor as string.
  for (const char* type : {"int", "string"}) {
    auto stats = ReadParquetStats(path, "k", {{7, "n", type}});
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    ASSERT_EQ(stats->columns.size(), 1u);
    EXPECT_EQ(stats->columns[0].value_count, 10);
    EXPECT_EQ(stats->columns[0].lower_bound, std::nullopt) << type;
    EXPECT_EQ(stats->columns[0].upper_bound, std::nullopt) << type;
  }
}

// DuckDB keeps 256 bytes of a long string's min and max (the max rounded
// up); the bounds cut from those still hold every value.
TEST(IcebergParquetStats, StatisticsDuckDBTruncatedStillBound) {
  testing::TempDir dir;
  TestDuck duck;
  std::string path = dir.path() + "/long.parquet";
  duck.Run("COPY (SELECT repeat('z', 300) || range AS s FROM range(3)) TO " + Quoted(path) +
           " (FORMAT parquet)");
  ASSERT_EQ(duck.One("SELECT bool_or(max_is_exact) FROM parquet_metadata(" + Quoted(path) + ")"),
            "false");
  auto stats = ReadParquetStats(path, "k", {{1, "s", "string"}});
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  ASSERT_EQ(stats->columns.size(), 1u);
  EXPECT_EQ(stats->columns[0].lower_bound, std::string(16, 'z'));
  EXPECT_EQ(stats->columns[0].upper_bound, std::string(15, 'z') + "{");
}

TEST(IcebergParquetStats, EmptyFileHasNoBounds) {
  testing::TempDir dir;
  TestDuck duck;
  std::string path = dir.path() + "/empty.parquet";
  duck.Run("COPY (SELECT range::INTEGER AS n FROM range(0)) TO " + Quoted(path) +
           " (FORMAT parquet)");
  auto stats = ReadParquetStats(path, "k", {{1, "n", "int"}});
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->record_count, 0);
  ASSERT_EQ(stats->columns.size(), 1u);
  EXPECT_EQ(stats->columns[0].value_count, 0);
  EXPECT_EQ(stats->columns[0].lower_bound, std::nullopt);
}

TEST(IcebergParquetStats, UnreadableFileNamesTheKeyNotThePath) {
  testing::TempDir dir;
  std::string path = dir.path() + "/broken.parquet";
  std::ofstream(path) << "this is not a Parquet file, only some text";
  for (const std::string& p : {path, dir.path() + "/missing.parquet"}) {
    auto stats = ReadParquetStats(p, "data/t/broken.parquet", {{1, "n", "int"}});
    ASSERT_FALSE(stats.ok());
    EXPECT_EQ(stats.status().code(), StatusCode::kIoError);
    EXPECT_NE(stats.status().message().find("data/t/broken.parquet"), std::string::npos)
        << stats.status().message();
    EXPECT_EQ(stats.status().message().find(dir.path()), std::string::npos)
        << stats.status().message();
  }
}

constexpr const char* kLocation = "s3://bucket/data/t/part-0.parquet";

TEST(IcebergPositionDeletes, WritesSortedRowsWithIcebergFieldIds) {
  testing::TempDir dir;
  std::string path = dir.path() + "/deletes.parquet";
  auto size = WritePositionDeleteFile(kLocation, {7, 3, 100}, path);
  ASSERT_TRUE(size.ok()) << size.status().ToString();
  EXPECT_EQ(*size, static_cast<int64_t>(std::filesystem::file_size(path)));
  TestDuck duck;
  using Rows = std::vector<std::vector<std::string>>;
  EXPECT_EQ(duck.Rows("SELECT file_path, pos FROM read_parquet(" + Quoted(path) + ")"),
            (Rows{{kLocation, "3"}, {kLocation, "7"}, {kLocation, "100"}}));
  // DuckDB 1.4 writes every top-level column OPTIONAL (position_deletes.h).
  EXPECT_EQ(duck.Rows("SELECT name, type, field_id, repetition_type FROM parquet_schema(" +
                      Quoted(path) + ") WHERE name <> 'duckdb_schema'"),
            (Rows{{"file_path", "BYTE_ARRAY", "2147483546", "OPTIONAL"},
                  {"pos", "INT64", "2147483545", "OPTIONAL"}}));
  EXPECT_EQ(duck.Rows("SELECT DISTINCT compression FROM parquet_metadata(" + Quoted(path) + ")"),
            (Rows{{"ZSTD"}}));
  // A second write replaces the first.
  ASSERT_TRUE(WritePositionDeleteFile(kLocation, {42}, path).ok());
  EXPECT_EQ(duck.Rows("SELECT file_path, pos FROM read_parquet(" + Quoted(path) + ")"),
            (Rows{{kLocation, "42"}}));
}

TEST(IcebergPositionDeletes, NoPositionsIsAValidEmptyFile) {
  testing::TempDir dir;
  std::string path = dir.path() + "/none.parquet";
  auto size = WritePositionDeleteFile(kLocation, {}, path);
  ASSERT_TRUE(size.ok()) << size.status().ToString();
  TestDuck duck;
  EXPECT_EQ(duck.One("SELECT count(*) FROM read_parquet(" + Quoted(path) + ")"), "0");
  EXPECT_EQ(duck.One("SELECT string_agg(name || ':' || field_id, ',') FROM parquet_schema(" +
                     Quoted(path) + ") WHERE name <> 'duckdb_schema'"),
            "file_path:2147483546,pos:2147483545");
}

TEST(IcebergPositionDeletes, MillionPositions) {
  testing::TempDir dir;
  std::string path = dir.path() + "/many.parquet";
  std::vector<uint64_t> positions;
  for (uint64_t p = 0; p < 1'000'000; ++p) positions.push_back(p * 3);
  auto size = WritePositionDeleteFile(kLocation, positions, path);
  ASSERT_TRUE(size.ok()) << size.status().ToString();
  TestDuck duck;
  EXPECT_EQ(duck.Rows("SELECT count(*), min(pos), max(pos), bool_and(file_path = '" +
                      std::string(kLocation) + "') FROM read_parquet(" + Quoted(path) + ")"),
            (std::vector<std::vector<std::string>>{{"1000000", "0", "2999997", "true"}}));
  // In file order, every position is above the one before.
  EXPECT_EQ(duck.One("SELECT count(*) FROM (SELECT pos - lag(pos) OVER () AS step FROM "
                     "read_parquet(" +
                     Quoted(path) + ")) WHERE step <> 3"),
            "0");
}

TEST(IcebergPositionDeletes, RefusesRepeatsAndPositionsPastLong) {
  testing::TempDir dir;
  std::string path = dir.path() + "/bad.parquet";
  EXPECT_EQ(WritePositionDeleteFile(kLocation, {1, 2, 1}, path).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(WritePositionDeleteFile(kLocation, {1ull << 63}, path).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(path));
}

// A store whose objects have no local path, like S3 or storaged's.
class RemoteLikeStore : public storage::ForwardingObjectStore {
 public:
  using ForwardingObjectStore::ForwardingObjectStore;
  std::optional<std::string> LocalPathOf(std::string_view) const override { return std::nullopt; }
};

class IcebergParquetLocalFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::LocalObjectStore::Open({.root = dir_.path() + "/store"});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    std::string written = dir_.path() + "/written.parquet";
    duck_.Run("COPY (SELECT range::INTEGER AS n FROM range(10)) TO " + Quoted(written) +
              " (FORMAT parquet)");
    ASSERT_TRUE(store_->PutFile(kKey, written, storage::PutMode::kOverwrite).ok());
  }

  static constexpr const char* kKey = "data/t/part-0.parquet";
  testing::TempDir dir_;
  TestDuck duck_;
  std::unique_ptr<storage::LocalObjectStore> store_;
};

TEST_F(IcebergParquetLocalFileTest, LocalStoreLendsItsOwnFile) {
  auto file = OpenLocalParquet(*store_, kKey, dir_.path() + "/scratch");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->path(), store_->LocalPathOf(kKey));
  EXPECT_FALSE(file->temporary());
  auto stats = ReadParquetStats(file->path(), kKey, {{1, "n", "int"}});
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->record_count, 10);
  std::string own = file->path();
  { auto gone = std::move(file).value(); }
  EXPECT_TRUE(std::filesystem::exists(own));  // never the store's file
}

TEST_F(IcebergParquetLocalFileTest, OtherStoresDownloadToATempFileTheHandleRemoves) {
  RemoteLikeStore remote(*store_);
  std::string scratch = dir_.path() + "/scratch";
  std::string temp_path;
  {
    auto file = OpenLocalParquet(remote, kKey, scratch);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    EXPECT_TRUE(file->temporary());
    temp_path = file->path();
    EXPECT_EQ(std::filesystem::path(temp_path).parent_path(), scratch);
    EXPECT_EQ(std::filesystem::file_size(temp_path),
              std::filesystem::file_size(*store_->LocalPathOf(kKey)));
    auto stats = ReadParquetStats(file->path(), kKey, {{1, "n", "int"}});
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    EXPECT_EQ(stats->columns.at(0).upper_bound, "\x09\x00\x00\x00"s);
  }
  EXPECT_FALSE(std::filesystem::exists(temp_path));
  EXPECT_TRUE(std::filesystem::is_empty(scratch));
}

TEST_F(IcebergParquetLocalFileTest, MissingObjectIsNotFoundAndLeavesNothing) {
  RemoteLikeStore remote(*store_);
  std::string scratch = dir_.path() + "/scratch";
  auto remote_file = OpenLocalParquet(remote, "data/t/missing.parquet", scratch);
  EXPECT_EQ(remote_file.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(std::filesystem::is_empty(scratch));
  auto local_file = OpenLocalParquet(*store_, "data/t/missing.parquet", scratch);
  EXPECT_EQ(local_file.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace lakehouse::iceberg
