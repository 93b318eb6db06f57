// SQL's vector_search(), text_search(), hybrid_search() and embed(): results
// that join dataset tables, the arguments they refuse, callback failures
// reaching the user with their Status code, and the fence unchanged by them.
#include "query/query_engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/service_setup.h"
#include "embed/embedder_set.h"
#include "testing/embedded_lakehouse.h"
#include "testing/few_near_matches.h"
#include "vector/vector_service.h"

namespace lakehouse::query {
namespace {

using nlohmann::json;
using testing::EmbeddedLakehouse;

// An engine over the lakehouse's catalog and store, with `functions`.
std::unique_ptr<QueryEngine> OpenEngine(EmbeddedLakehouse& lake, SqlFunctions functions,
                                        const std::string& scratch = "sql-functions") {
  QueryEngineOptions options;
  options.scratch_dir = lake.dir() + "/scratch/" + scratch;
  options.connections = 3;
  options.functions = std::move(functions);
  auto engine = QueryEngine::Open(options, lake.catalog(), lake.store());
  if (!engine.ok()) throw std::runtime_error(engine.status().ToString());
  return std::move(*engine);
}

// Rows as JSON, or the query's failure (at Execute or while streaming).
Result<json> Query(QueryEngine& engine, const std::string& sql) {
  LH_ASSIGN_OR_RETURN(auto cursor, engine.Execute({sql, 100000, {}}));
  std::string rows;
  while (true) {
    LH_ASSIGN_OR_RETURN(bool more, cursor->NextJson(rows));
    if (!more) break;
  }
  return json::parse("[" + rows + "]");
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The search functions searching `service` in process, as `serve` wires them.
SqlFunctions InProcessSearch(vector::VectorService& service) {
  static const embed::EmbedderSet embedders;
  auto functions = cli::SqlFunctionsFor(
      [&service](const std::string& index, vector::SearchMode mode, const std::string& text,
                 size_t k, const std::string& filter) -> Result<vector::SearchResult> {
        LH_ASSIGN_OR_RETURN(auto request, cli::TextSearchRequest(mode, text, k, filter));
        return service.Search(index, request);
      },
      embedders);
  if (!functions.ok()) throw std::runtime_error(functions.status().ToString());
  return std::move(*functions);
}

class SqlFunctionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        lake_.Ingest("candidates", "id,name,state\nc1,Ada,TX\nc2,Bob,CA\nc3,Cy,TX\nc4,Di,TX\n")
            .ok());
  }

  // A fake vectord: one index, "candidates_resume", whose nearest items are
  // always c3, c2, c1 (c4 is not among them), whose best keyword matches
  // are c4 then c1, and whose fusion of the two puts c1 first; it counts its
  // calls. "plain" has no full-text part.
  SqlFunctions FakeSearch() {
    SqlFunctions functions;
    functions.search = [this](SearchMode mode, const std::string& index, const std::string& text,
                              size_t k,
                              const std::string& filter) -> Result<std::vector<SearchRow>> {
      ++calls_;
      last_mode_ = mode;
      last_text_ = text;
      last_filter_ = filter;
      if (index == "down") return Status::Unavailable("vectord at http://x is unavailable");
      if (index == "plain" && mode != SearchMode::kVector) {
        return Status::InvalidArgument("index \"plain\" has no full-text part");
      }
      if (index != "candidates_resume") {
        return Status::NotFound("no index named \"" + index + "\"");
      }
      std::vector<SearchRow> rows = FakeRows(mode);
      if (rows.size() > k) rows.resize(k);
      return rows;
    };
    return functions;
  }

  static SearchRow Row(std::string id, std::optional<float> distance, std::string metadata,
                       double score, std::optional<int64_t> vector_rank,
                       std::optional<int64_t> keyword_rank) {
    SearchRow row;
    row.id = std::move(id);
    row.distance = distance;
    row.metadata = std::move(metadata);
    row.score = score;
    row.vector_rank = vector_rank;
    row.keyword_rank = keyword_rank;
    return row;
  }

  static std::vector<SearchRow> FakeRows(SearchMode mode) {
    const std::string c1 = R"({"state":"TX","years":1})";
    const std::string c2 = R"({"state":"CA","years":3})";
    const std::string c3 = R"({"state":"TX","years":7})";
    const std::string c4 = R"({"state":"TX","years":2})";
    constexpr std::nullopt_t none = std::nullopt;
    switch (mode) {
      case SearchMode::kVector:
        return {Row("c3", 0.125f, c3, 0.875, none, none), Row("c2", 0.25f, c2, 0.75, none, none),
                Row("c1", 0.5f, c1, 0.5, none, none)};
      case SearchMode::kKeyword:
        // No ranks: the engine numbers a keyword search's rows itself.
        return {Row("c4", none, c4, 2.5, none, none), Row("c1", none, c1, 1.5, none, none)};
      case SearchMode::kHybrid:
        return {Row("c1", 0.5f, c1, 0.5, 3, 2), Row("c3", 0.125f, c3, 0.375, 1, none),
                Row("c4", none, c4, 0.25, none, 1), Row("c2", 0.25f, c2, 0.125, 2, none)};
    }
    return {};
  }

  EmbeddedLakehouse lake_;
  std::atomic<int> calls_{0};
  SearchMode last_mode_ = SearchMode::kVector;
  std::string last_text_;
  std::string last_filter_;
};

TEST_F(SqlFunctionsTest, VectorSearchJoinsDatasetRowsNearestFirst) {
  auto engine = OpenEngine(lake_, FakeSearch());
  auto rows = Query(*engine,
                    "SELECT c.name, s.distance FROM vector_search('candidates_resume', "
                    "'python data engineer', 20) s JOIN candidates c ON c.id = s.id "
                    "WHERE c.state = 'TX' ORDER BY s.distance");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, json::parse(R"([["Cy", 0.125], ["Ada", 0.5]])"));
  EXPECT_EQ(last_text_, "python data engineer");

  // On its own it answers nearest first, k at most, with its three columns.
  auto cursor =
      engine->Execute({"SELECT * FROM vector_search('candidates_resume', 'x', 2)", 10, {}});
  ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
  ASSERT_EQ((*cursor)->columns().size(), 3u);
  EXPECT_EQ((*cursor)->columns()[0].name, "id");
  EXPECT_EQ((*cursor)->columns()[0].type, "VARCHAR");
  EXPECT_EQ((*cursor)->columns()[1].name, "distance");
  EXPECT_EQ((*cursor)->columns()[1].type, "FLOAT");
  EXPECT_EQ((*cursor)->columns()[2].name, "metadata");
  cursor->reset();
  auto two = Query(*engine, "SELECT id, distance FROM vector_search('candidates_resume', 'x', 2)");
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(*two, json::parse(R"([["c3", 0.125], ["c2", 0.25]])"));

  // metadata is JSON: its fields are one operator away.
  auto by_metadata = Query(*engine,
                           "SELECT id, metadata->>'state', (metadata->>'years')::INT "
                           "FROM vector_search('candidates_resume', 'x', 3) "
                           "WHERE metadata->>'state' = 'TX'");
  ASSERT_TRUE(by_metadata.ok()) << by_metadata.status().ToString();
  EXPECT_EQ(*by_metadata, json::parse(R"([["c3", "TX", 7], ["c1", "TX", 1]])"));
  auto whole = Query(*engine, "SELECT metadata FROM vector_search('candidates_resume', 'x', 1)");
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(json::parse((*whole)[0][0].get<std::string>()), json({{"state", "TX"}, {"years", 7}}));
}

TEST_F(SqlFunctionsTest, VectorSearchAsksOncePerQuery) {
  auto engine = OpenEngine(lake_, FakeSearch());
  // A list column makes the engine bind the query twice (its casting
  // wrapper), and EXPLAIN binds it twice too: vectord is still asked once.
  ASSERT_TRUE(
      Query(*engine, "SELECT [distance], id FROM vector_search('candidates_resume', 'x', 3)").ok());
  EXPECT_EQ(calls_, 1);
  ASSERT_TRUE(
      Query(*engine, "EXPLAIN SELECT * FROM vector_search('candidates_resume', 'x', 3)").ok());
  EXPECT_EQ(calls_, 2);
  // Each query asks afresh: an index changes between queries.
  ASSERT_TRUE(Query(*engine, "SELECT * FROM vector_search('candidates_resume', 'x', 3)").ok());
  EXPECT_EQ(calls_, 3);
}

TEST_F(SqlFunctionsTest, VectorSearchRefusesBadArgumentsClearly) {
  auto engine = OpenEngine(lake_, FakeSearch());
  struct Case {
    std::string sql;
    StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"SELECT * FROM vector_search('candidates_resume', 'x', 0)", StatusCode::kInvalidArgument,
       "vector_search: k must be 1..10000, got 0"},
      {"SELECT * FROM vector_search('candidates_resume', 'x', 10001)", StatusCode::kInvalidArgument,
       "vector_search: k must be 1..10000, got 10001"},
      {"SELECT * FROM vector_search(NULL, 'x', 3)", StatusCode::kInvalidArgument,
       "vector_search: the index name must not be NULL"},
      {"SELECT * FROM vector_search('candidates_resume', NULL, 3)", StatusCode::kInvalidArgument,
       "vector_search: the query text must not be NULL"},
      {"SELECT * FROM vector_search('candidates_resume', 'x', NULL)", StatusCode::kInvalidArgument,
       "vector_search: k must not be NULL"},
      {"SELECT * FROM vector_search('nosuch', 'x', 3)", StatusCode::kNotFound,
       "vector_search('nosuch'): no index named \"nosuch\""},
      {"SELECT c.name FROM candidates c JOIN vector_search('down', 'x', 3) s ON c.id = s.id",
       StatusCode::kUnavailable, "vector_search('down'): vectord at http://x is unavailable"},
  };
  for (const auto& c : cases) {
    auto result = Query(*engine, c.sql);
    EXPECT_EQ(result.status().code(), c.code) << c.sql << ": " << result.status().ToString();
    // The callback's own words, not DuckDB's wrapping of them.
    EXPECT_EQ(result.status().message(), c.message) << c.sql;
  }
  EXPECT_EQ(Query(*engine, "SELECT * FROM vector_search('candidates_resume', 'x')").status().code(),
            StatusCode::kInvalidArgument);
  // An engine that fails a query keeps working.
  EXPECT_EQ(
      Query(*engine, "SELECT count(*) FROM vector_search('candidates_resume', 'x', 3)")->at(0)[0],
      3);
  // Nothing recorded for one query leaks into the next one's errors.
  auto plain = Query(*engine, "SELECT nosuchcolumn FROM candidates");
  EXPECT_EQ(plain.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(plain.status().message(), "nosuchcolumn"));
}

TEST_F(SqlFunctionsTest, WithoutCallbacksTheFunctionsSayWhatIsMissing) {
  auto engine = OpenEngine(lake_, {});
  auto search = Query(*engine, "SELECT * FROM vector_search('candidates_resume', 'x', 3)");
  EXPECT_EQ(search.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(search.status().message(), "vector_search is not available"))
      << search.status().message();
  EXPECT_TRUE(Contains(search.status().message(), "vectord_url"));
  auto embed = Query(*engine, "SELECT embed(name) FROM candidates");
  EXPECT_EQ(embed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(embed.status().message(), "embed is not available"))
      << embed.status().message();
  // NULL in needs no embedder.
  EXPECT_EQ(*Query(*engine, "SELECT embed(NULL)"), json::parse("[[null]]"));
}

TEST_F(SqlFunctionsTest, EmbedReturnsTheEmbeddersVectorAndNullForNull) {
  embed::EmbedderSet embedders;
  auto embedder = embedders.Find("").value();
  SqlFunctions functions;
  functions.embed = [embedder](std::span<const std::string> texts) {
    return embedder->Embed(texts);
  };
  auto engine = OpenEngine(lake_, functions);
  std::vector<std::string> texts = {"python data engineer", "Ada"};
  auto expected = embedder->Embed(texts).value();

  auto one = Query(*engine, "SELECT embed('python data engineer'), len(embed('x'))");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_EQ((*one)[0][0].size(), embedder->dim());
  for (size_t i = 0; i < embedder->dim(); ++i) {
    EXPECT_FLOAT_EQ((*one)[0][0][i].get<float>(), expected[0][i]) << i;
  }
  EXPECT_EQ((*one)[0][1], embedder->dim());

  // Per row, NULL for NULL, each row its own text's vector.
  auto rows = Query(*engine,
                    "SELECT t, embed(t) FROM (VALUES (1, 'Ada'), (2, NULL), (3, 'Ada')) v(n, t) "
                    "ORDER BY n");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_TRUE((*rows)[1][1].is_null());
  for (size_t r : {0, 2}) {
    ASSERT_EQ((*rows)[r][1].size(), embedder->dim());
    for (size_t i = 0; i < embedder->dim(); ++i) {
      EXPECT_FLOAT_EQ((*rows)[r][1][i].get<float>(), expected[1][i]);
    }
  }
  // Over a dataset column, usable by DuckDB's list functions.
  auto similar = Query(*engine,
                       "SELECT name, round(list_cosine_similarity(embed(name), embed('Ada')), 4) "
                       "FROM candidates ORDER BY 2 DESC, name LIMIT 1");
  ASSERT_TRUE(similar.ok()) << similar.status().ToString();
  EXPECT_EQ(*similar, json::parse(R"([["Ada", 1.0]])"));
  EXPECT_EQ(Query(*engine, "SELECT embed(NULL::VARCHAR) IS NULL")->at(0)[0], true);
}

TEST_F(SqlFunctionsTest, EmbedFailureReachesTheUserWithItsCode) {
  SqlFunctions functions;
  functions.embed = [](std::span<const std::string>) -> Result<std::vector<std::vector<float>>> {
    return Status::Unavailable("ollama at http://127.0.0.1:1 is unavailable");
  };
  auto engine = OpenEngine(lake_, functions);
  auto failed = Query(*engine, "SELECT name, embed(name) FROM candidates");
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable) << failed.status().ToString();
  EXPECT_EQ(failed.status().message(), "embed: ollama at http://127.0.0.1:1 is unavailable");
  // A wrong count from the embedder is a bug, not a partial answer.
  functions.embed = [](std::span<const std::string>) -> Result<std::vector<std::vector<float>>> {
    return std::vector<std::vector<float>>{};
  };
  auto miscounted = OpenEngine(lake_, functions, "miscounted");
  auto wrong = Query(*miscounted, "SELECT embed('x')");
  EXPECT_EQ(wrong.status().code(), StatusCode::kInternal) << wrong.status().ToString();
  EXPECT_TRUE(Contains(wrong.status().message(), "returned 0 vectors for 1 texts"));
}

TEST_F(SqlFunctionsTest, TheFenceStillHolds) {
  auto functions = FakeSearch();
  functions.embed = [](std::span<const std::string> texts) {
    return Result<std::vector<std::vector<float>>>(
        std::vector<std::vector<float>>(texts.size(), {1.0f}));
  };
  auto engine = OpenEngine(lake_, functions);
  const std::string target = lake_.dir() + "/escaped.csv";
  for (const std::string& sql : std::vector<std::string>{
           "COPY (SELECT * FROM vector_search('candidates_resume', 'x', 3)) TO '" + target + "'",
           "CREATE TABLE t AS SELECT * FROM vector_search('candidates_resume', 'x', 3)",
           "CREATE MACRO vector_search(a, b, c) AS 1",
           "CREATE MACRO embed(x) AS [1.0]",
           "SELECT * FROM read_text('/etc/hostname')",
           "SET enable_external_access = true",
           "EXPLAIN ANALYZE CREATE TABLE t AS SELECT embed('x')",
       }) {
    EXPECT_EQ(Query(*engine, sql).status().code(), StatusCode::kPermissionDenied) << sql;
  }
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_EQ(Query(*engine, "SELECT current_setting('enable_external_access')").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(Query(*engine, "SELECT embed('x')")->at(0)[0], json({1.0}));
}

TEST_F(SqlFunctionsTest, TextsOverTheBoundAreRefusedNamingIt) {
  SqlFunctions functions = FakeSearch();
  std::atomic<size_t> longest{0};
  functions.embed = [&](std::span<const std::string> texts) {
    for (const auto& text : texts) longest = std::max<size_t>(longest, text.size());
    return Result<std::vector<std::vector<float>>>(
        std::vector<std::vector<float>>(texts.size(), std::vector<float>{1.0f}));
  };
  auto engine = OpenEngine(lake_, functions);
  const std::string over = std::to_string(kMaxSqlFunctionTextBytes + 1);
  auto embed = Query(*engine, "SELECT len(embed(repeat('a', " + over + ")))");
  EXPECT_EQ(embed.status().code(), StatusCode::kInvalidArgument) << embed.status().ToString();
  EXPECT_TRUE(Contains(embed.status().message(), std::to_string(kMaxSqlFunctionTextBytes)))
      << embed.status().ToString();
  EXPECT_EQ(longest.load(), 0u);
  auto search = Query(
      *engine, "SELECT * FROM vector_search('candidates_resume', repeat('a', " + over + "), 3)");
  EXPECT_EQ(search.status().code(), StatusCode::kInvalidArgument) << search.status().ToString();
  EXPECT_EQ(calls_.load(), 0);
  // At the bound itself, both work.
  const std::string at = std::to_string(kMaxSqlFunctionTextBytes);
  EXPECT_TRUE(Query(*engine, "SELECT len(embed(repeat('a', " + at + ")))").ok());
  EXPECT_TRUE(
      Query(*engine, "SELECT * FROM vector_search('candidates_resume', repeat('a', " + at + "), 3)")
          .ok());
}

TEST_F(SqlFunctionsTest, EmbedGivesUpAtTheQueryDeadline) {
  SqlFunctions functions;
  std::atomic<int> calls{0};
  // Slow enough that a chunk of long texts outlasts the query's time limit.
  functions.embed = [&](std::span<const std::string> texts) {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return Result<std::vector<std::vector<float>>>(
        std::vector<std::vector<float>>(texts.size(), std::vector<float>{1.0f}));
  };
  QueryEngineOptions options;
  options.scratch_dir = lake_.dir() + "/scratch/deadline";
  options.connections = 1;
  options.timeout_ms = 300;
  options.functions = functions;
  auto engine = QueryEngine::Open(options, lake_.catalog(), lake_.store());
  ASSERT_TRUE(engine.ok());
  auto result =
      Query(**engine, "SELECT count(embed(repeat('a', 1000000) || i)) FROM range(100) t(i)");
  EXPECT_EQ(result.status().code(), StatusCode::kTimeout) << result.status().ToString();
  // It stopped calling the embedder rather than finishing the chunk.
  EXPECT_LT(calls.load(), 25);
}

// The real thing behind `serve`: a VectorService whose index has a model,
// searched by text in process.
TEST_F(SqlFunctionsTest, VectorSearchOverARealIndex) {
  embed::EmbedderSet embedders;
  auto service = vector::VectorService::Open(nullptr, {.embedders = &embedders});
  ASSERT_TRUE(service.ok());
  vector::IndexParams params;
  params.name = "candidates_resume";
  params.model = embedders.default_name();
  ASSERT_TRUE((*service)->Create(params).ok());
  std::vector<std::string> resumes = {"Forklift operator, warehouse, night shift",
                                      "Senior data engineer: Python, Spark, Airflow",
                                      "ICU registered nurse", "Python developer, data pipelines"};
  auto vectors = embedders.Find("").value()->Embed(resumes).value();
  std::vector<vector::Item> items;
  for (size_t i = 0; i < resumes.size(); ++i) {
    items.push_back({"c" + std::to_string(i + 1), vectors[i], {{"resume", resumes[i]}}});
  }
  ASSERT_TRUE((*service)->Add("candidates_resume", items).ok());

  SqlFunctions functions;
  auto engine = OpenEngine(lake_, InProcessSearch(**service));
  auto expected =
      (*service)->SearchText("candidates_resume", "python data engineer", 3, std::nullopt);
  ASSERT_TRUE(expected.ok());
  ASSERT_EQ(expected->size(), 3u);
  EXPECT_EQ((*expected)[0].id, "c2");
  auto rows = Query(*engine,
                    "SELECT s.id, c.name, s.metadata->>'resume' FROM vector_search("
                    "'candidates_resume', 'python data engineer', 3) s JOIN candidates c "
                    "ON c.id = s.id ORDER BY s.distance, s.id");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 3u);
  const std::map<std::string, std::string> names = {
      {"c1", "Ada"}, {"c2", "Bob"}, {"c3", "Cy"}, {"c4", "Di"}};
  for (size_t i = 0; i < 3; ++i) {
    const std::string id = (*expected)[i].id;
    EXPECT_EQ((*rows)[i][0], id);
    EXPECT_EQ((*rows)[i][1], names.at(id));
    EXPECT_EQ((*rows)[i][2], resumes[std::stoi(id.substr(1)) - 1]);
  }
  auto unknown = Query(*engine, "SELECT * FROM vector_search('resumes', 'x', 3)");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "vector_search('resumes'): no index named \"resumes\"");
}

TEST_F(SqlFunctionsTest, VectorSearchHandsItsFilterToTheSearch) {
  auto engine = OpenEngine(lake_, FakeSearch());
  ASSERT_TRUE(Query(*engine,
                    "SELECT * FROM vector_search('candidates_resume', 'x', 3, "
                    "filter := '{\"state\":   \"TX\", \"years\": {\"gte\": 2}}')")
                  .ok());
  EXPECT_EQ(json::parse(last_filter_), json::parse(R"({"state": "TX", "years": {"gte": 2}})"));
  // Another filter is another search; none, or NULL, is no filter.
  ASSERT_TRUE(Query(*engine,
                    "SELECT * FROM vector_search('candidates_resume', 'x', 3, filter := "
                    "'{\"state\": \"CA\"}') UNION ALL SELECT * FROM "
                    "vector_search('candidates_resume', 'x', 3, filter := '{\"state\": \"TX\"}')")
                  .ok());
  EXPECT_EQ(calls_, 3);
  ASSERT_TRUE(Query(*engine, "SELECT * FROM vector_search('candidates_resume', 'x', 3)").ok());
  EXPECT_EQ(last_filter_, "");
  ASSERT_TRUE(
      Query(*engine, "SELECT * FROM vector_search('candidates_resume', 'x', 3, filter := NULL)")
          .ok());
  EXPECT_EQ(last_filter_, "");
}

TEST_F(SqlFunctionsTest, VectorSearchRefusesAFilterThatIsNotAJsonObject) {
  auto engine = OpenEngine(lake_, FakeSearch());
  const std::pair<std::string, std::string> cases[] = {
      {"'state = TX'", "this one is not JSON (it breaks at byte 1)"},
      {"'[\"TX\"]'", "this one is array"},
      {"'\"TX\"'", "this one is string"},
      {"42", "this one is number"},
  };
  for (const auto& [filter, words] : cases) {
    const std::string sql =
        "SELECT * FROM vector_search('candidates_resume', 'x', 3, filter := " + filter + ")";
    auto result = Query(*engine, sql);
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << sql;
    EXPECT_TRUE(Contains(result.status().message(), "vector_search: filter must be a JSON object"))
        << result.status().ToString();
    EXPECT_TRUE(Contains(result.status().message(), words)) << result.status().ToString();
  }
  EXPECT_EQ(calls_, 0);
  auto misspelt =
      Query(*engine, "SELECT * FROM vector_search('candidates_resume', 'x', 3, filtr := '{}')");
  EXPECT_EQ(misspelt.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(misspelt.status().message(), "filtr")) << misspelt.status().ToString();
}

// Many TX candidates, few of them among the nearest: the filter searches for
// TX items, where a WHERE only keeps the TX rows of the nearest k
// (testing/few_near_matches.h).
TEST_F(SqlFunctionsTest, AFilterFindsKMatchingItemsWhereAWhereKeepsFewer) {
  embed::EmbedderSet embedders;
  auto service = vector::VectorService::Open(nullptr, {.embedders = &embedders});
  ASSERT_TRUE(service.ok());
  const std::string staff = testing::AddFewNearMatchesIndex(**service, embedders);
  ASSERT_FALSE(staff.empty());
  ASSERT_TRUE(lake_.Ingest("staff", staff).ok());
  auto engine = OpenEngine(lake_, InProcessSearch(**service));

  auto filtered = Query(*engine, testing::FilteredSearchSql());
  ASSERT_TRUE(filtered.ok()) << filtered.status().ToString();
  EXPECT_EQ(*filtered, json::parse("[[20]]"));
  auto where = Query(*engine, testing::WhereSearchSql());
  ASSERT_TRUE(where.ok()) << where.status().ToString();
  EXPECT_LE((*where)[0][0].get<int>(), 2);

  // A filter the index cannot use says what is wrong with it, naming the field.
  auto bad = Query(*engine,
                   "SELECT * FROM vector_search('staff_resume', 'x', 5, "
                   "filter := '{\"rate\": {\"about\": 80}}')");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      bad.status().message(),
      "vector_search('staff_resume'): filter on \"rate\": unknown operator \"about\" (eq, ne, "
      "lt, lte, gt, gte, in)");
}

TEST_F(SqlFunctionsTest, TextAndHybridSearchHaveScoreAndRankColumns) {
  auto engine = OpenEngine(lake_, FakeSearch());
  const std::vector<std::pair<std::string, std::string>> columns = {
      {"id", "VARCHAR"},   {"distance", "FLOAT"},      {"metadata", "JSON"},
      {"score", "DOUBLE"}, {"vector_rank", "INTEGER"}, {"keyword_rank", "INTEGER"}};
  for (const std::string function : {"text_search", "hybrid_search"}) {
    auto cursor =
        engine->Execute({"SELECT * FROM " + function + "('candidates_resume', 'rust', 3)", 10, {}});
    ASSERT_TRUE(cursor.ok()) << function << ": " << cursor.status().ToString();
    ASSERT_EQ((*cursor)->columns().size(), columns.size()) << function;
    for (size_t i = 0; i < columns.size(); ++i) {
      EXPECT_EQ((*cursor)->columns()[i].name, columns[i].first) << function;
      // JSON is VARCHAR under an alias; the engine may show either.
      if (columns[i].second != "JSON") {
        EXPECT_EQ((*cursor)->columns()[i].type, columns[i].second) << function;
      }
    }
  }
  // vector_search keeps its three columns.
  auto vector =
      engine->Execute({"SELECT * FROM vector_search('candidates_resume', 'x', 3)", 10, {}});
  ASSERT_TRUE(vector.ok());
  EXPECT_EQ((*vector)->columns().size(), 3u);
}

TEST_F(SqlFunctionsTest, TextSearchAsksForKeywordsAndNumbersItsRanks) {
  auto engine = OpenEngine(lake_, FakeSearch());
  auto rows = Query(*engine,
                    "SELECT id, distance, score, vector_rank, keyword_rank, metadata->>'years' "
                    "FROM text_search('candidates_resume', 'rust', 5)");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(last_mode_, SearchMode::kKeyword);
  EXPECT_EQ(last_text_, "rust");
  // Not the nearest vectors (c3, c2, c1): the keyword ranking, best first.
  EXPECT_EQ(*rows,
            json::parse(R"([["c4", null, 2.5, null, 1, "2"], ["c1", null, 1.5, null, 2, "1"]])"));
  // Joined to the dataset's rows.
  auto joined = Query(*engine,
                      "SELECT c.name, s.keyword_rank FROM text_search('candidates_resume', "
                      "'rust', 5) s JOIN candidates c ON c.id = s.id ORDER BY s.score DESC");
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  EXPECT_EQ(*joined, json::parse(R"([["Di", 1], ["Ada", 2]])"));
}

TEST_F(SqlFunctionsTest, HybridSearchJoinsDatasetRowsWithBothRanks) {
  auto engine = OpenEngine(lake_, FakeSearch());
  auto rows = Query(*engine,
                    "SELECT c.name, s.score, s.distance, s.vector_rank, s.keyword_rank "
                    "FROM hybrid_search('candidates_resume', 'rust', 5) s "
                    "JOIN candidates c ON c.id = s.id WHERE c.state = 'TX' ORDER BY s.score DESC");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(last_mode_, SearchMode::kHybrid);
  EXPECT_EQ(*rows, json::parse(R"([["Ada", 0.5, 0.5, 3, 2], ["Cy", 0.375, 0.125, 1, null],
                                   ["Di", 0.25, null, null, 1]])"));
  // At most k, best first.
  auto two = Query(*engine, "SELECT id FROM hybrid_search('candidates_resume', 'rust', 2)");
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(*two, json::parse(R"([["c1"], ["c3"]])"));
  // Its filter reaches the search.
  ASSERT_TRUE(Query(*engine,
                    "SELECT * FROM hybrid_search('candidates_resume', 'rust', 3, "
                    "filter := '{\"state\": \"TX\"}')")
                  .ok());
  EXPECT_EQ(json::parse(last_filter_), json::parse(R"({"state": "TX"})"));
  EXPECT_EQ(last_mode_, SearchMode::kHybrid);
}

TEST_F(SqlFunctionsTest, EachModeIsItsOwnSearchOncePerQuery) {
  auto engine = OpenEngine(lake_, FakeSearch());
  // Same index, text and k in three modes: three searches, not one answer
  // served thrice.
  auto counts = Query(*engine,
                      "SELECT (SELECT count(*) FROM vector_search('candidates_resume', 'x', 4)), "
                      "(SELECT count(*) FROM text_search('candidates_resume', 'x', 4)), "
                      "(SELECT count(*) FROM hybrid_search('candidates_resume', 'x', 4))");
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(*counts, json::parse("[[3, 2, 4]]"));
  EXPECT_EQ(calls_, 3);
  ASSERT_TRUE(
      Query(*engine, "EXPLAIN SELECT [score], id FROM text_search('candidates_resume', 'x', 3)")
          .ok());
  EXPECT_EQ(calls_, 4);
}

TEST_F(SqlFunctionsTest, TextAndHybridSearchRefuseBadArgumentsClearly) {
  auto engine = OpenEngine(lake_, FakeSearch());
  struct Case {
    std::string sql;
    StatusCode code;
    std::string message;
  };
  std::vector<Case> cases;
  for (const std::string f : {"text_search", "hybrid_search"}) {
    cases.push_back({"SELECT * FROM " + f + "('candidates_resume', 'x', 0)",
                     StatusCode::kInvalidArgument, f + ": k must be 1..10000, got 0"});
    cases.push_back({"SELECT * FROM " + f + "(NULL, 'x', 3)", StatusCode::kInvalidArgument,
                     f + ": the index name must not be NULL"});
    cases.push_back({"SELECT * FROM " + f + "('candidates_resume', NULL, 3)",
                     StatusCode::kInvalidArgument, f + ": the query text must not be NULL"});
    cases.push_back({"SELECT * FROM " + f + "('candidates_resume', 'x', NULL)",
                     StatusCode::kInvalidArgument, f + ": k must not be NULL"});
    cases.push_back({"SELECT * FROM " + f + "('nosuch', 'x', 3)", StatusCode::kNotFound,
                     f + "('nosuch'): no index named \"nosuch\""});
    cases.push_back({"SELECT * FROM " + f + "('plain', 'x', 3)", StatusCode::kInvalidArgument,
                     f + "('plain'): index \"plain\" has no full-text part"});
    cases.push_back(
        {"SELECT c.name FROM candidates c JOIN " + f + "('down', 'x', 3) s ON c.id = s.id",
         StatusCode::kUnavailable, f + "('down'): vectord at http://x is unavailable"});
  }
  for (const auto& c : cases) {
    auto result = Query(*engine, c.sql);
    EXPECT_EQ(result.status().code(), c.code) << c.sql << ": " << result.status().ToString();
    EXPECT_EQ(result.status().message(), c.message) << c.sql;
  }
  auto filter =
      Query(*engine, "SELECT * FROM text_search('candidates_resume', 'x', 3, filter := '[1]')");
  EXPECT_EQ(filter.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(filter.status().message(), "text_search: filter must be a JSON object"))
      << filter.status().ToString();

  auto without = OpenEngine(lake_, {}, "without");
  auto missing = Query(*without, "SELECT * FROM hybrid_search('candidates_resume', 'x', 3)");
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(missing.status().message(), "hybrid_search is not available"))
      << missing.status().ToString();
}

// An index with a full-text part, searched in process as `serve` does: one
// item holds the word "rust" in a long text, which its vector does not bring
// near the query, while others share its letters but not the word.
class FullTextSqlTest : public SqlFunctionsTest {
 protected:
  void SetUp() override {
    SqlFunctionsTest::SetUp();
    auto service = vector::VectorService::Open(nullptr, {.embedders = &embedders_});
    ASSERT_TRUE(service.ok());
    service_ = std::move(*service);
    vector::IndexParams params;
    params.name = "skills";
    params.model = embedders_.default_name();
    params.full_text = text::Bm25Params{};
    ASSERT_TRUE(service_->Create(params).ok());
    auto vectors = embedders_.Find("").value()->Embed(texts_).value();
    std::vector<vector::Item> items;
    for (size_t i = 0; i < texts_.size(); ++i) {
      const std::string id = "c" + std::to_string(i + 1);
      items.emplace_back(id, vectors[i], json{{"n", i + 1}, {"state", i == 1 ? "CA" : "TX"}},
                         texts_[i]);
    }
    ASSERT_TRUE(service_->Add("skills", items).ok());
    vector::IndexParams plain;
    plain.name = "plain";
    plain.model = embedders_.default_name();
    ASSERT_TRUE(service_->Create(plain).ok());
  }

  // c4 holds "rust"; c1..c3 only look like it.
  const std::vector<std::string> texts_ = {
      "Rusty trusted crust: trust, crusts, trusty", "Trusty rustic crusty trustee",
      "Robust trusted rustling crusts",
      "Backend engineer: Go, Kubernetes, Postgres, Terraform, "
      "gRPC, observability, incident response, on-call rotations, mentoring, and Rust"};
  embed::EmbedderSet embedders_;
  std::unique_ptr<vector::VectorService> service_;
};

TEST_F(FullTextSqlTest, TextSearchFindsTheKeywordThatVectorSearchRanksLow) {
  auto engine = OpenEngine(lake_, InProcessSearch(*service_));
  // The set-up holds: by vectors, the item with the word is not the nearest.
  auto nearest = Query(*engine, "SELECT id FROM vector_search('skills', 'rust', 4)");
  ASSERT_TRUE(nearest.ok()) << nearest.status().ToString();
  ASSERT_EQ(nearest->size(), 4u);
  ASSERT_NE((*nearest)[0][0], "c4");

  auto keyword = Query(*engine,
                       "SELECT s.id, c.name, s.distance, s.vector_rank, s.keyword_rank, "
                       "s.score > 0 FROM text_search('skills', 'rust', 4) s "
                       "JOIN candidates c ON c.id = s.id");
  ASSERT_TRUE(keyword.ok()) << keyword.status().ToString();
  EXPECT_EQ(*keyword, json::parse(R"([["c4", "Di", null, null, 1, true]])"));

  auto hybrid = Query(*engine,
                      "SELECT s.id, s.vector_rank, s.keyword_rank FROM "
                      "hybrid_search('skills', 'rust', 4) s ORDER BY s.score DESC");
  ASSERT_TRUE(hybrid.ok()) << hybrid.status().ToString();
  ASSERT_EQ(hybrid->size(), 4u);
  bool found = false;
  for (const auto& row : *hybrid) {
    if (row[0] != "c4") {
      EXPECT_TRUE(row[2].is_null()) << row.dump();
      continue;
    }
    found = true;
    EXPECT_EQ(row[2], 1);
    EXPECT_GT(row[1].get<int>(), 1);
  }
  EXPECT_TRUE(found) << hybrid->dump();
  // What the service answers, row for row.
  vector::SearchRequest request;
  request.text = "rust";
  request.mode = vector::SearchMode::kHybrid;
  request.k = 4;
  auto expected = service_->Search("skills", request);
  ASSERT_TRUE(expected.ok());
  for (size_t i = 0; i < expected->hits.size(); ++i) {
    EXPECT_EQ((*hybrid)[i][0], expected->hits[i].id);
  }
}

TEST_F(FullTextSqlTest, AFilterAppliesToEveryRanker) {
  auto engine = OpenEngine(lake_, InProcessSearch(*service_));
  auto rows = Query(*engine,
                    "SELECT id FROM hybrid_search('skills', 'rust trust', 4, "
                    "filter := '{\"state\": \"CA\"}')");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, json::parse(R"([["c2"]])"));
  auto none = Query(
      *engine, "SELECT id FROM text_search('skills', 'rust', 4, filter := '{\"state\": \"CA\"}')");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(*none, json::array());
}

TEST_F(FullTextSqlTest, AnIndexWithoutFullTextRefusesKeywordsSayingSo) {
  auto engine = OpenEngine(lake_, InProcessSearch(*service_));
  for (const std::string f : {"text_search", "hybrid_search"}) {
    auto result = Query(*engine, "SELECT * FROM " + f + "('plain', 'rust', 3)");
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << result.status().ToString();
    EXPECT_TRUE(Contains(result.status().message(), f + "('plain'): \"mode\": \""))
        << result.status().message();
    EXPECT_TRUE(Contains(result.status().message(),
                         "needs a full-text part, and index \"plain\" "
                         "has none"))
        << result.status().message();
  }
  auto unknown = Query(*engine, "SELECT * FROM text_search('nosuch', 'rust', 3)");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "text_search('nosuch'): no index named \"nosuch\"");
  // vector_search of an index with a full-text part still searches by vectors.
  auto vector = Query(*engine,
                      "SELECT count(*), count(distance) FROM vector_search('skills', "
                      "'rust', 4)");
  ASSERT_TRUE(vector.ok()) << vector.status().ToString();
  EXPECT_EQ(*vector, json::parse("[[4, 4]]"));
}

}  // namespace
}  // namespace lakehouse::query
