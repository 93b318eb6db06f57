// POST /v1/embed on the wire: vectors by the default embedder, and every bad
// request a 4xx saying what is wrong.
#include "server/embed_routes.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "server/http_server.h"
#include "testing/server_thread.h"

namespace lakehouse::server {
namespace {

using nlohmann::json;

class EmbedRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<HttpServer>(HttpConfig{}, 64 << 20);
    RegisterEmbedRoutes(server_->router(), embedders_);
    running_ = std::make_unique<testing::ServerThread>(*server_);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", running_->port());
  }
  void TearDown() override { running_.reset(); }
  std::pair<int, json> Post(const json& body) {
    auto result = client_->Post("/v1/embed", body.dump(), "application/json");
    if (!result) return {0, json()};
    return {result->status, json::parse(result->body, nullptr, false)};
  }

  embed::EmbedderSet embedders_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<testing::ServerThread> running_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(EmbedRoutesTest, EmbedsWithTheDefaultModel) {
  auto [status, body] = Post({{"texts", {"python data engineer", "registered nurse", ""}}});
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["model"], "lakehouse-hash-v2");
  EXPECT_EQ(body["dim"], 1024);
  ASSERT_EQ(body["vectors"].size(), 3u);
  EXPECT_EQ(body["vectors"][0].size(), 1024u);
  auto [again, same] = Post({{"texts", {"python data engineer"}}, {"model", "lakehouse-hash-v2"}});
  ASSERT_EQ(again, 200);
  EXPECT_EQ(same["vectors"][0], body["vectors"][0]);
}

TEST_F(EmbedRoutesTest, BadRequestsSayWhatIsWrong) {
  struct Case {
    json body;
    int status;
    std::string message;
  };
  std::vector<Case> cases = {
      {json::object(), 400, "\"texts\" must be an array"},
      {{{"texts", "one text"}}, 400, "\"texts\" must be an array"},
      {{{"texts", {"ok", 7}}}, 400, "text 1 is not a string"},
      {{{"texts", {"ok"}}, {"model", "gpt-x"}},
       400,
       "no embedder \"gpt-x\"; known: lakehouse-hash-v2"},
      {{{"texts", {"ok"}}, {"modle", "x"}}, 400, "unknown field \"modle\""},
      {{{"texts", std::vector<std::string>(kMaxTextsPerEmbed + 1, "t")}}, 413, "at most 4096"},
  };
  for (const auto& c : cases) {
    auto [status, body] = Post(c.body);
    EXPECT_EQ(status, c.status) << c.body.dump().substr(0, 80);
    EXPECT_NE(body["error"]["message"].get<std::string>().find(c.message), std::string::npos)
        << body.dump();
  }
  auto raw = client_->Post("/v1/embed", "{not json", "application/json");
  EXPECT_EQ(raw->status, 400);
}

}  // namespace
}  // namespace lakehouse::server
