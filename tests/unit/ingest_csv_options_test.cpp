// The CSV options of an ingest (encoding, skip, null, date formats), the one-line retelling of
// DuckDB's CSV errors, the refusal of an append of the same bytes, and the ingest route's
// query string.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ingest/ingestor.h"
#include "server/ingest_params.h"
#include "testing/embedded_lakehouse.h"

namespace lakehouse::ingest {
namespace {

using nlohmann::json;
using testing::EmbeddedLakehouse;
using testing::ReadFile;
using testing::SharedData;

IngestRequest Csv(const std::string& dataset) {
  IngestRequest request;
  request.dataset = dataset;
  return request;
}

class CsvOptionsTest : public ::testing::Test {
 protected:
  json Rows(const std::string& sql) {
    auto result = lake_.QueryJson(sql);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? json::parse(*result) : json();
  }
  EmbeddedLakehouse lake_;
};

const std::string kLatin1 = "id,name,city\n1,Jos\xe9,M\xfcnchen\n2,Ana,Lyon\n";

TEST_F(CsvOptionsTest, Latin1WithoutTheOptionIsOneLineNamingThePlaceAndTheOption) {
  auto result = lake_.IngestWith(Csv("people"), kLatin1);
  ASSERT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  const std::string& message = result.status().message();
  EXPECT_NE(message.find("line 2, byte 6 (0xE9) is not UTF-8"), std::string::npos) << message;
  EXPECT_NE(message.find("encoding=latin-1"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.find("Original Line"), std::string::npos) << message;
}

TEST_F(CsvOptionsTest, Latin1IsTranscodedEvenWhenCharactersArriveByteByByte) {
  IngestRequest request = Csv("people");
  request.encoding = "ISO-8859-1";
  ASSERT_TRUE(lake_.IngestWith(request, kLatin1, 1).ok());
  EXPECT_EQ(Rows("SELECT name, city FROM people ORDER BY id")[0], json({"José", "München"}));
}

TEST_F(CsvOptionsTest, Utf16SplitBetweenPiecesIsReassembled) {
  std::string utf16 = "\xff\xfe";  // a little-endian BOM
  for (char16_t c : std::u16string(u"id,name\n1,Zoë\n2,Łukasz\n")) {
    utf16 += static_cast<char>(c & 0xff);
    utf16 += static_cast<char>(c >> 8);
  }
  IngestRequest request = Csv("u16");
  request.encoding = "utf-16";
  ASSERT_TRUE(lake_.IngestWith(request, utf16, 3).ok());
  EXPECT_EQ(Rows("SELECT name FROM u16 ORDER BY id"), json({{"Zoë"}, {"Łukasz"}}));
}

TEST_F(CsvOptionsTest, AByteTheEncodingLacksNamesItsLine) {
  IngestRequest request = Csv("w");
  request.encoding = "cp1252";
  auto result = lake_.IngestWith(request, "id,name\n1,a\n2,b\x81\n");
  ASSERT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("line 3 holds byte 0x81"), std::string::npos)
      << result.status().message();
  EXPECT_EQ(lake_.catalog().GetCurrent("w").status().code(), StatusCode::kNotFound);
}

TEST_F(CsvOptionsTest, RealWindows1252PostingsIngestWithTheirEncoding) {
  LAKEHOUSE_NEED_TEST_DATA("messy/linkedin_postings_cp1252.csv");
  IngestRequest request = Csv("cp1252");
  request.encoding = "windows-1252";
  auto result =
      lake_.IngestWith(request, ReadFile(SharedData("messy/linkedin_postings_cp1252.csv")));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows_added, 165u);
}

TEST_F(CsvOptionsTest, SkipDropsNotesAndErrorsStillCountTheirLines) {
  IngestRequest request = Csv("pre");
  request.skip_lines = 2;
  ASSERT_TRUE(
      lake_.IngestWith(request, "Exported by ATS\nOn 2026-12-01\nid;name\n1;a\n2;b\n").ok());
  EXPECT_EQ(Rows("SELECT name FROM pre ORDER BY id"), json({{"a"}, {"b"}}));

  auto ragged = lake_.IngestWith(request, "notes\nmore notes\nid,name\n1,a\n2,b,c\n");
  EXPECT_NE(ragged.status().message().find("line 5 has 3 fields but line 3 has 2"),
            std::string::npos)
      << ragged.status().message();
  auto short_file = lake_.IngestWith(request, "only one line\n");
  EXPECT_NE(short_file.status().message().find("skip=2 but the file has only 1 lines"),
            std::string::npos)
      << short_file.status().message();
}

TEST_F(CsvOptionsTest, NotesAboveTheHeaderSuggestSkip) {
  auto result = lake_.IngestWith(Csv("pre"), "Exported by ATS\nOn 2026\nid,name\n1,a\n2,b\n3,c\n");
  EXPECT_NE(result.status().message().find("send skip=2"), std::string::npos)
      << result.status().message();
  // Rows with a field too many are no notes.
  auto extra = lake_.IngestWith(Csv("extra"), "id,name\n1,a\n2,b,c\n");
  EXPECT_EQ(extra.status().message().find("skip="), std::string::npos) << extra.status().message();
}

TEST_F(CsvOptionsTest, NullStringAndDateFormatAreApplied) {
  IngestRequest request = Csv("t");
  request.null_string = "NA";
  request.date_format = "%d/%m/%Y";
  ASSERT_TRUE(lake_.IngestWith(request, "id,pay,start\n1,NA,31/12/2024\n2,5,01/02/2025\n").ok());
  EXPECT_EQ(Rows("SELECT pay, CAST(start AS VARCHAR) FROM t ORDER BY id"),
            json({{nullptr, "2024-12-31"}, {5, "2025-02-01"}}));
}

TEST_F(CsvOptionsTest, BadOptionsAreRefusedNamingThem) {
  struct Case {
    std::function<void(IngestRequest&)> set;
    std::string says;
  };
  const std::vector<Case> cases = {
      {[](IngestRequest& r) { r.encoding = "ebcdic"; }, "encoding \"ebcdic\""},
      {[](IngestRequest& r) { r.date_format = "%Q"; }, "dateformat \"%Q\""},
      {[](IngestRequest& r) { r.date_format = "no specifier"; }, "no % specifier"},
      {[](IngestRequest& r) { r.timestamp_format = "%Y-%"; }, "timestampformat"},
      {[](IngestRequest& r) { r.delimiter = '"'; }, "delimiter cannot be a quote"},
      {[](IngestRequest& r) { r.null_string = "a\nb"; }, "null must be"},
      {[](IngestRequest& r) { r.skip_lines = 2000000; }, "skip must be at most"},
      {[](IngestRequest& r) {
         r.format = Format::kJson;
         r.skip_lines = 1;
       },
       "CSV uploads only"},
  };
  for (const Case& c : cases) {
    IngestRequest request = Csv("bad");
    c.set(request);
    auto result = lake_.IngestWith(request, "id\n1\n");
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << c.says;
    EXPECT_NE(result.status().message().find(c.says), std::string::npos)
        << result.status().message();
  }
  EXPECT_EQ(lake_.catalog().GetCurrent("bad").status().code(), StatusCode::kNotFound);
}

TEST_F(CsvOptionsTest, ConversionErrorsAreOneLineWithTheColumnValueAndOption) {
  ASSERT_TRUE(lake_.IngestWith(Csv("h"), "id,pay\n1,10\n").ok());
  auto result = lake_.IngestWith(Csv("h"), "id,pay\n2,abc\n");
  ASSERT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  const std::string& message = result.status().message();
  EXPECT_NE(message.find("line 2: column \"pay\" holds \"abc\", which is not a BIGINT"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("send null=abc"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.find("ignore_errors"), std::string::npos) << message;
}

TEST_F(CsvOptionsTest, AppendOfTheSameBytesIsAConflictUnlessForced) {
  const std::string file = "id,name\n1,a\n2,b\n";
  ASSERT_TRUE(lake_.IngestWith(Csv("c"), file).ok());
  auto again = lake_.IngestWith(Csv("c"), file);
  ASSERT_EQ(again.status().code(), StatusCode::kConflict);
  EXPECT_NE(again.status().message().find("version 1 of c"), std::string::npos)
      << again.status().message();
  EXPECT_NE(again.status().message().find("force=true"), std::string::npos);
  EXPECT_EQ(lake_.catalog().GetCurrent("c")->version, 1u);

  IngestRequest forced = Csv("c");
  forced.force = true;
  ASSERT_TRUE(lake_.IngestWith(forced, file).ok());
  EXPECT_EQ(Rows("SELECT count(*) FROM c")[0][0], 4);
  // Other bytes, an overwrite or an upsert of the same bytes are no repeat.
  EXPECT_TRUE(lake_.IngestWith(Csv("c"), "id,name\n3,c\n").ok());
  IngestRequest overwrite = Csv("c");
  overwrite.mode = catalog::WriteMode::kOverwrite;
  EXPECT_TRUE(lake_.IngestWith(overwrite, file).ok());
  IngestRequest upsert = Csv("c");
  upsert.key = {"id"};
  EXPECT_TRUE(lake_.IngestWith(upsert, file).ok());
}

TEST_F(CsvOptionsTest, AppendWithAnotherFieldCountNamesTheLineAndTheColumns) {
  ASSERT_TRUE(lake_.IngestWith(Csv("h"), "id,hired,pay\n1,2024-01-02,10\n").ok());
  auto result = lake_.IngestWith(Csv("h"), "id,hired,pay,bonus\n2,2024-01-03,11,1\n");
  ASSERT_EQ(result.status().code(), StatusCode::kUnprocessable);
  const std::string& message = result.status().message();
  EXPECT_NE(message.find("line 1 of the file has 4 fields (id, hired, pay, bonus)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("not in the dataset: bonus"), std::string::npos) << message;
  EXPECT_NE(message.find("schema=evolve"), std::string::npos) << message;
}

httplib::Request Query(std::initializer_list<std::pair<std::string, std::string>> params) {
  httplib::Request request;
  for (const auto& [name, value] : params) request.params.emplace(name, value);
  return request;
}

TEST(IngestParamsTest, EveryOptionIsRead) {
  auto parsed = server::IngestRequestFromQuery(Query({{"delimiter", "tab"},
                                                      {"header", "false"},
                                                      {"null", "NA"},
                                                      {"encoding", "Latin1"},
                                                      {"skip", "2"},
                                                      {"dateformat", "%d.%m.%Y"},
                                                      {"timestampformat", "%d.%m.%Y %H:%M"},
                                                      {"force", "true"}}),
                                               "people");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->delimiter, '\t');
  EXPECT_EQ(parsed->header, false);
  EXPECT_EQ(parsed->null_string, "NA");
  EXPECT_EQ(parsed->encoding, "latin-1");
  EXPECT_EQ(parsed->skip_lines, 2u);
  EXPECT_EQ(parsed->date_format, "%d.%m.%Y");
  EXPECT_EQ(parsed->timestamp_format, "%d.%m.%Y %H:%M");
  EXPECT_TRUE(parsed->force);
}

TEST(IngestParamsTest, BadParametersAreRefusedNamingThem) {
  const std::vector<std::pair<httplib::Request, std::string>> cases = {
      {Query({{"delimter", ";"}}), "unknown parameter \"delimter\""},
      {Query({{"skip", "-1"}}), "skip must be a non-negative integer"},
      {Query({{"skip", "2x"}}), "skip must be a non-negative integer"},
      {Query({{"force", "yes"}}), "force must be true or false"},
      {Query({{"header", "1"}}), "header must be true or false"},
      {Query({{"delimiter", ";;"}}), "delimiter must be one character"},
      {Query({{"encoding", "klingon"}}), "accepted: utf-8, latin-1"},
      {Query({{"format", "json"}, {"null", "NA"}}), "CSV uploads only"},
  };
  for (const auto& [request, says] : cases) {
    auto parsed = server::IngestRequestFromQuery(request, "people");
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << says;
    EXPECT_NE(parsed.status().message().find(says), std::string::npos) << parsed.status().message();
  }
}

}  // namespace
}  // namespace lakehouse::ingest
