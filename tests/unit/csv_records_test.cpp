// The CSV record scanner: records and field counts as an RFC 4180 reader
// sees them, and the line of the first record that breaks ranks.
#include "ingest/csv_records.h"

#include <gtest/gtest.h>

namespace lakehouse::ingest {
namespace {

CsvShape Scan(std::string_view text, CsvDialect dialect = {}, size_t piece = 7) {
  CsvRecordScanner scanner(dialect);
  for (size_t at = 0; at < text.size(); at += piece) {
    if (!scanner.Feed(text.substr(at, piece))) break;
  }
  return scanner.Finish();
}

TEST(CsvRecordsTest, CountsRecordsAndFields) {
  CsvShape shape = Scan("id,name,rate\n1,Ann,50\n2,Bob,60\n");
  EXPECT_EQ(shape.records, 3u);
  ASSERT_TRUE(shape.first);
  EXPECT_EQ(shape.first->fields, 3u);
  EXPECT_FALSE(shape.ragged);
}

TEST(CsvRecordsTest, ExtraFieldOnTheLastLineWithoutNewlineIsFound) {
  CsvShape shape = Scan("id,name,rate\n1,Ann,50\n2,Bob,60\n3,Cy,70,oops");
  ASSERT_TRUE(shape.ragged);
  EXPECT_EQ(shape.ragged->line, 4u);
  EXPECT_EQ(shape.ragged->fields, 4u);
}

TEST(CsvRecordsTest, QuotedDelimitersNewlinesAndDoubledQuotesStayInTheirField) {
  CsvShape shape = Scan("a,b\n1,\"x, y\nz \"\"q\"\", w\"\n2,\"\"\n3,plain\n");
  EXPECT_EQ(shape.records, 4u);
  EXPECT_FALSE(shape.ragged);
  // Lines are physical lines: the record after the quoted newline starts on 4.
  CsvShape ragged = Scan("a,b\n1,\"x\ny\"\n2,3,4\n");
  ASSERT_TRUE(ragged.ragged);
  EXPECT_EQ(ragged.ragged->line, 4u);
}

TEST(CsvRecordsTest, QuoteInsideAnUnquotedFieldIsLiteral) {
  CsvShape shape = Scan("h,w\n5'10\",x\n6,y\n");
  EXPECT_EQ(shape.records, 3u);
  EXPECT_FALSE(shape.ragged);
}

TEST(CsvRecordsTest, CrLfAndLoneCrEndRecordsAndBlankLinesAreNotRecords) {
  CsvShape crlf = Scan("a,b\r\n1,2\r\n\r\n3,4\r\n");
  EXPECT_EQ(crlf.records, 3u);
  EXPECT_FALSE(crlf.ragged);
  CsvShape cr = Scan("a,b\r1,2\r3\r");
  ASSERT_TRUE(cr.ragged);
  EXPECT_EQ(cr.ragged->line, 3u);
  CsvShape blank = Scan("\n\na,b\n\n1,2,3\n");
  EXPECT_EQ(blank.first->line, 3u);
  EXPECT_EQ(blank.ragged->line, 5u);
}

TEST(CsvRecordsTest, BackslashEscapeAndNoQuoteDialects) {
  CsvDialect backslash{',', '"', '\\'};
  EXPECT_EQ(Scan("a,b\n1,\"x\\\",y\"\n", backslash).records, 2u);
  EXPECT_FALSE(Scan("a,b\n1,\"x\\\",y\"\n", backslash).ragged);
  CsvDialect unquoted{';', std::nullopt, std::nullopt};
  EXPECT_FALSE(Scan("a;b\n\"1;2\";3\n", CsvDialect{';', '"', '"'}).ragged);
  CsvShape shape = Scan("a;b\n\"1;2\";3\n", unquoted);
  ASSERT_TRUE(shape.ragged);  // without quoting, "1 and 2" are two fields
  EXPECT_EQ(shape.ragged->fields, 3u);
}

TEST(CsvRecordsTest, SplittingIntoPiecesChangesNothing) {
  std::string text = "a,\"b\r\nc\",d\r\n1,\"\"\"\",3\r\n4,5,6,7\r\n";
  for (size_t piece : {1u, 2u, 3u, 5u, 64u}) {
    CsvShape shape = Scan(text, {}, piece);
    ASSERT_TRUE(shape.ragged) << piece;
    EXPECT_EQ(shape.ragged->line, 4u) << piece;
  }
}

}  // namespace
}  // namespace lakehouse::ingest
