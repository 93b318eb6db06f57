// Ingest: real job-postings files and made-up bad ones. After every failure
// no version is committed and no data object is left behind.
#include "ingest/ingestor.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testing/embedded_lakehouse.h"

namespace lakehouse::ingest {
namespace {

using catalog::WriteMode;
using nlohmann::json;
using testing::EmbeddedLakehouse;
using testing::ReadFile;
using testing::SharedData;

int64_t CountRows(EmbeddedLakehouse& lake, const std::string& table) {
  auto result = lake.QueryJson("SELECT count(*) FROM " + table);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? json::parse(*result)[0][0].get<int64_t>() : -1;
}

class IngestorTest : public ::testing::Test {
 protected:
  // Asserts the failed ingest left the dataset exactly as it was.
  void ExpectUntouched(const std::string& dataset, std::optional<uint64_t> version,
                       size_t data_objects) {
    auto current = lake_.catalog().GetCurrent(dataset);
    if (version) {
      ASSERT_TRUE(current.ok());
      EXPECT_EQ(current->version, *version);
    } else {
      EXPECT_EQ(current.status().code(), StatusCode::kNotFound);
    }
    EXPECT_EQ(lake_.Keys(catalog::DataFilePrefix(dataset)).size(), data_objects);
    // No scratch leftovers either.
    for (const auto& entry : std::filesystem::directory_iterator(lake_.dir() + "/scratch/ingest")) {
      EXPECT_FALSE(entry.path().filename().string().starts_with("ingest-")) << entry.path();
    }
  }

  EmbeddedLakehouse lake_;
};

TEST_F(IngestorTest, RealPostingsWithQuotedNewlinesAndCrlf) {
  // SOURCES.md: 165 rows and 27 columns, CRLF row ends, multi-line descriptions.
  auto result = lake_.Ingest("postings", ReadFile(SharedData("messy/linkedin_postings_utf8.csv")),
                             Format::kCsv, WriteMode::kAppend, "linkedin_postings_utf8.csv");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows_added, 165u);
  EXPECT_EQ(result->manifest.schema.size(), 27u);
  EXPECT_EQ(result->manifest.schema[0].name, "job_id");
  EXPECT_EQ(CountRows(lake_, "postings"), 165);
  ASSERT_TRUE(result->manifest.source.has_value());
  EXPECT_EQ(result->manifest.source->file_name, "linkedin_postings_utf8.csv");
  EXPECT_EQ(result->manifest.source->sha256.size(), 64u);
}

TEST_F(IngestorTest, NycJobsRowCountMatchesItsSource) {
  // SOURCES.md: 3,977 rows and 18 columns.
  auto result = lake_.Ingest("nyc_jobs", ReadFile(SharedData("messy/NYC_Jobs.csv")));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows_added, 3977u);
  EXPECT_EQ(result->manifest.schema.size(), 18u);
}

TEST_F(IngestorTest, InvalidUtf8IsRefusedNamingTheLine) {
  auto result = lake_.Ingest("cp1252", ReadFile(SharedData("messy/linkedin_postings_cp1252.csv")));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("unicode"), std::string::npos)
      << result.status().message();
  EXPECT_NE(result.status().message().find("ine"), std::string::npos);  // "Line: N"
  ExpectUntouched("cp1252", std::nullopt, 0);
}

TEST_F(IngestorTest, WrongFieldCountNamesTheLine) {
  auto result = lake_.Ingest("bad", "a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n11,12,13\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("4"), std::string::npos) << result.status().message();
  EXPECT_NE(result.status().message().find("upload.csv"), std::string::npos);
  ExpectUntouched("bad", std::nullopt, 0);
}

TEST_F(IngestorTest, EmptyFileIsRefused) {
  auto result = lake_.Ingest("empty", "");
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("empty"), std::string::npos);
  ExpectUntouched("empty", std::nullopt, 0);
}

TEST_F(IngestorTest, OversizedFileIsTooLarge) {
  EmbeddedLakehouse small(1000);
  auto result = small.Ingest("big", std::string(2000, 'x'));
  EXPECT_EQ(result.status().code(), StatusCode::kTooLarge);
  EXPECT_TRUE(small.Keys("data/").empty());
}

TEST_F(IngestorTest, BomSemicolonsAndQuotedNewlinesAreDetected) {
  std::string csv = "\xEF\xBB\xBFid;note\n1;\"first line\nsecond; line\"\n2;plain\n";
  auto result = lake_.Ingest("notes", csv);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows_added, 2u);
  EXPECT_EQ(result->manifest.schema[0].name, "id");  // no BOM in the name
  auto rows = lake_.QueryJson("SELECT note FROM notes ORDER BY id");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(json::parse(*rows)[0][0], "first line\nsecond; line");
}

TEST_F(IngestorTest, JsonLinesAndJsonArrays) {
  auto lines = lake_.Ingest(
      "people", "{\"id\": 1, \"name\": \"Ada\"}\n{\"id\": 2, \"name\": \"Bo\"}\n", Format::kJson);
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  EXPECT_EQ(lines->rows_added, 2u);
  auto array = lake_.Ingest("people", R"([{"id": 3, "name": "Cy"}])", Format::kJson);
  ASSERT_TRUE(array.ok()) << array.status().ToString();
  EXPECT_EQ(array->manifest.version, 2u);
  EXPECT_EQ(CountRows(lake_, "people"), 3);
}

TEST_F(IngestorTest, InvalidJsonIsRefused) {
  auto result = lake_.Ingest("broken", "{\"id\": 1}\n{\"id\": \n", Format::kJson);
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  ExpectUntouched("broken", std::nullopt, 0);
  // DuckDB alone would accept an array cut short after a comma.
  auto cut = lake_.Ingest("broken", R"([{"id": 1}, {"id": 2},)", Format::kJson);
  EXPECT_EQ(cut.status().code(), StatusCode::kInvalidArgument);
  ExpectUntouched("broken", std::nullopt, 0);
}

TEST_F(IngestorTest, ParquetRoundTrip) {
  ASSERT_TRUE(lake_.Ingest("src", "id,v\n1,a\n2,b\n").ok());
  auto file = lake_.catalog().GetCurrent("src")->files[0];
  auto bytes = lake_.store().GetBytes(file.key);
  ASSERT_TRUE(bytes.ok());
  auto result = lake_.Ingest("copy", *bytes, Format::kParquet);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows_added, 2u);
  EXPECT_EQ(lake_.Ingest("notparquet", "id,v\n1,a\n", Format::kParquet).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(IngestorTest, AppendWithOtherColumnsIsUnprocessableAndChangesNothing) {
  ASSERT_TRUE(lake_.Ingest("c", "id,name\n1,a\n").ok());
  auto result = lake_.Ingest("c", "id,title\n2,b\n");
  EXPECT_EQ(result.status().code(), StatusCode::kUnprocessable);
  EXPECT_NE(result.status().message().find("title"), std::string::npos);
  auto fewer = lake_.Ingest("c", "id\n2\n");
  EXPECT_EQ(fewer.status().code(), StatusCode::kUnprocessable);
  ExpectUntouched("c", 1, 1);
}

TEST_F(IngestorTest, CsvAppendIsReadWithTheDatasetsTypes) {
  ASSERT_TRUE(lake_.Ingest("r", "id,rate\n1,45.5\n").ok());
  // "50" alone would sniff as BIGINT; it is read as the dataset's DOUBLE.
  auto widened = lake_.Ingest("r", "id,rate\n2,50\n");
  ASSERT_TRUE(widened.ok()) << widened.status().ToString();
  EXPECT_EQ(widened->manifest.schema[1].type, "DOUBLE");
  // A value that does not fit names its line.
  auto bad = lake_.Ingest("r", "id,rate\n3,60\n4,sixty\n");
  ASSERT_EQ(bad.status().code(), StatusCode::kInvalidArgument) << bad.status().ToString();
  EXPECT_NE(bad.status().message().find("sixty"), std::string::npos) << bad.status().message();
  ExpectUntouched("r", 2, 2);
  EXPECT_EQ(CountRows(lake_, "r"), 2);
}

TEST_F(IngestorTest, JsonAppendWidensOnlyWhereSafe) {
  ASSERT_TRUE(lake_.Ingest("w", R"([{"id": 1, "score": 1.5}])", Format::kJson).ok());
  auto ok = lake_.Ingest("w", R"([{"id": 2, "score": 3}])", Format::kJson);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  auto clash = lake_.Ingest("w", R"([{"id": "x", "score": 1.0}])", Format::kJson);
  EXPECT_EQ(clash.status().code(), StatusCode::kUnprocessable);
  EXPECT_NE(clash.status().message().find("\"id\""), std::string::npos) << clash.status().message();
}

TEST_F(IngestorTest, OverwriteReplacesSchemaAndRows) {
  ASSERT_TRUE(lake_.Ingest("o", "a,b\n1,2\n3,4\n").ok());
  auto result = lake_.Ingest("o", "x\nhello\n", Format::kCsv, WriteMode::kOverwrite);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->manifest.operation, catalog::Operation::kOverwrite);
  EXPECT_EQ(result->manifest.rows, 1u);
  EXPECT_EQ(result->manifest.schema.size(), 1u);
  EXPECT_EQ(CountRows(lake_, "\"o@1\""), 2);
}

TEST_F(IngestorTest, BadDatasetNameIsRefusedBeforeReading) {
  bool read = false;
  IngestRequest request;
  request.dataset = "Bad-Name";
  auto ingestor = Ingestor::Open({lake_.dir() + "/scratch/other"}, lake_.store(), lake_.catalog());
  ASSERT_TRUE(ingestor.ok());
  auto result = (*ingestor)->Ingest(request, [&](const storage::ChunkWriter&) {
    read = true;
    return Status::Ok();
  });
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(read);
}

TEST(FormatTest, FromNamesAndExtensions) {
  EXPECT_EQ(*ParseFormat("csv"), Format::kCsv);
  EXPECT_EQ(*ParseFormat("ndjson"), Format::kJson);
  EXPECT_FALSE(ParseFormat("xlsx").ok());
  EXPECT_EQ(FormatFromFileName("a.PARQUET"), Format::kParquet);
  EXPECT_EQ(FormatFromFileName("a.jsonl"), Format::kJson);
  EXPECT_FALSE(FormatFromFileName("noext").has_value());
}

}  // namespace
}  // namespace lakehouse::ingest
