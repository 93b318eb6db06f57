// vector::HttpVectorSearch against real vectord routes: the hits vectord
// finds in each mode, its errors kept, a vectord that is down named; and
// SQL's vector_search(), text_search() and hybrid_search() in a queryd that
// reaches vectord this way.
#include "vector/http_vector_search.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/service_setup.h"
#include "embed/embedder_set.h"
#include "server/http_server.h"
#include "server/vector_routes.h"
#include "testing/embedded_lakehouse.h"
#include "testing/few_near_matches.h"
#include "testing/server_thread.h"
#include "vector/vector_service.h"

namespace lakehouse::vector {
namespace {

using nlohmann::json;

class HttpVectorSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto service = VectorService::Open(nullptr, {.embedders = &embedders_});
    ASSERT_TRUE(service.ok());
    service_ = std::move(*service);
    IndexParams params;
    params.name = "resumes";
    params.model = embedders_.default_name();
    ASSERT_TRUE(service_->Create(params).ok());
    auto vectors = embedders_.Find("").value()->Embed(texts_).value();
    std::vector<Item> items;
    for (size_t i = 0; i < texts_.size(); ++i) {
      items.push_back({"c" + std::to_string(i + 1), vectors[i], {{"n", i + 1}}});
    }
    ASSERT_TRUE(service_->Add("resumes", items).ok());
    IndexParams plain;
    plain.name = "plain";
    plain.dim = 2;
    ASSERT_TRUE(service_->Create(plain).ok());
    // The same items with their texts in a full-text part.
    IndexParams full_text = params;
    full_text.name = "skills";
    full_text.full_text = text::Bm25Params{};
    ASSERT_TRUE(service_->Create(full_text).ok());
    for (size_t i = 0; i < items.size(); ++i) items[i].text = texts_[i];
    ASSERT_TRUE(service_->Add("skills", items).ok());

    HttpConfig config;
    config.keep_alive_timeout_s = 1;  // stopping waits for idle connections
    server_ = std::make_unique<server::HttpServer>(config, 64 << 20);
    server::RegisterVectorRoutes(server_->router(), *service_);
    running_ = std::make_unique<testing::ServerThread>(*server_);
    url_ = "http://127.0.0.1:" + std::to_string(running_->port());
    auto client = HttpVectorSearch::Create({.base_url = url_, .service = "vectord"});
    ASSERT_TRUE(client.ok());
    client_ = std::move(*client);
  }
  void TearDown() override { running_.reset(); }

  // A query engine whose search functions reach vectord through this
  // client, as RunQueryd wires them.
  Result<std::unique_ptr<query::QueryEngine>> OpenSplitEngine(testing::EmbeddedLakehouse& lake) {
    query::QueryEngineOptions options;
    options.scratch_dir = lake.dir() + "/scratch/split";
    LH_ASSIGN_OR_RETURN(options.functions,
                        cli::SqlFunctionsFor(
                            [this](const std::string& index, SearchMode mode,
                                   const std::string& text, size_t k, const std::string& filter) {
                              return client_->Search(index, mode, text, k, filter);
                            },
                            embedders_));
    return query::QueryEngine::Open(options, lake.catalog(), lake.store());
  }
  static Result<json> Run(query::QueryEngine& engine, const std::string& sql) {
    LH_ASSIGN_OR_RETURN(auto cursor, engine.Execute({sql, 100, {}}));
    std::string rows;
    while (true) {
      LH_ASSIGN_OR_RETURN(bool more, cursor->NextJson(rows));
      if (!more) break;
    }
    return json::parse("[" + rows + "]");
  }

  const std::vector<std::string> texts_ = {"Forklift operator, warehouse",
                                           "Senior data engineer: Python, Spark, Airflow",
                                           "ICU registered nurse"};
  embed::EmbedderSet embedders_;
  std::unique_ptr<VectorService> service_;
  std::unique_ptr<server::HttpServer> server_;
  std::unique_ptr<testing::ServerThread> running_;
  std::string url_;
  std::unique_ptr<HttpVectorSearch> client_;
};

TEST_F(HttpVectorSearchTest, FindsWhatVectordFinds) {
  auto expected = service_->SearchText("resumes", "python data engineer", 3, std::nullopt);
  ASSERT_TRUE(expected.ok());
  auto hits = client_->SearchText("resumes", "python data engineer", 3);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 3u);
  EXPECT_EQ((*hits)[0].id, "c2");
  for (size_t i = 0; i < hits->size(); ++i) {
    EXPECT_EQ((*hits)[i].id, (*expected)[i].id);
    EXPECT_FLOAT_EQ((*hits)[i].distance, (*expected)[i].distance);
    EXPECT_EQ(*(*hits)[i].metadata, *(*expected)[i].metadata);
  }
  EXPECT_EQ(client_->SearchText("resumes", "nurse", 1)->size(), 1u);
}

TEST_F(HttpVectorSearchTest, KeepsVectordsErrors) {
  auto unknown = client_->SearchText("nosuch", "x", 3);
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "no index named \"nosuch\"");
  // A name from SQL text stays one path segment.
  auto odd = client_->SearchText("../indexes/resumes", "x", 3);
  EXPECT_EQ(odd.status().code(), StatusCode::kNotFound) << odd.status().ToString();
  auto no_model = client_->SearchText("plain", "x", 3);
  EXPECT_EQ(no_model.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_model.status().message().find("has no model"), std::string::npos);
}

TEST_F(HttpVectorSearchTest, VectordDownIsUnavailableNamingIt) {
  // One search first: it leaves a pooled connection that goes stale, and
  // stopping a server whose listen loop has not started yet would hang
  // (ServerThread's Stop can come before Run).
  ASSERT_TRUE(client_->SearchText("resumes", "x", 1).ok());
  running_.reset();  // nothing listens there any more
  auto down = client_->SearchText("resumes", "x", 3);
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(down.status().message().find("vectord at " + url_), std::string::npos)
      << down.status().message();
}

// A split queryd's SQL, through this client: the query engine wired as
// RunQueryd wires it.
TEST_F(HttpVectorSearchTest, SqlVectorSearchThroughVectord) {
  testing::EmbeddedLakehouse lake;
  ASSERT_TRUE(lake.Ingest("candidates", "id,name,state\nc1,Ada,TX\nc2,Bob,TX\nc3,Cy,CA\n").ok());
  auto engine = OpenSplitEngine(lake);
  ASSERT_TRUE(engine.ok());
  auto run = [&](const std::string& sql) { return Run(**engine, sql); };
  auto rows =
      run("SELECT c.name, (s.metadata->>'n')::INT FROM vector_search('resumes', 'python data "
          "engineer', 1) s JOIN candidates c ON c.id = s.id WHERE c.state = 'TX'");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, json::parse(R"([["Bob", 2]])"));
  auto unknown = run("SELECT * FROM vector_search('nosuch', 'x', 3)");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "vector_search('nosuch'): no index named \"nosuch\"");
  running_.reset();
  auto down = run("SELECT * FROM vector_search('resumes', 'x', 3)");
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(down.status().message().find("vector_search('resumes'): vectord at " + url_),
            std::string::npos)
      << down.status().message();
}

TEST_F(HttpVectorSearchTest, AFilterTravelsToVectord) {
  auto hits = client_->SearchText("resumes", "python data engineer", 3, R"({"n": {"gte": 2}})");
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 2u);
  for (const auto& hit : *hits) EXPECT_GE((*hit.metadata)["n"].get<int>(), 2);
  auto bad = client_->SearchText("resumes", "x", 3, R"({"n": {"about": 2}})");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "filter on \"n\": unknown operator \"about\" (eq, ne, lt, lte, gt, gte, in)");
}

// The split deployment's SQL finds k matching items through vectord, as
// `serve` does in process (testing/few_near_matches.h).
TEST_F(HttpVectorSearchTest, SqlFilterFindsKMatchingItemsThroughVectord) {
  const std::string staff = testing::AddFewNearMatchesIndex(*service_, embedders_);
  ASSERT_FALSE(staff.empty());
  testing::EmbeddedLakehouse lake;
  ASSERT_TRUE(lake.Ingest("staff", staff).ok());
  auto engine = OpenSplitEngine(lake);
  ASSERT_TRUE(engine.ok());
  auto filtered = Run(**engine, testing::FilteredSearchSql());
  ASSERT_TRUE(filtered.ok()) << filtered.status().ToString();
  EXPECT_EQ(*filtered, json::parse("[[20]]"));
  auto where = Run(**engine, testing::WhereSearchSql());
  ASSERT_TRUE(where.ok()) << where.status().ToString();
  EXPECT_LE((*where)[0][0].get<int>(), 2);
  auto bad = Run(
      **engine, "SELECT * FROM vector_search('staff_resume', 'x', 5, filter := '{\"state\": []}')");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "vector_search('staff_resume'): filter on \"state\": compare with a string, number or "
            "boolean");
}

// Each mode as vectord answers it over HTTP: the same hits, scores,
// distances and ranks as the service in process.
TEST_F(HttpVectorSearchTest, EachModeFindsWhatVectordFinds) {
  for (SearchMode mode : {SearchMode::kVector, SearchMode::kKeyword, SearchMode::kHybrid}) {
    SearchRequest request;
    request.text = "python data engineer";
    request.mode = mode;
    request.k = 3;
    auto expected = service_->Search("skills", request);
    ASSERT_TRUE(expected.ok()) << expected.status().ToString();
    auto found = client_->Search("skills", mode, "python data engineer", 3);
    ASSERT_TRUE(found.ok()) << SearchModeName(mode) << ": " << found.status().ToString();
    EXPECT_EQ(found->mode, mode);
    ASSERT_EQ(found->hits.size(), expected->hits.size()) << SearchModeName(mode);
    for (size_t i = 0; i < found->hits.size(); ++i) {
      const RankedHit& got = found->hits[i];
      const RankedHit& want = expected->hits[i];
      EXPECT_EQ(got.id, want.id);
      EXPECT_NEAR(got.score, want.score, 1e-6);
      EXPECT_EQ(got.distance.has_value(), want.distance.has_value()) << got.id;
      if (got.distance && want.distance) {
        EXPECT_FLOAT_EQ(*got.distance, *want.distance);
      }
      EXPECT_EQ(got.vector_rank, want.vector_rank) << got.id;
      EXPECT_EQ(got.keyword_rank, want.keyword_rank) << got.id;
      EXPECT_EQ(*got.metadata, *want.metadata);
    }
  }
  // Keywords: only c2 holds "python"; no distance.
  auto keyword = client_->Search("skills", SearchMode::kKeyword, "python", 5);
  ASSERT_TRUE(keyword.ok());
  ASSERT_EQ(keyword->hits.size(), 1u);
  EXPECT_EQ(keyword->hits[0].id, "c2");
  EXPECT_FALSE(keyword->hits[0].distance);
  // SearchText asks for vectors even where the index would default to hybrid.
  auto vectors = client_->SearchText("skills", "python", 3);
  ASSERT_TRUE(vectors.ok()) << vectors.status().ToString();
  EXPECT_EQ(vectors->size(), 3u);
}

TEST_F(HttpVectorSearchTest, KeywordsOfAnIndexWithoutFullTextKeepVectordsError) {
  auto refused = client_->Search("resumes", SearchMode::kKeyword, "python", 3);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("needs a full-text part, and index \"resumes\""),
            std::string::npos)
      << refused.status().message();
  auto unknown = client_->Search("nosuch", SearchMode::kHybrid, "x", 3);
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
}

// A split queryd's text_search and hybrid_search, through this client.
TEST_F(HttpVectorSearchTest, SqlTextAndHybridSearchThroughVectord) {
  testing::EmbeddedLakehouse lake;
  ASSERT_TRUE(lake.Ingest("candidates", "id,name,state\nc1,Ada,TX\nc2,Bob,TX\nc3,Cy,CA\n").ok());
  auto engine = OpenSplitEngine(lake);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  auto run = [&](const std::string& sql) { return Run(**engine, sql); };
  auto keyword =
      run("SELECT c.name, s.distance, s.vector_rank, s.keyword_rank FROM text_search('skills', "
          "'nurse', 5) s JOIN candidates c ON c.id = s.id");
  ASSERT_TRUE(keyword.ok()) << keyword.status().ToString();
  EXPECT_EQ(*keyword, json::parse(R"([["Cy", null, null, 1]])"));

  auto hybrid =
      run("SELECT c.name, s.vector_rank, s.keyword_rank FROM hybrid_search('skills', 'python data "
          "engineer', 3) s JOIN candidates c ON c.id = s.id ORDER BY s.score DESC");
  ASSERT_TRUE(hybrid.ok()) << hybrid.status().ToString();
  ASSERT_FALSE(hybrid->empty());
  EXPECT_EQ((*hybrid)[0], json::parse(R"(["Bob", 1, 1])"));

  auto filtered =
      run("SELECT s.id FROM hybrid_search('skills', 'python data engineer', 3, "
          "filter := '{\"n\": {\"gte\": 3}}') s");
  ASSERT_TRUE(filtered.ok()) << filtered.status().ToString();
  EXPECT_EQ(*filtered, json::parse(R"([["c3"]])"));

  auto refused = run("SELECT * FROM text_search('resumes', 'nurse', 3)");
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find(
                "text_search('resumes'): \"mode\": \"keyword\" needs a full-text part"),
            std::string::npos)
      << refused.status().message();
  auto unknown = run("SELECT * FROM hybrid_search('nosuch', 'x', 3)");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "hybrid_search('nosuch'): no index named \"nosuch\"");
  // vector_search over the same index stays a vector search with its distances.
  auto vector = run("SELECT count(distance) FROM vector_search('skills', 'nurse', 3)");
  ASSERT_TRUE(vector.ok()) << vector.status().ToString();
  EXPECT_EQ(*vector, json::parse("[[3]]"));
}

}  // namespace
}  // namespace lakehouse::vector
