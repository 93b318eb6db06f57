// What a new user gets wrong in a query, answered clearly by the engine: a
// write is the fence's refusal whatever table it names, a version written
// without its double quotes says how to write it, an as_of pin must name a
// dataset the query reads, and an unknown dataset has one wording.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "query/query_engine.h"
#include "testing/embedded_lakehouse.h"

namespace lakehouse::query {
namespace {

using nlohmann::json;
using testing::EmbeddedLakehouse;

class QueryMistakesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(lake_.Ingest("candidates", "id,name,state\n1,Ada,TX\n2,Bob,CA\n").ok());
    ASSERT_TRUE(lake_.Ingest("candidates", "id,name,state\n3,Cy,TX\n").ok());
    ASSERT_TRUE(lake_.Ingest("clients", "id,name\n1,Acme\n").ok());
  }
  Status Run(const std::string& sql, std::map<std::string, uint64_t> as_of = {}) {
    return lake_.QueryJson(sql, 1000, std::move(as_of)).status();
  }

  EmbeddedLakehouse lake_;
};

constexpr const char* kRefusal = "only one read-only statement (SELECT, EXPLAIN) may run; this is ";

TEST_F(QueryMistakesTest, WritesAreTheFencesRefusalWhetherOrNotTheTableExists) {
  const std::pair<std::string, std::string> writes[] = {
      {"INSERT INTO candidates VALUES (1)", "INSERT"},
      {"INSERT INTO nosuch VALUES (1)", "INSERT"},
      {"DROP TABLE candidates", "DROP"},
      {"DROP TABLE nosuch", "DROP"},
      {"DELETE FROM candidates", "DELETE"},
      {"delete from nosuch where id = 1", "DELETE"},
      {"UPDATE candidates SET x = 1", "UPDATE"},
      {"UPDATE nosuch SET x = 1", "UPDATE"},
      // The statement a WITH leads to is what it is.
      {"WITH x AS (SELECT 1) INSERT INTO candidates SELECT * FROM x", "INSERT"},
      {"WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) "
       "DELETE FROM nosuch WHERE id IN (SELECT n FROM t)",
       "DELETE"},
      // A write after a query is named, not hidden behind the query.
      {"SELECT 1; DROP TABLE nosuch", "DROP (statement 2 of 2)"},
      {"SELECT ';' AS \"x;y\" -- ;\n; UPDATE candidates SET x = 1", "UPDATE (statement 2 of 2)"},
      {"SELECT 'DROP'; SELECT $$;$$; INSERT INTO nosuch VALUES (1)", "INSERT (statement 3 of 3)"},
  };
  for (const auto& [sql, kind] : writes) {
    Status status = Run(sql);
    EXPECT_EQ(status.code(), StatusCode::kPermissionDenied) << sql << ": " << status.ToString();
    EXPECT_EQ(status.message(), kRefusal + kind) << sql;
  }
  // Nothing was written.
  auto rows = lake_.QueryJson("SELECT count(*) FROM candidates");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(json::parse(*rows)[0][0], 3);
}

TEST_F(QueryMistakesTest, AnUnquotedVersionSaysHowToWriteIt) {
  Status version = Run("SELECT count(*) FROM contractors@1");
  EXPECT_EQ(version.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(version.message().find("syntax error at or near \"@\" (line 1, column 33)"),
            std::string::npos)
      << version.ToString();
  EXPECT_NE(version.message().find(R"(write "contractors@1" in double quotes to read version 1)"),
            std::string::npos)
      << version.ToString();

  Status tag = Run("SELECT name\nFROM   candidates@baseline WHERE id = 1");
  EXPECT_NE(tag.message().find("(line 2, column 18)"), std::string::npos) << tag.ToString();
  EXPECT_NE(
      tag.message().find(
          R"(write "candidates@baseline" in double quotes to read the version tag baseline names)"),
      std::string::npos)
      << tag.ToString();

  // Where EXPLAIN is in front, the place is still in the text as written.
  Status explained = Run("EXPLAIN SELECT * FROM candidates@2");
  EXPECT_NE(explained.message().find("(line 1, column 33)"), std::string::npos)
      << explained.ToString();
  EXPECT_NE(explained.message().find(R"(write "candidates@2")"), std::string::npos)
      << explained.ToString();
}

TEST_F(QueryMistakesTest, AnAtInsideQuotesOrAnOtherSyntaxErrorGivesNoVersionHint) {
  for (const std::string sql : {"SELECT 'ada@1' FROM", "SELECT \"a@1\" FROM",
                                "SELECT 1 -- from x@1\n FROM", "SELECT 1 FROM candidates WHERE"}) {
    Status status = Run(sql);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << sql;
    EXPECT_NE(status.message().find("syntax error"), std::string::npos) << status.ToString();
    EXPECT_EQ(status.message().find("double quotes"), std::string::npos) << status.ToString();
  }
  // Quoted, it reads the version.
  auto rows = lake_.QueryJson("SELECT count(*) FROM \"candidates@1\"");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(json::parse(*rows)[0][0], 2);
}

TEST_F(QueryMistakesTest, AsOfMustNameADatasetTheQueryReads) {
  const std::string sql = "SELECT count(*) FROM candidates";
  Status unknown = Run(sql, {{"nosuch", 1}});
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound) << unknown.ToString();
  EXPECT_NE(unknown.message().find(R"(dataset "nosuch" does not exist)"), std::string::npos)
      << unknown.ToString();

  Status unread = Run(sql, {{"candidates", 1}, {"clients", 1}});
  EXPECT_EQ(unread.code(), StatusCode::kInvalidArgument) << unread.ToString();
  EXPECT_NE(unread.message().find(R"("clients")"), std::string::npos) << unread.ToString();
  EXPECT_NE(unread.message().find("does not read it"), std::string::npos) << unread.ToString();

  Status bad_name = Run(sql, {{"Candidates", 1}});
  EXPECT_EQ(bad_name.code(), StatusCode::kInvalidArgument) << bad_name.ToString();

  Status no_version = Run(sql, {{"candidates", 9}});
  EXPECT_EQ(no_version.code(), StatusCode::kNotFound) << no_version.ToString();
  EXPECT_NE(no_version.message().find("has no version 9"), std::string::npos)
      << no_version.ToString();

  // Read anywhere in the query, a pin holds.
  auto pinned = lake_.QueryJson("WITH c AS (SELECT * FROM candidates) SELECT count(*) FROM c", 10,
                                {{"candidates", 1}});
  ASSERT_TRUE(pinned.ok()) << pinned.status().ToString();
  EXPECT_EQ(json::parse(*pinned)[0][0], 2);
}

TEST_F(QueryMistakesTest, AnUnknownDatasetHasOneWording) {
  Status plain = Run("SELECT * FROM nosuch");
  EXPECT_EQ(plain.code(), StatusCode::kNotFound);
  EXPECT_EQ(plain.message(), R"(dataset "nosuch" does not exist)");
  // Not a dataset name at all: the same words, and no DuckDB system view
  // offered in its place.
  Status upper = Run("SELECT * FROM \"Nosuch\"");
  EXPECT_EQ(upper.code(), StatusCode::kNotFound);
  EXPECT_TRUE(upper.message().starts_with(R"(dataset "Nosuch" does not exist)"))
      << upper.ToString();
  EXPECT_EQ(upper.message().find("duckdb"), std::string::npos) << upper.ToString();
  ASSERT_TRUE(lake_.catalog().DeleteDataset("clients").ok());
  EXPECT_EQ(Run("SELECT * FROM clients").message(), R"(dataset "clients" does not exist)");
}

}  // namespace
}  // namespace lakehouse::query
