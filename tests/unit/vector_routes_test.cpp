// The Vectors routes on the wire, against a real HTTP server.
#include "server/vector_routes.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "embed/embedder_set.h"
#include "server/http_server.h"
#include "storage/local_object_store.h"
#include "testing/server_thread.h"
#include "testing/temp_dir.h"
#include "vector/lhd1.h"

namespace lakehouse::server {
namespace {

using nlohmann::json;

class VectorRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<HttpServer>(HttpConfig{}, 64 << 20);
    auto service = vector::VectorService::Open(nullptr);
    ASSERT_TRUE(service.ok());
    service_ = std::move(*service);
    RegisterVectorRoutes(server_->router(), *service_);
    running_ = std::make_unique<testing::ServerThread>(*server_);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", running_->port());
    client_->set_url_encode(false);
  }
  void TearDown() override { running_.reset(); }
  std::pair<int, json> Post(const std::string& path, const json& body) {
    auto result = client_->Post(path, body.dump(), "application/json");
    if (!result) return {0, json()};
    return {result->status, json::parse(result->body, nullptr, false)};
  }

  std::unique_ptr<vector::VectorService> service_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<testing::ServerThread> running_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(VectorRoutesTest, CreateAddSearchGetDelete) {
  auto [created, index] = Post("/v1/indexes", {{"name", "people"}, {"dim", 2}, {"metric", "l2"}});
  ASSERT_EQ(created, 201);
  EXPECT_EQ(index["dim"], 2);
  EXPECT_EQ(index["m"], 16);
  EXPECT_EQ(Post("/v1/indexes", {{"name", "people"}, {"dim", 2}}).first, 409);
  auto [added, counts] =
      Post("/v1/indexes/people/vectors",
           {{"items",
             {{{"id", "ada"}, {"vector", {0, 0}}, {"metadata", {{"state", "TX"}}}},
              {{"id", "a/b c"}, {"vector", {3, 4}}}}}});
  ASSERT_EQ(added, 200);
  EXPECT_EQ(counts["added"], 2);
  EXPECT_EQ(counts["count"], 2);
  auto [searched, hits] = Post("/v1/indexes/people/search", {{"vector", {3, 4}}, {"k", 2}});
  ASSERT_EQ(searched, 200);
  EXPECT_EQ(hits["results"][0]["id"], "a/b c");
  EXPECT_EQ(hits["results"][0]["distance"], 0.0);
  EXPECT_EQ(hits["results"][1]["distance"], 25.0);
  EXPECT_EQ(hits["results"][1]["metadata"]["state"], "TX");
  // A filter keeps only the items whose metadata passes, nearest first.
  auto [filtered, only_tx] = Post("/v1/indexes/people/search",
                                  {{"vector", {3, 4}}, {"k", 2}, {"filter", {{"state", "TX"}}}});
  ASSERT_EQ(filtered, 200);
  ASSERT_EQ(only_tx["results"].size(), 1u);
  EXPECT_EQ(only_tx["results"][0]["id"], "ada");
  auto [bad_filter, why] = Post("/v1/indexes/people/search",
                                {{"vector", {3, 4}}, {"filter", {{"state", {{"like", "T%"}}}}}});
  EXPECT_EQ(bad_filter, 400);
  EXPECT_NE(why["error"]["message"].get<std::string>().find("unknown operator \"like\""),
            std::string::npos);
  auto got = client_->Get("/v1/indexes/people/vectors/a%2Fb%20c");
  ASSERT_EQ(got->status, 200);
  EXPECT_EQ(json::parse(got->body)["vector"], json({3.0, 4.0}));
  EXPECT_EQ(client_->Delete("/v1/indexes/people/vectors/ada")->status, 204);
  EXPECT_EQ(client_->Delete("/v1/indexes/people/vectors/ada")->status, 404);
  EXPECT_EQ(json::parse(client_->Get("/v1/indexes")->body)["indexes"][0]["count"], 1);
  EXPECT_EQ(client_->Delete("/v1/indexes/people")->status, 204);
  EXPECT_EQ(client_->Get("/v1/indexes/people")->status, 404);
}

TEST(VectorRoutesModelTest, CreateTakesAModelAndSearchesByText) {
  embed::EmbedderSet embedders;
  auto service = vector::VectorService::Open(nullptr, {.embedders = &embedders});
  ASSERT_TRUE(service.ok());
  HttpServer server(HttpConfig{}, 64 << 20);
  RegisterVectorRoutes(server.router(), **service);
  testing::ServerThread running(server);
  httplib::Client client("127.0.0.1", running.port());
  auto created = client.Post("/v1/indexes", R"({"name": "jobs", "model": "lakehouse-hash-v2"})",
                             "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  json index = json::parse(created->body);
  EXPECT_EQ(index["model"], "lakehouse-hash-v2");
  EXPECT_EQ(index["dim"], 1024) << "the model's dimension";
  auto unknown =
      client.Post("/v1/indexes", R"({"name": "other", "model": "gpt-x"})", "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400) << unknown->body;
  auto searched =
      client.Post("/v1/indexes/jobs/search", R"({"text": "nurse", "k": 1})", "application/json");
  ASSERT_TRUE(searched);
  EXPECT_EQ(searched->status, 200) << searched->body;
}

TEST(VectorRoutesDamageTest, ADamagedDeltaIsNamedInTheIndexList) {
  testing::TempDir dir;
  auto local = storage::LocalObjectStore::Open({dir.path() + "/objects", 1ull << 30});
  ASSERT_TRUE(local.ok());
  vector::IndexParams params;
  params.name = "notes";
  params.dim = 2;
  params.metric = vector::Metric::kL2;
  {
    auto writer = vector::VectorService::Open(local->get());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Create(params).ok());
    ASSERT_TRUE((*writer)->Add("notes", {{"a", {1, 0}, json::object()}}).ok());
    ASSERT_TRUE((*writer)->Add("notes", {{"b", {0, 1}, json::object()}}).ok());
  }
  const std::string key = vector::lhd1::DeltaKey("notes", 2);
  std::string bytes = *(*local)->GetBytes(key);
  ASSERT_TRUE((*local)->PutBytes(key, bytes.substr(0, bytes.size() - 10)).ok());

  auto service = vector::VectorService::Open(local->get());
  ASSERT_TRUE(service.ok());
  HttpServer server(HttpConfig{}, 64 << 20);
  RegisterVectorRoutes(server.router(), **service);
  testing::ServerThread running(server);
  httplib::Client client("127.0.0.1", running.port());
  auto listed = client.Get("/v1/indexes");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200);
  json index = json::parse(listed->body)["indexes"][0];
  EXPECT_EQ(index["count"], 1);
  ASSERT_TRUE(index.contains("damaged")) << index.dump();
  EXPECT_NE(index["damaged"].get<std::string>().find(key), std::string::npos) << index.dump();
}

TEST_F(VectorRoutesTest, BadInputIs4xxAndChangesNothing) {
  ASSERT_EQ(Post("/v1/indexes", {{"name", "v"}, {"dim", 3}}).first, 201);
  ASSERT_EQ(
      Post("/v1/indexes/v/vectors", {{"items", {{{"id", "keep"}, {"vector", {1, 2, 3}}}}}}).first,
      200);
  const std::vector<json> bad_batches = {
      {{"items", {{{"id", "a"}, {"vector", {1, 2, 3}}}, {{"id", "b"}, {"vector", {1, 2}}}}}},
      {{"items", {{{"id", "a"}, {"vector", {1, "x", 3}}}}}},
      {{"items", {{{"vector", {1, 2, 3}}}}}},
      {{"items", "not a list"}},
      {{"items", {{{"id", "a"}, {"vector", {1, 2, 3}}, {"metadata", {1, 2}}}}}},
      {{"items", {{{"id", "a"}, {"vector", {1, 2, 3}}, {"meta", {{"x", 1}}}}}}},
      {{"items", {{{"id", "a"}, {"vector", {3e19, 0, 0}}}}}},
  };
  for (const auto& batch : bad_batches) {
    auto [status, error] = Post("/v1/indexes/v/vectors", batch);
    EXPECT_EQ(status, 400) << batch.dump();
    EXPECT_EQ(error["error"]["code"], "invalid_argument");
  }
  auto [first_bad, error] = Post("/v1/indexes/v/vectors", bad_batches[0]);
  EXPECT_NE(error["error"]["message"].get<std::string>().find("item 1"), std::string::npos);
  EXPECT_EQ(service_->Find("v").value()->size(), 1u);
  EXPECT_EQ(Post("/v1/indexes", {{"name", "Bad Name"}, {"dim", 3}}).first, 400);
  EXPECT_EQ(Post("/v1/indexes", {{"name", "big"}, {"dim", 5000}}).first, 400);
  EXPECT_EQ(Post("/v1/indexes", {{"name", "m"}, {"dim", 3}, {"metric", "hamming"}}).first, 400);
  // A misspelt field is an error, not a silent default.
  auto [misspelt, why] = Post("/v1/indexes", {{"name", "m"}, {"dim", 3}, {"metirc", "l2"}});
  EXPECT_EQ(misspelt, 400);
  EXPECT_NE(why["error"]["message"].get<std::string>().find("unknown field \"metirc\""),
            std::string::npos);
  // The answer lists the fields a create takes.
  EXPECT_NE(why["error"]["message"].get<std::string>().find("\"metric\", \"m\""), std::string::npos)
      << why.dump();
  auto [misspelt_items, items_why] = Post("/v1/indexes/v/vectors", {{"itmes", json::array()}});
  EXPECT_EQ(misspelt_items, 400);
  EXPECT_NE(items_why["error"]["message"].get<std::string>().find("unknown field \"itmes\""),
            std::string::npos)
      << items_why.dump();
  EXPECT_EQ(Post("/v1/indexes/v/search", {{"vector", {1, 2, 3}}, {"topk", 3}}).first, 400);
  EXPECT_EQ(Post("/v1/indexes/v/search", {{"vector", {-3e19, 0, 0}}}).first, 400);
  // Text needs an index with a model, and a search is by vector or by text.
  auto [no_model, no_model_error] = Post("/v1/indexes/v/search", {{"text", "python"}});
  EXPECT_EQ(no_model, 400);
  EXPECT_NE(no_model_error["error"]["message"].get<std::string>().find("has no model"),
            std::string::npos);
  EXPECT_EQ(Post("/v1/indexes/v/search", {{"text", "x"}, {"vector", {1, 2, 3}}}).first, 400);
  EXPECT_EQ(Post("/v1/indexes/v/search", {{"k", 3}}).first, 400);
  // "model" is a field of a create, but this service has no embedders.
  auto [no_embedders, no_embedders_error] =
      Post("/v1/indexes", {{"name", "t"}, {"model", "lakehouse-hash-v2"}});
  EXPECT_EQ(no_embedders, 400);
  EXPECT_NE(no_embedders_error["error"]["message"].get<std::string>().find("no embedders"),
            std::string::npos)
      << no_embedders_error.dump();
  EXPECT_EQ(Post("/v1/indexes", {{"name", "t"}, {"dim", 3}, {"model", 7}}).first, 400);
  auto [text_type, text_error] = Post("/v1/indexes/v/search", {{"text", 42}});
  EXPECT_EQ(text_type, 400);
  EXPECT_NE(text_error["error"]["message"].get<std::string>().find("\"text\" must be a string"),
            std::string::npos);
  EXPECT_EQ(client_->Get("/v1/indexes/t")->status, 404);  // nothing was created
  EXPECT_EQ(Post("/v1/indexes/nope/search", {{"vector", {1, 2, 3}}}).first, 404);
  EXPECT_EQ(Post("/v1/indexes/v/search", {{"vector", {1, 2}}}).first, 400);
  EXPECT_EQ(Post("/v1/indexes/v/search", {{"vector", {1, 2, 3}}, {"k", 0}}).first, 400);
  auto raw = client_->Post("/v1/indexes", "{not json", "application/json");
  EXPECT_EQ(raw->status, 400);
}

TEST_F(VectorRoutesTest, ItemsCarryTextsIntoAFullTextPart) {
  auto [created, index] =
      Post("/v1/indexes", {{"name", "jobs"}, {"dim", 2}, {"full_text", true}, {"b", 0.5}});
  ASSERT_EQ(created, 201) << index.dump();
  EXPECT_EQ(index["full_text"]["b"], 0.5);
  EXPECT_EQ(index["full_text"]["stemmer"], "english");
  auto [added, counts] =
      Post("/v1/indexes/jobs/vectors",
           {{"items",
             {{{"id", "a"}, {"vector", {1, 0}}, {"text", "Series 7 licensed broker"}},
              {{"id", "b"}, {"vector", {0, 1}}, {"text", "401k plan administrator"}}}}});
  ASSERT_EQ(added, 200) << counts.dump();
  auto [searched, hits] =
      Post("/v1/indexes/jobs/search", {{"text", "401k"}, {"vector", {1, 0}}, {"k", 2}});
  ASSERT_EQ(searched, 200) << hits.dump();
  EXPECT_EQ(hits["mode"], "hybrid");         // a text and a full-text part
  EXPECT_EQ(hits["results"][0]["id"], "b");  // in both rankings, where "a" is in one
  // Without a model, an item needs its vector; a text must be a string.
  EXPECT_EQ(Post("/v1/indexes/jobs/vectors", {{"items", {{{"id", "c"}, {"text", "x"}}}}}).first,
            400);
  auto [bad_text, why] = Post("/v1/indexes/jobs/vectors",
                              {{"items", {{{"id", "c"}, {"vector", {1, 0}}, {"text", 3}}}}});
  EXPECT_EQ(bad_text, 400);
  EXPECT_EQ(why["error"]["message"], "item 0: text must be a string; nothing was added");
  // An index made without a full-text part refuses texts.
  ASSERT_EQ(Post("/v1/indexes", {{"name", "plain"}, {"dim", 2}}).first, 201);
  auto [refused, answer] = Post("/v1/indexes/plain/vectors",
                                {{"items", {{{"id", "a"}, {"vector", {1, 0}}, {"text", "x"}}}}});
  EXPECT_EQ(refused, 400);
  EXPECT_NE(answer["error"]["message"].get<std::string>().find("has no full-text part"),
            std::string::npos);
  EXPECT_EQ(Post("/v1/indexes", {{"name", "bad"}, {"dim", 2}, {"stemmer", "klingon"}}).first, 400);
}

TEST_F(VectorRoutesTest, ASearchModeIsVectorAndTheOthersAre400SayingWhy) {
  ASSERT_EQ(Post("/v1/indexes", {{"name", "people"}, {"dim", 2}, {"metric", "l2"}}).first, 201);
  ASSERT_EQ(
      Post("/v1/indexes/people/vectors",
           {{"items", {{{"id", "ada"}, {"vector", {0, 0}}}, {{"id", "bob"}, {"vector", {3, 4}}}}}})
          .first,
      200);
  auto [plain, plain_hits] = Post("/v1/indexes/people/search", {{"vector", {3, 4}}, {"k", 1}});
  auto [vector, vector_hits] =
      Post("/v1/indexes/people/search", {{"vector", {3, 4}}, {"k", 1}, {"mode", "vector"}});
  ASSERT_EQ(vector, 200) << vector_hits.dump();
  EXPECT_EQ(vector_hits, plain_hits);
  for (const std::string mode : {"keyword", "hybrid"}) {
    auto [status, answer] =
        Post("/v1/indexes/people/search", {{"vector", {3, 4}}, {"k", 1}, {"mode", mode}});
    EXPECT_EQ(status, 400) << mode;
    EXPECT_EQ(answer["error"]["message"],
              "\"mode\": \"" + mode +
                  "\" needs a full-text part, and index \"people\" has none: it is searched by "
                  "its vectors alone (\"mode\": \"vector\")");
  }
  for (const json& mode : {json("fuzzy"), json(3), json("Vector")}) {
    auto [status, answer] = Post("/v1/indexes/people/search", {{"vector", {3, 4}}, {"mode", mode}});
    EXPECT_EQ(status, 400) << mode.dump();
    EXPECT_NE(answer["error"]["message"].get<std::string>().find(
                  R"("mode" must be "hybrid", "vector" or "keyword")"),
              std::string::npos)
        << answer.dump();
  }
  EXPECT_EQ(Post("/v1/indexes/nosuch/search", {{"vector", {3, 4}}, {"mode", "keyword"}}).first,
            404);
}

}  // namespace
}  // namespace lakehouse::server
