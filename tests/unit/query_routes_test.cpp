// POST /v1/query on the wire: the body's fields, and every malformed body a 400 saying why.
#include "server/query_routes.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "server/http_server.h"
#include "testing/embedded_lakehouse.h"
#include "testing/server_thread.h"

namespace lakehouse::server {
namespace {

using nlohmann::json;

class QueryRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(lake_.Ingest("people", "id,state\n1,TX\n2,CA\n3,NY\n").ok());
    server_ = std::make_unique<HttpServer>(HttpConfig{}, 64 << 20);
    RegisterQueryRoutes(server_->router(), lake_.engine());
    running_ = std::make_unique<testing::ServerThread>(*server_);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", running_->port());
  }
  void TearDown() override { running_.reset(); }

  // The status and the body, parsed when it is JSON.
  std::pair<int, json> Post(const std::string& body) {
    auto result = client_->Post("/v1/query", body, "application/json");
    if (!result) return {0, json()};
    return {result->status, json::parse(result->body, nullptr, false)};
  }
  static std::string Message(const json& answer) {
    return answer.is_object() && answer.contains("error") ? answer["error"].value("message", "")
                                                          : "";
  }

  testing::EmbeddedLakehouse lake_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<testing::ServerThread> running_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(QueryRoutesTest, TakesEveryDocumentedField) {
  auto [status, answer] = Post(
      R"({"sql": "SELECT id FROM people ORDER BY id", "limit": 2, "format": "json",
          "as_of": {"people": 1}})");
  ASSERT_EQ(status, 200) << answer.dump();
  EXPECT_EQ(answer["rows"], json::parse("[[1], [2]]"));
  EXPECT_EQ(answer["truncated"], true);
  EXPECT_EQ(answer["versions"], json::parse(R"({"people": 1})"));
  auto csv = client_->Post("/v1/query", R"({"sql": "SELECT 1 AS one", "format": "csv"})",
                           "application/json");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->body, "one\r\n1\r\n");
}

TEST_F(QueryRoutesTest, AMisspeltFieldIs400NamingIt) {
  auto [status, answer] = Post(R"({"sql": "SELECT * FROM people", "limt": 5})");
  EXPECT_EQ(status, 400) << answer.dump();
  EXPECT_EQ(answer["error"]["code"], "invalid_argument");
  EXPECT_NE(Message(answer).find("unknown field \"limt\""), std::string::npos) << answer.dump();
  EXPECT_NE(Message(answer).find(R"(accepted fields: "sql", "limit", "format", "as_of")"),
            std::string::npos)
      << answer.dump();
}

TEST_F(QueryRoutesTest, ABodyThatIsNotAJsonObjectIs400SayingWhy) {
  const std::pair<std::string, std::string> bad_bodies[] = {
      {"", "not JSON"},
      {R"({"sql": "SELECT 1")", "line 1, column 19"},  // the input ends there
      {"{\"sql\":\n  \"SELECT 1\" \"x\"}", "line 2"},
      {R"(["SELECT 1"])", "not an array"},
      {R"("SELECT 1")", "not a string"},
      {"null", "not null"},
      {std::string(100, '[') + std::string(100, ']'), "nests deeper than 64"},
      {"{}", "\"sql\" must be a string"},
  };
  for (const auto& [body, words] : bad_bodies) {
    auto [status, answer] = Post(body);
    EXPECT_EQ(status, 400) << body;
    EXPECT_NE(Message(answer).find(words), std::string::npos) << body << " -> " << answer.dump();
  }
}

TEST_F(QueryRoutesTest, AWriteIs403FromTheFenceWhateverTableItNames) {
  for (const std::string sql :
       {"INSERT INTO people VALUES (1)", "INSERT INTO nosuch VALUES (1)", "DROP TABLE nosuch",
        "DELETE FROM people", "UPDATE nosuch SET x=1"}) {
    auto [status, answer] = Post(json{{"sql", sql}}.dump());
    EXPECT_EQ(status, 403) << sql << " -> " << answer.dump();
    EXPECT_EQ(answer["error"]["code"], "forbidden") << sql;
    EXPECT_TRUE(Message(answer).starts_with(
        "only one read-only statement (SELECT, EXPLAIN) may run; this is "))
        << sql << " -> " << answer.dump();
  }
}

TEST_F(QueryRoutesTest, AnUnquotedVersionIs400SayingHowToWriteIt) {
  auto [status, answer] = Post(R"({"sql": "SELECT count(*) FROM people@1"})");
  EXPECT_EQ(status, 400) << answer.dump();
  EXPECT_NE(Message(answer).find(R"(write "people@1" in double quotes to read version 1)"),
            std::string::npos)
      << answer.dump();
}

TEST_F(QueryRoutesTest, AsOfNamingAnUnknownOrUnreadDatasetIsRefused) {
  ASSERT_TRUE(lake_.Ingest("clients", "id\n1\n").ok());
  auto [unknown, unknown_answer] =
      Post(R"({"sql": "SELECT count(*) FROM people", "as_of": {"nosuch": 1}})");
  EXPECT_EQ(unknown, 404) << unknown_answer.dump();
  EXPECT_NE(Message(unknown_answer).find(R"(dataset "nosuch" does not exist)"), std::string::npos)
      << unknown_answer.dump();
  auto [unread, unread_answer] =
      Post(R"({"sql": "SELECT count(*) FROM people", "as_of": {"clients": 1}})");
  EXPECT_EQ(unread, 400) << unread_answer.dump();
  EXPECT_NE(Message(unread_answer).find("does not read it"), std::string::npos)
      << unread_answer.dump();
  auto [missing, missing_answer] =
      Post(R"({"sql": "SELECT count(*) FROM people", "as_of": {"people": 7}})");
  EXPECT_EQ(missing, 404) << missing_answer.dump();
}

TEST_F(QueryRoutesTest, AnUnknownDatasetIs404InTheCatalogsWords) {
  auto [status, answer] = Post(R"({"sql": "SELECT * FROM nosuch"})");
  EXPECT_EQ(status, 404) << answer.dump();
  EXPECT_EQ(Message(answer), R"(dataset "nosuch" does not exist)");
}

}  // namespace
}  // namespace lakehouse::server
