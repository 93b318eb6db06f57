// vector::HttpVectorSearch against real vectord routes: the hits vectord
// finds, its errors kept, a vectord that is down named; and SQL's
// vector_search() in a queryd that reaches vectord this way.
#include "vector/http_vector_search.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

  // A query engine whose vector_search() reaches vectord through this
  // client, as RunQueryd wires it.
  Result<std::unique_ptr<query::QueryEngine>> OpenSplitEngine(testing::EmbeddedLakehouse& lake) {
    query::QueryEngineOptions options;
    options.scratch_dir = lake.dir() + "/scratch/split";
    options.functions.vector_search =
        [this](const std::string& index, const std::string& text, size_t k,
               const std::string& filter) -> Result<std::vector<query::SearchRow>> {
      LH_ASSIGN_OR_RETURN(auto hits, client_->SearchText(index, text, k, filter));
      std::vector<query::SearchRow> rows;
      for (const auto& hit : hits) rows.push_back({hit.id, hit.distance, hit.metadata->dump()});
      return rows;
    };
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

}  // namespace
}  // namespace lakehouse::vector
