// The index page of the web UI over real HTTP: the mode choice only for an
// index with a full-text part, the hybrid ranks, matched terms highlighted
// and escaped, and a mode the index cannot answer shown as a 400 in place.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "embed/embedder_set.h"
#include "server/http_server.h"
#include "testing/embedded_lakehouse.h"
#include "testing/server_thread.h"
#include "vector/vector_service.h"
#include "web/ui_routes.h"

namespace lakehouse::web {
namespace {

class UiIndexPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto vectors = vector::VectorService::Open(nullptr, {.embedders = &embedders_});
    ASSERT_TRUE(vectors.ok());
    vectors_ = std::move(*vectors);
    CreateIndex("docs", text::Bm25Params{});
    CreateIndex("plain", std::nullopt);
    std::vector<vector::Item> items = {
        {"ann", {}, {{"note", "<script>alert(1)</script> Python guru"}}, "python developer"},
        {"ben", {}, {{"note", "forklift"}}, "forklift operator in a warehouse"},
        {"cat", {}, {{"note", "nurse"}}, "registered nurse in intensive care"},
    };
    ASSERT_TRUE(vectors_->Add("docs", items).ok());
    // An index without a full-text part takes no texts: its items come embedded.
    auto embedder = vectors_->EmbedderOf("plain");
    ASSERT_TRUE(embedder.ok());
    const std::vector<std::string> texts = {"registered nurse", "forklift operator"};
    auto embedded = (*embedder)->Embed(texts);
    ASSERT_TRUE(embedded.ok());
    ASSERT_TRUE(
        vectors_->Add("plain", {{"nurse", (*embedded)[0]}, {"driver", (*embedded)[1]}}).ok());
    server_ = std::make_unique<server::HttpServer>(HttpConfig{}, 64 << 20);
    RegisterUiRoutes(server_->router(), lakehouse_.catalog(), lakehouse_.engine(), *vectors_);
    running_ = std::make_unique<testing::ServerThread>(*server_);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", running_->port());
  }

  void CreateIndex(const std::string& name, std::optional<text::Bm25Params> full_text) {
    vector::IndexParams params;
    params.name = name;
    params.model = embedders_.default_name();
    params.full_text = full_text;
    auto created = vectors_->Create(params);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }

  std::pair<int, std::string> Get(const std::string& path, const httplib::Params& params = {}) {
    auto result = client_->Get(path, params, httplib::Headers{});
    EXPECT_TRUE(result);
    if (!result) return {0, ""};
    return {result->status, result->body};
  }

  testing::EmbeddedLakehouse lakehouse_;
  embed::EmbedderSet embedders_;
  std::unique_ptr<vector::VectorService> vectors_;
  std::unique_ptr<server::HttpServer> server_;
  std::unique_ptr<testing::ServerThread> running_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(UiIndexPageTest, ModeChoiceOnlyWithAFullTextPart) {
  auto [status, docs] = Get("/ui/indexes/docs");
  ASSERT_EQ(status, 200) << docs;
  EXPECT_NE(docs.find(R"(name="mode" value="hybrid" checked)"), std::string::npos) << docs;
  EXPECT_NE(docs.find(R"(name="mode" value="keyword")"), std::string::npos);
  EXPECT_NE(docs.find("BM25 k1 1.2 · b 0.75 · english"), std::string::npos);
  auto [plain_status, plain] = Get("/ui/indexes/plain");
  ASSERT_EQ(plain_status, 200) << plain;
  EXPECT_EQ(plain.find(R"(name="mode")"), std::string::npos);
  EXPECT_NE(plain.find(R"(id="search-text")"), std::string::npos) << "text search by vector stays";
  EXPECT_NE(plain.find(R"(id="index-full-text">none<)"), std::string::npos);
}

TEST_F(UiIndexPageTest, HybridResultsShowBothRanks) {
  auto [status, page] = Get("/ui/indexes/docs", {{"text", "python developer"}, {"mode", "hybrid"}});
  ASSERT_EQ(status, 200) << page;
  EXPECT_NE(page.find(R"(data-mode="hybrid")"), std::string::npos);
  EXPECT_NE(page.find("<th class=\"num\">vector rank</th>"), std::string::npos);
  EXPECT_NE(page.find(R"(<td class="num keyword-rank">1</td>)"), std::string::npos) << page;
  EXPECT_NE(page.find(R"(<td class="num vector-rank">)"), std::string::npos);
  // Items the keyword ranker did not find have no keyword rank.
  EXPECT_NE(page.find("<td class=\"num keyword-rank\">\u2014</td>"), std::string::npos);
  auto [vector_status, vector_page] =
      Get("/ui/indexes/docs", {{"text", "python developer"}, {"mode", "vector"}});
  ASSERT_EQ(vector_status, 200) << vector_page;
  EXPECT_NE(vector_page.find(R"(data-mode="vector")"), std::string::npos);
  EXPECT_EQ(vector_page.find("vector rank"), std::string::npos);
  EXPECT_NE(vector_page.find(R"(class="num hit-score")"), std::string::npos);
}

TEST_F(UiIndexPageTest, MatchedTermsAreMarkedAndEscaped) {
  auto [status, page] = Get("/ui/indexes/docs", {{"text", "python"}, {"mode", "keyword"}});
  ASSERT_EQ(status, 200) << page;
  EXPECT_NE(page.find(R"(<mark class="term">python</mark>)"), std::string::npos) << page;
  // The term found in the metadata, whatever its case, and the value around it escaped.
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt; <mark>Python</mark> guru"),
            std::string::npos)
      << page;
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
}

TEST_F(UiIndexPageTest, VectorQueriesAndTextsWithoutAFullTextPartStillSearch) {
  auto embedder = vectors_->EmbedderOf("docs");
  ASSERT_TRUE(embedder.ok());
  const std::vector<std::string> texts = {"forklift operator"};
  auto embedded = (*embedder)->Embed(texts);
  ASSERT_TRUE(embedded.ok());
  auto [status, page] =
      Get("/ui/indexes/docs", {{"vector", nlohmann::json((*embedded)[0]).dump()}});
  ASSERT_EQ(status, 200) << page;
  EXPECT_NE(page.find(R"(data-mode="vector")"), std::string::npos) << page;
  EXPECT_NE(page.find(R"(<td class="hit-id">ben</td>)"), std::string::npos);
  EXPECT_EQ(page.find("<th>matched</th>"), std::string::npos) << "no terms to match in a vector";
  auto [short_status, short_page] = Get("/ui/indexes/docs", {{"vector", "[1, 2]"}});
  EXPECT_EQ(short_status, 400);
  EXPECT_NE(short_page.find("class=\"error\""), std::string::npos) << short_page;
  auto [plain_status, plain] = Get("/ui/indexes/plain", {{"text", "nurse"}});
  ASSERT_EQ(plain_status, 200) << plain;
  EXPECT_NE(plain.find(R"(data-mode="vector")"), std::string::npos) << plain;
  EXPECT_EQ(plain.find("<th>matched</th>"), std::string::npos);
}

TEST_F(UiIndexPageTest, AModeTheIndexCannotAnswerIsA400InPlace) {
  auto [status, page] = Get("/ui/indexes/plain", {{"text", "nurse"}, {"mode", "keyword"}});
  EXPECT_EQ(status, 400);
  EXPECT_NE(page.find("<strong>Error 400:</strong>"), std::string::npos) << page;
  EXPECT_EQ(page.find("hits-table"), std::string::npos);
  auto [bad_status, bad] = Get("/ui/indexes/docs", {{"text", "nurse"}, {"mode", "fuzzy"}});
  EXPECT_EQ(bad_status, 400);
  EXPECT_NE(bad.find("<strong>Error 400:</strong>"), std::string::npos) << bad;
  EXPECT_NE(bad.find("fuzzy"), std::string::npos) << bad;
}

}  // namespace
}  // namespace lakehouse::web
