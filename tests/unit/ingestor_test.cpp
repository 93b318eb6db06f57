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
  LAKEHOUSE_NEED_TEST_DATA("messy/linkedin_postings_utf8.csv");
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
  LAKEHOUSE_NEED_TEST_DATA("messy/NYC_Jobs.csv");
  // SOURCES.md: 3,977 rows and 18 columns.
  auto result = lake_.Ingest("nyc_jobs", ReadFile(SharedData("messy/NYC_Jobs.csv")));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows_added, 3977u);
  EXPECT_EQ(result->manifest.schema.size(), 18u);
}

TEST_F(IngestorTest, InvalidUtf8IsRefusedNamingTheLine) {
  LAKEHOUSE_NEED_TEST_DATA("messy/linkedin_postings_cp1252.csv");
  auto result = lake_.Ingest("cp1252", ReadFile(SharedData("messy/linkedin_postings_cp1252.csv")));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("is not UTF-8"), std::string::npos)
      << result.status().message();
  EXPECT_NE(result.status().message().find("encoding=windows-1252"), std::string::npos);
  EXPECT_EQ(result.status().message().find('\n'), std::string::npos);
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

std::string Repeat(std::string_view piece, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += piece;
  return out;
}

// A JSON shape DuckDB must never see: 422 naming the limit and the place.
void ExpectShapeRefused(const Result<IngestResult>& result, const std::string& place) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnprocessable) << result.status().ToString();
  EXPECT_NE(result.status().message().find(place), std::string::npos) << result.status().message();
}

TEST_F(IngestorTest, DeeplyNestedJsonObjectIsRefusedBeforeDuckDbReadsIt) {
  auto result = lake_.Ingest("deep", Repeat("{\"a\":", 10000) + "1" + Repeat("}", 10000),
                             Format::kJson, WriteMode::kAppend, "deep.json");
  ExpectShapeRefused(result,
                     "deep.json as JSON: JSON nested deeper than 64 levels at line 1, "
                     "byte 321");
  ExpectUntouched("deep", std::nullopt, 0);
}

TEST_F(IngestorTest, DeeplyNestedJsonArrayIsRefused) {
  auto result = lake_.Ingest("deep", Repeat("[", 10000) + Repeat("]", 10000), Format::kJson);
  ExpectShapeRefused(result, "deeper than 64 levels at line 1, byte 65");
  ExpectUntouched("deep", std::nullopt, 0);
}

TEST_F(IngestorTest, DeepNestingOnTheSecondNdjsonLineNamesThatLine) {
  ASSERT_TRUE(lake_.Ingest("deep", "{\"a\": 0}\n", Format::kJson).ok());
  std::string second = "{\"a\": " + Repeat("[", 5000) + Repeat("]", 5000) + "}\n";
  auto result = lake_.Ingest("deep", "{\"a\": 1}\n" + second, Format::kJson);
  ExpectShapeRefused(result, "at line 2, byte " + std::to_string(9 + 6 + 64));
  ExpectUntouched("deep", 1, 1);
}

TEST_F(IngestorTest, ModeratelyNestedJsonIngestsWithItsStructure) {
  // Twenty levels of objects and arrays, well inside the bound.
  std::string inner = "{\"leaf\": 42}";
  for (int level = 0; level < 10; ++level) inner = "{\"l\": [" + inner + "]}";
  std::string lines;
  for (int id = 0; id < 3; ++id) {
    lines += "{\"id\": " + std::to_string(id) + ", \"tree\": " + inner + "}\n";
  }
  auto result = lake_.Ingest("tree", lines, Format::kJson);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows_added, 3u);
  ASSERT_EQ(result->manifest.schema.size(), 2u);
  const std::string& type = result->manifest.schema[1].type;
  EXPECT_TRUE(type.starts_with("STRUCT(l STRUCT(l ")) << type;
  EXPECT_NE(type.find("leaf BIGINT"), std::string::npos) << type;
}

TEST_F(IngestorTest, BracketsInsideJsonStringsAreNotNesting) {
  std::string text = Repeat("[{", 3000) + "\\\"" + Repeat("}]", 10);
  auto result = lake_.Ingest("strings", "[{\"id\": 1, \"text\": \"" + text + "\"}]", Format::kJson);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows_added, 1u);
  auto rows = lake_.QueryJson("SELECT length(text) FROM strings");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(json::parse(*rows)[0][0], 6000 + 1 + 20);
}

TEST_F(IngestorTest, OverlongJsonKeyIsRefused) {
  auto result = lake_.Ingest(
      "keys", "{\"id\": 1}\n{\"" + std::string(kMaxIngestJsonKeyBytes + 1, 'k') + "\": 1}\n",
      Format::kJson);
  ExpectShapeRefused(result, "key longer than 4096 bytes at line 2, byte 12");
  ExpectUntouched("keys", std::nullopt, 0);
}

TEST_F(IngestorTest, TooManyDistinctJsonKeysAreRefused) {
  std::string lines;
  for (size_t i = 0; i <= kMaxIngestJsonKeys; ++i) lines += "{\"k" + std::to_string(i) + "\": 1}\n";
  auto result = lake_.Ingest("keys", lines, Format::kJson);
  ExpectShapeRefused(result, "more than 50000 distinct keys at line 50001");
  ExpectUntouched("keys", std::nullopt, 0);
}

TEST_F(IngestorTest, ExtraFieldOnTheLastCsvRowIsAnErrorNotAReinterpretation) {
  // DuckDB's sniffer alone takes this for a header-less file of its last row.
  auto result = lake_.Ingest("rates", "id,name,rate\n1,Ann,50\n2,Bob,60\n3,Cy,70,oops\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(),
            "cannot read upload.csv as CSV: line 4 has 4 fields but line 1 has 3 (every row "
            "needs as many fields as the first)");
  ExpectUntouched("rates", std::nullopt, 0);
}

TEST_F(IngestorTest, TwoHundredRowsWithABadLastLineAreRefused) {
  std::string csv = "id,name,rate\n";
  for (int i = 1; i <= 200; ++i) csv += std::to_string(i) + ",n" + std::to_string(i) + ",1.5\n";
  csv += "201,x,2,extra\n";
  auto result = lake_.Ingest("many", csv);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("line 202 has 4 fields"), std::string::npos)
      << result.status().message();
  ExpectUntouched("many", std::nullopt, 0);
}

TEST_F(IngestorTest, HeaderWiderThanItsRowsNamesTheFirstRow) {
  auto result = lake_.Ingest("wide", "id,name,rate,extra\n1,Ann,50\n2,Bob,60\n");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("line 2 has 3 fields but line 1 has 4"),
            std::string::npos)
      << result.status().message();
}

TEST_F(IngestorTest, LinesBeforeTheHeaderAreNotSkippedSilently) {
  auto result = lake_.Ingest("preamble", "Exported from somewhere\nid,name\n1,a\n2,b\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("line 2 has 2 fields but line 1 has 1"),
            std::string::npos)
      << result.status().message();
}

TEST_F(IngestorTest, CsvAppendWithADifferentFieldCountNamesTheLine) {
  ASSERT_TRUE(lake_.Ingest("app", "id,name\n1,a\n").ok());
  auto wider = lake_.Ingest("app", "id,name\n2,b\n3,c,d\n4,e\n");
  ASSERT_FALSE(wider.ok());
  EXPECT_EQ(wider.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wider.status().message().find("line 3 has 3 fields"), std::string::npos)
      << wider.status().message();
  auto narrower = lake_.Ingest("app", "id,name\n2,b\n3,c\n4\n");
  ASSERT_FALSE(narrower.ok());
  EXPECT_NE(narrower.status().message().find("line 4 has 1 fields"), std::string::npos)
      << narrower.status().message();
  ExpectUntouched("app", 1, 1);
  EXPECT_EQ(CountRows(lake_, "app"), 1);
}

TEST_F(IngestorTest, HeaderlessCsvKeepsEveryRow) {
  auto result = lake_.Ingest("plain", "1,2.5,x\n2,3.5,y\n3,4.5,z\n");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows_added, 3u);
  EXPECT_EQ(result->manifest.schema.size(), 3u);
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
