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
  };
  for (const auto& [body, words] : cases) {
    auto [status, answer] = Post(body);
    EXPECT_EQ(status, 400) << body;
    EXPECT_NE(answer["error"].value("message", "").find(words), std::string::npos)
        << body << " -> " << answer.dump();
  }
  EXPECT_TRUE(vectors_->List().empty());
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
