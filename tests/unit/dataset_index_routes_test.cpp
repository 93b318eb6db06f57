// POST /v1/datasets/{name}/indexes over real HTTP: a build answers 201 with
// the index and its source, a refresh 200; every malformed body is a 400
// naming what is wrong, and creates no index.
#include "server/dataset_index_routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/http_server.h"
#include "server/vector_routes.h"
#include "testing/embedded_lakehouse.h"
#include "testing/server_thread.h"

namespace lakehouse::server {
namespace {

using nlohmann::json;

class DatasetIndexRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(lakehouse_
                    .Ingest("people",
                            "id,state,resume\n1,TX,python data engineer\n"
                            "2,CA,registered nurse\n")
                    .ok());
    auto vectors = vector::VectorService::Open(&lakehouse_.store(), {.embedders = &embedders_});
    ASSERT_TRUE(vectors.ok());
    vectors_ = std::move(*vectors);
    indexer_ = std::make_unique<vector::DatasetIndexer>(*vectors_, &reader_, embedders_);
    server_ = std::make_unique<HttpServer>(HttpConfig{}, 64 << 20);
    RegisterDatasetIndexRoutes(server_->router(), *indexer_);
    RegisterVectorRoutes(server_->router(), *vectors_);
    running_ = std::make_unique<testing::ServerThread>(*server_);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", running_->port());
  }

  std::pair<int, json> Post(const std::string& body) {
    auto result = client_->Post("/v1/datasets/people/indexes", body, "application/json");
    EXPECT_TRUE(result);
    if (!result) return {0, json()};
    return {result->status, json::parse(result->body, nullptr, false)};
  }

  testing::EmbeddedLakehouse lakehouse_;
  query::EngineSqlReader reader_{lakehouse_.engine()};
  embed::EmbedderSet embedders_;
  std::unique_ptr<vector::VectorService> vectors_;
  std::unique_ptr<vector::DatasetIndexer> indexer_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<testing::ServerThread> running_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(DatasetIndexRoutesTest, BuildIs201AndRefreshIs200) {
  const std::string body =
      R"({"index": "people_resume", "id_column": "id", "text_column": "resume"})";
  auto [built, index] = Post(body);
  ASSERT_EQ(built, 201) << index.dump();
  EXPECT_EQ(index["count"], 2);
  EXPECT_EQ(index["source"]["dataset"], "people");
  EXPECT_EQ(index["build"]["created"], true);
  auto [refreshed, again] = Post(body);
  EXPECT_EQ(refreshed, 200) << again.dump();
  EXPECT_EQ(again["build"]["upserted"], 0);
}

TEST_F(DatasetIndexRoutesTest, MalformedBodiesAre400AndCreateNothing) {
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "body must be a JSON object"},
      {R"({"index": "x", "id_column": "id"})", "\"text_column\" is required"},
      {R"({"id_column": "id", "text_column": "resume"})", "\"index\" is required"},
      {R"({"index": 7, "id_column": "id", "text_column": "resume"})", "\"index\" must be a string"},
      {R"({"index": "x", "id_column": "id", "text_column": "resume", "colour": 1})",
       "unknown field \"colour\""},
      {R"({"index": "x", "id_column": "id", "text_column": "resume", "rebuild": "yes"})",
       "\"rebuild\" must be true or false"},
      {R"({"index": "x", "id_column": "id", "text_column": "resume", "metadata_columns": [1]})",
       "\"metadata_columns\" must be an array of column names"},
      {R"({"index": "x", "id_column": "id", "text_column": "cv"})", "no column \"cv\""},
      {R"({"index": "x", "id_column": "id", "text_column": "resume", "stemmer": "french"})",
       "\"stemmer\": stemming must be \"english\" or \"none\", not \"french\""},
      {R"({"index": "x", "id_column": "id", "text_column": "resume", "k1": "high"})",
       "\"k1\" must be a number"},
      {R"({"index": "x", "id_column": "id", "text_column": "resume", "b": 1.5})", "BM25 b must be"},
      {R"({"index": "x", "id_column": "id", "text_column": "resume", "full_text": "yes"})",
       "\"full_text\" must be true or false"},
      {R"({"index": "x", "id_column": "id", "text_column": "resume", "full_text": false, "k1": 2})",
       "which \"full_text\": false turns off"},
  };
  for (const auto& [body, words] : cases) {
    auto [status, answer] = Post(body);
    EXPECT_EQ(status, 400) << body;
    EXPECT_NE(answer["error"].value("message", "").find(words), std::string::npos)
        << body << " -> " << answer.dump();
  }
  EXPECT_TRUE(vectors_->List().empty());
}

TEST_F(DatasetIndexRoutesTest, AnIndexHasAFullTextPartAndIsSearchedInEveryMode) {
  auto [built, index] = Post(
      R"({"index": "people_resume", "id_column": "id", "text_column": "resume", "stemmer": "none",
          "k1": 0.9, "b": 0.4})");
  ASSERT_EQ(built, 201) << index.dump();
  EXPECT_EQ(index["full_text"], (json{{"k1", 0.9}, {"b", 0.4}, {"stemmer", "none"}}));
  auto search = [&](const json& body) {
    auto result =
        client_->Post("/v1/indexes/people_resume/search", body.dump(), "application/json");
    EXPECT_TRUE(result);
    return std::make_pair(result->status, json::parse(result->body, nullptr, false));
  };
  auto [hybrid, hybrid_hits] =
      search({{"text", "registered nurse"}, {"k", 2}, {"highlight", true}});
  ASSERT_EQ(hybrid, 200) << hybrid_hits.dump();
  EXPECT_EQ(hybrid_hits["mode"], "hybrid");
  const json& top = hybrid_hits["results"][0];
  EXPECT_EQ(top["id"], "2");
  EXPECT_EQ(top["keyword_rank"], 1);
  EXPECT_TRUE(top["vector_rank"].is_number());
  EXPECT_TRUE(top["score"].is_number());
  EXPECT_EQ(top["matched"], (json{"nurse", "registered"}));
  // Only "2" holds a query word: a null keyword rank for the other.
  EXPECT_TRUE(hybrid_hits["results"][1]["keyword_rank"].is_null());

  auto [keyword, keyword_hits] = search({{"text", "nurse"}, {"mode", "keyword"}});
  ASSERT_EQ(keyword, 200) << keyword_hits.dump();
  ASSERT_EQ(keyword_hits["results"].size(), 1u);
  EXPECT_TRUE(keyword_hits["results"][0]["distance"].is_null());
  EXPECT_FALSE(keyword_hits["results"][0].contains("vector_rank"));
  auto [filtered, none] =
      search({{"text", "nurse"}, {"mode", "keyword"}, {"filter", {{"state", "TX"}}}});
  ASSERT_EQ(filtered, 200);
  EXPECT_TRUE(none["results"].empty());
  auto [vector, vector_hits] = search({{"text", "nurse"}, {"mode", "vector"}});
  ASSERT_EQ(vector, 200);
  EXPECT_EQ(vector_hits["results"].size(), 2u);
  EXPECT_TRUE(vector_hits["results"][0]["distance"].is_number());

  const std::pair<json, std::string> bad[] = {
      {{{"text", "x"}, {"mode", "hybrid"}, {"rrf_k", -1}}, "\"rrf_k\" must be a number above 0"},
      {{{"text", "x"}, {"rrf_k", "sixty"}}, "\"rrf_k\" must be a number"},
      {{{"text", "x"}, {"weights", {{"vector", 1}, {"colour", 2}}}}, "\"weights\" has \"colour\""},
      {{{"text", "x"}, {"weights", {{"vector", -1}}}}, "a weight must be a number 0 or above"},
      {{{"text", "x"}, {"weights", 3}}, "\"weights\" must be an object"},
      {{{"text", "x"}, {"mode", "vector"}, {"weights", {{"vector", 2}}}}, "hybrid\" only"},
      {{{"text", "x"}, {"highlight", "yes"}}, "\"highlight\" must be true or false"},
      {{{"mode", "keyword"}}, "needs a \"text\""},
      {{{"text", "x"}, {"k", 0}}, "\"k\" must be a positive integer"},
  };
  for (const auto& [body, words] : bad) {
    auto [status, answer] = search(body);
    EXPECT_EQ(status, 400) << body.dump();
    EXPECT_NE(answer["error"].value("message", "").find(words), std::string::npos)
        << body.dump() << " -> " << answer.dump();
  }
}

// docs/api.md: a name that is taken is 409, whichever route tries to take it.
TEST_F(DatasetIndexRoutesTest, ANameThatIsTakenIs409FromEitherRoute) {
  auto post = [&](const std::string& path, const json& body) {
    auto result = client_->Post(path, body.dump(), "application/json");
    EXPECT_TRUE(result);
    return result ? std::make_pair(result->status, json::parse(result->body, nullptr, false))
                  : std::make_pair(0, json());
  };
  ASSERT_EQ(post("/v1/indexes", {{"name", "plain"}, {"dim", 2}}).first, 201);
  auto [plain, plain_answer] =
      post("/v1/datasets/people/indexes",
           {{"index", "plain"}, {"id_column", "id"}, {"text_column", "resume"}});
  EXPECT_EQ(plain, 409) << plain_answer.dump();
  EXPECT_EQ(plain_answer["error"]["code"], "conflict");

  ASSERT_EQ(Post(R"({"index": "people_resume", "id_column": "id", "text_column": "resume"})").first,
            201);
  auto [again, again_answer] = post("/v1/indexes", {{"name", "people_resume"}, {"dim", 2}});
  EXPECT_EQ(again, 409) << again_answer.dump();
  auto [other_column, other_answer] =
      Post(R"({"index": "people_resume", "id_column": "id", "text_column": "state"})");
  EXPECT_EQ(other_column, 409) << other_answer.dump();
  EXPECT_NE(other_answer["error"]["message"].get<std::string>().find("people.id/resume"),
            std::string::npos)
      << other_answer.dump();
  // Nothing was replaced.
  EXPECT_EQ(vectors_->Describe("plain")->params.dim, 2u);
  EXPECT_EQ(vectors_->Describe("people_resume")->source->text_column, "resume");
}

}  // namespace
}  // namespace lakehouse::server
