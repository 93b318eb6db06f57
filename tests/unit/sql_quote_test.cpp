// SQL quoting without DuckDB: quotes doubled, every other byte copied.
#include "common/sql_quote.h"

#include <gtest/gtest.h>

#include <string>

namespace lakehouse {
namespace {

TEST(SqlQuoteTest, StringLiterals) {
  EXPECT_EQ(SqlString(""), "''");
  EXPECT_EQ(SqlString("plain"), "'plain'");
  EXPECT_EQ(SqlString("it's"), "'it''s'");
  EXPECT_EQ(SqlString("''"), "''''''");
  // The other quote is not special inside a literal.
  EXPECT_EQ(SqlString("say \"hi\""), "'say \"hi\"'");
  EXPECT_EQ(SqlString("back\\slash"), "'back\\slash'");
}

TEST(SqlQuoteTest, Identifiers) {
  EXPECT_EQ(SqlIdentifier(""), "\"\"");
  EXPECT_EQ(SqlIdentifier("sales@3"), "\"sales@3\"");
  EXPECT_EQ(SqlIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(SqlIdentifier("it's"), "\"it's\"");
}

// NUL is copied, not refused or dropped: callers that hand the text to a C
// API check for it themselves.
TEST(SqlQuoteTest, NulIsCopiedAsIs) {
  const std::string with_nul("a\0b", 3);
  EXPECT_EQ(SqlString(with_nul), std::string("'a\0b'", 5));
  EXPECT_EQ(SqlIdentifier(with_nul), std::string("\"a\0b\"", 5));
}

TEST(SqlQuoteTest, NonAsciiBytesAreCopied) {
  EXPECT_EQ(SqlString("caf\xC3\xA9"), "'caf\xC3\xA9'");
  EXPECT_EQ(SqlIdentifier("\xFF"), "\"\xFF\"");
}

}  // namespace
}  // namespace lakehouse
