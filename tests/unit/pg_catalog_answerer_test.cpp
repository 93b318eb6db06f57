// The catalog answerer: which statements it takes, its rewrite, what it answers, and its fence.
#include "pgwire/catalog_answerer.h"

#include <gtest/gtest.h>

#include "testing/embedded_lakehouse.h"

namespace lakehouse::pgwire {
namespace {

using testing::EmbeddedLakehouse;
using Rows = std::vector<std::vector<std::string>>;

TEST(PgCatalogRoutingTest, CatalogNamesAndFunctionsRouteDatasetQueriesDoNot) {
  EXPECT_TRUE(RoutesToCatalog("SELECT * FROM pg_catalog.pg_class"));
  EXPECT_TRUE(RoutesToCatalog("select relname from PG_CLASS"));
  EXPECT_TRUE(RoutesToCatalog("SELECT * FROM information_schema.tables"));
  EXPECT_TRUE(RoutesToCatalog("SELECT pg_backend_pid()"));
  EXPECT_TRUE(RoutesToCatalog("SELECT has_table_privilege('x', 'SELECT')"));
  EXPECT_TRUE(RoutesToCatalog("SELECT format_type(23, -1)"));
  EXPECT_TRUE(RoutesToCatalog("SELECT * FROM \"pg_namespace\""));
  EXPECT_FALSE(RoutesToCatalog("SELECT count(*) FROM candidates"));
  EXPECT_FALSE(RoutesToCatalog("SELECT count(*) FROM \"candidates@3\""));
  // version(), current_database() and current_schema() are the engine's too.
  EXPECT_FALSE(RoutesToCatalog("SELECT version(), current_database(), current_schema()"));
  // Names in literals and comments are not references.
  EXPECT_FALSE(RoutesToCatalog("SELECT 'pg_class' FROM candidates -- pg_class"));
  EXPECT_FALSE(RoutesToCatalog("SELECT 1 /* information_schema.tables */"));
}

TEST(PgCatalogRewriteTest, PsqlsOperatorsCollationsAndQualifiersBecomeDuckDbs) {
  EXPECT_EQ(RewriteCatalogSql("SELECT 1 FROM pg_catalog.pg_class c WHERE c.relname "
                              "OPERATOR(pg_catalog.~) '^(jobs)$' COLLATE pg_catalog.default"),
            "SELECT 1 FROM pg_class c WHERE c.relname  ~  '(?s).*(?:^(jobs)$).*' ");
  EXPECT_EQ(RewriteCatalogSql("SELECT * FROM information_schema.columns"),
            "SELECT * FROM lh_information_schema.columns");
  // PostgreSQL's ~ finds a match anywhere; DuckDB's must match the whole text.
  EXPECT_EQ(RewriteCatalogSql("WHERE n.nspname !~ '^pg_'"),
            "WHERE n.nspname !~ '(?s).*(?:^pg_).*'");
  EXPECT_EQ(RewriteCatalogSql("WHERE name ~* 'ab'"), "WHERE name ~ '(?is).*(?:ab).*'");
  EXPECT_EQ(RewriteCatalogSql("SELECT 'candidates'::regclass"),
            "SELECT (SELECT oid FROM pg_class WHERE relname = 'candidates')");
  EXPECT_EQ(RewriteCatalogSql("SELECT c.oid::pg_catalog.regclass"), "SELECT c.oid::INTEGER");
  // Quoted text is left as written.
  EXPECT_EQ(RewriteCatalogSql("SELECT 'pg_catalog.x', \"information_schema.y\""),
            "SELECT 'pg_catalog.x', \"information_schema.y\"");
}

class PgCatalogAnswererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(lake_.Ingest("jobs", "id,title,rate,opened\n1,Nurse,80.5,2024-01-02\n").ok());
    ASSERT_TRUE(lake_.Ingest("candidates", "id,name\n1,Ada\n").ok());
    auto answerer = CatalogAnswerer::Open(lake_.catalog(), {});
    ASSERT_TRUE(answerer.ok()) << answerer.status().ToString();
    answerer_ = std::move(*answerer);
  }

  Result<Rows> Answer(const std::string& sql, std::vector<std::optional<std::string>> params = {}) {
    query::QueryRequest request;
    request.sql = sql;
    request.params = std::move(params);
    LH_ASSIGN_OR_RETURN(auto cursor, answerer_->Execute(request));
    query::TextRows text;
    LH_ASSIGN_OR_RETURN(bool more, cursor->NextText(text));
    (void)more;
    Rows rows;
    for (size_t r = 0; r < text.rows(); ++r) {
      rows.emplace_back();
      for (size_t c = 0; c < text.columns; ++c) {
        rows.back().push_back(text.null(r, c) ? "NULL" : std::string(text.cell(r, c)));
      }
    }
    return rows;
  }

  EmbeddedLakehouse lake_;
  std::unique_ptr<CatalogAnswerer> answerer_;
};

TEST_F(PgCatalogAnswererTest, PsqlsListOfTablesNamesEachDataset) {
  // psql 15's \dt, as it sends it.
  auto rows = Answer(R"(SELECT n.nspname as "Schema", c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','')
      AND n.nspname <> 'pg_catalog'
      AND n.nspname !~ '^pg_toast'
      AND n.nspname <> 'information_schema'
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1,2;)");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (Rows{{"public", "candidates", "table", "lakehouse"},
                         {"public", "jobs", "table", "lakehouse"}}));
}

TEST_F(PgCatalogAnswererTest, ColumnsHaveTheTypesResultsAreAnnouncedWith) {
  auto rows = Answer(
      "SELECT a.attname, a.atttypid, pg_catalog.format_type(a.atttypid, a.atttypmod) "
      "FROM pg_catalog.pg_attribute a WHERE a.attrelid = "
      "'jobs'::pg_catalog.regclass AND a.attnum > 0 ORDER BY a.attnum");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (Rows{{"id", "20", "bigint"},
                         {"title", "25", "text"},
                         {"rate", "701", "double precision"},
                         {"opened", "1082", "date"}}));
  auto info = Answer(
      "SELECT column_name, data_type FROM information_schema.columns "
      "WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
      {"candidates"});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(*info, (Rows{{"id", "bigint"}, {"name", "text"}}));
}

TEST_F(PgCatalogAnswererTest, ANewDatasetAppearsAtTheNextStatement) {
  ASSERT_TRUE(lake_.Ingest("clients", "id\n1\n").ok());
  auto rows = Answer("SELECT table_name FROM information_schema.tables ORDER BY 1");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (Rows{{"candidates"}, {"clients"}, {"jobs"}}));
}

TEST_F(PgCatalogAnswererTest, SessionFunctionsAnswerAsPostgreSQL) {
  auto rows = Answer(
      "SELECT version(), current_database(), current_schema(), pg_backend_pid() > 0, "
      "has_table_privilege('jobs', 'SELECT')");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_TRUE((*rows)[0][0].starts_with("PostgreSQL 15.0 (Lakehouse ")) << (*rows)[0][0];
  EXPECT_EQ((*rows)[0][1], "lakehouse");
  EXPECT_EQ((*rows)[0][2], "public");
  EXPECT_EQ((*rows)[0][3], "t");
  EXPECT_EQ((*rows)[0][4], "t");
}

TEST_F(PgCatalogAnswererTest, TheSideDatabaseReadsNoFileAndChangesNothing) {
  auto file = Answer("SELECT * FROM read_csv('/etc/passwd'), pg_class");
  EXPECT_EQ(file.status().code(), StatusCode::kPermissionDenied) << file.status().ToString();
  auto text = Answer("SELECT pg_backend_pid(), content FROM read_text('/etc/hostname')");
  EXPECT_EQ(text.status().code(), StatusCode::kPermissionDenied) << text.status().ToString();
  auto glob = Answer("SELECT pg_backend_pid(), file FROM glob('/etc/*')");
  EXPECT_EQ(glob.status().code(), StatusCode::kPermissionDenied) << glob.status().ToString();
  auto drop = Answer("DROP TABLE pg_class");
  EXPECT_EQ(drop.status().code(), StatusCode::kPermissionDenied) << drop.status().ToString();
  auto two = Answer("DROP TABLE pg_class; SELECT 1 FROM pg_class");
  EXPECT_FALSE(two.ok());
  auto set = Answer("SET enable_external_access = true");
  EXPECT_FALSE(set.ok());
  auto attach = Answer("ATTACH '/tmp/x.db' AS x");
  EXPECT_FALSE(attach.ok());
  auto still = Answer("SELECT count(*) FROM pg_class");
  ASSERT_TRUE(still.ok()) << still.status().ToString();
  EXPECT_EQ(*still, (Rows{{"2"}}));
}

TEST_F(PgCatalogAnswererTest, ADatasetBesideCatalogTablesIsRefusedNotReadEmpty) {
  auto mixed = Answer("SELECT count(*) FROM pg_class, jobs");
  EXPECT_EQ(mixed.status().code(), StatusCode::kUnprocessable) << mixed.status().ToString();
  auto version = Answer("SELECT relname FROM pg_class, \"jobs@1\"");
  EXPECT_EQ(version.status().code(), StatusCode::kUnprocessable) << version.status().ToString();
}

TEST_F(PgCatalogAnswererTest, DescribeGivesColumnsAndParameters) {
  query::QueryRequest request;
  request.sql = "SELECT relname, oid FROM pg_class WHERE relname = $1";
  auto shape = answerer_->Describe(request);
  ASSERT_TRUE(shape.ok()) << shape.status().ToString();
  ASSERT_EQ(shape->columns.size(), 2u);
  EXPECT_EQ(shape->columns[0].name, "relname");
  EXPECT_EQ(shape->columns[1].value_type, query::ValueType::kInteger);
  EXPECT_EQ(shape->params.size(), 1u);
}

TEST(PgEngineFunctionsTest, VersionDatabaseAndSchemaAnswerAlikeInDatasetQueries) {
  EmbeddedLakehouse lake;
  ASSERT_TRUE(lake.Ingest("jobs", "id\n1\n").ok());
  query::QueryRequest request(
      "SELECT version(), current_database(), current_schema(), count(*) "
      "FROM jobs",
      10);
  auto cursor = lake.engine().Execute(request);
  ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
  query::TextRows text;
  ASSERT_TRUE((*cursor)->NextText(text).ok());
  ASSERT_EQ(text.rows(), 1u);
  EXPECT_EQ(text.cell(0, 0), PgVersionString());
  EXPECT_EQ(text.cell(0, 1), "lakehouse");
  EXPECT_EQ(text.cell(0, 2), "public");
  EXPECT_EQ(text.cell(0, 3), "1");
}

}  // namespace
}  // namespace lakehouse::pgwire
