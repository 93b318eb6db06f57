// Tags, restore and row changes over real HTTP: PUT, GET and DELETE of tags,
// POST .../restore by version or tag, vacuum's report of the tagged versions
// it kept, upserts, deletes by predicate and compaction with their counts;
// every malformed request is a 400 naming what is wrong, every unknown
// dataset, version or tag a 404.
#include "server/dataset_routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/http_server.h"
#include "testing/embedded_lakehouse.h"
#include "testing/server_thread.h"

namespace lakehouse::server {
namespace {

using nlohmann::json;

class DatasetRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(lake_.Ingest("people", "id,state\n1,TX\n2,CA\n").ok());
    ASSERT_TRUE(lake_.Ingest("people", "id,state\n3,NY\n").ok());
    server_ = std::make_unique<HttpServer>(HttpConfig{}, 64 << 20);
    RegisterDatasetRoutes(server_->router(), lake_.catalog(), &lake_.ingestor());
    running_ = std::make_unique<testing::ServerThread>(*server_);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", running_->port());
  }

  static std::pair<int, json> Answer(const httplib::Result& result) {
    EXPECT_TRUE(result);
    if (!result) return {0, json()};
    return {result->status, json::parse(result->body, nullptr, false)};
  }
  std::pair<int, json> Put(const std::string& path, const std::string& body) {
    return Answer(client_->Put(path, body, "application/json"));
  }
  std::pair<int, json> Post(const std::string& path, const std::string& body) {
    return Answer(client_->Post(path, body, "application/json"));
  }
  std::pair<int, json> Get(const std::string& path) { return Answer(client_->Get(path)); }
  std::pair<int, json> Delete(const std::string& path) { return Answer(client_->Delete(path)); }
  static std::string Message(const json& answer) {
    return answer.is_object() && answer.contains("error") ? answer["error"].value("message", "")
                                                          : "";
  }

  testing::EmbeddedLakehouse lake_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<testing::ServerThread> running_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(DatasetRoutesTest, TagsArePutListedMovedAndDeleted) {
  auto [put, tag] = Put("/v1/datasets/people/tags/baseline", R"({"version": 1})");
  ASSERT_EQ(put, 200) << tag.dump();
  EXPECT_EQ(tag, (json{{"dataset", "people"}, {"tag", "baseline"}, {"version", 1}}));
  ASSERT_EQ(Put("/v1/datasets/people/tags/q3.final-2", R"({"version": 2})").first, 200);

  auto [listed, tags] = Get("/v1/datasets/people/tags");
  ASSERT_EQ(listed, 200) << tags.dump();
  EXPECT_EQ(tags["dataset"], "people");
  ASSERT_EQ(tags["tags"].size(), 2u);
  EXPECT_EQ(tags["tags"][0]["tag"], "baseline");
  EXPECT_EQ(tags["tags"][0]["version"], 1);
  EXPECT_TRUE(tags["tags"][0]["created"].is_string());
  EXPECT_EQ(tags["tags"][1]["tag"], "q3.final-2");

  ASSERT_EQ(Put("/v1/datasets/people/tags/baseline", R"({"version": 2})").first, 200);
  EXPECT_EQ(*lake_.catalog().GetTag("people", "baseline"), 2u);

  auto [deleted, gone] = Delete("/v1/datasets/people/tags/baseline");
  EXPECT_EQ(deleted, 200) << gone.dump();
  auto [again, missing] = Delete("/v1/datasets/people/tags/baseline");
  EXPECT_EQ(again, 404);
  EXPECT_NE(Message(missing).find("baseline"), std::string::npos) << missing.dump();
  EXPECT_EQ(Get("/v1/datasets/people/tags").second["tags"].size(), 1u);
}

TEST_F(DatasetRoutesTest, BadTagRequestsAre400AndUnknownOnes404) {
  const std::pair<std::string, std::string> bad_bodies[] = {
      {"not json", "body must be a JSON object"},
      {"[1]", "body must be a JSON object"},
      {"{}", "\"version\" is required"},
      {R"({"version": "1"})", "\"version\" must be a non-negative integer"},
      {R"({"version": -1})", "\"version\" must be a non-negative integer"},
      {R"({"version": 1.5})", "\"version\" must be a non-negative integer"},
      {R"({"version": 1, "colour": 2})", "unknown field \"colour\""},
      {R"({"tag": "x"})", "unknown field \"tag\""},
  };
  for (const auto& [body, words] : bad_bodies) {
    auto [status, answer] = Put("/v1/datasets/people/tags/baseline", body);
    EXPECT_EQ(status, 400) << body;
    EXPECT_NE(Message(answer).find(words), std::string::npos) << body << " -> " << answer.dump();
  }
  for (const char* tag : {"Baseline", "1st", "_x", "a%20b"}) {
    auto [status, answer] =
        Put(std::string("/v1/datasets/people/tags/") + tag, R"({"version": 1})");
    EXPECT_EQ(status, 400) << tag;
    EXPECT_NE(Message(answer).find("[a-z][a-z0-9_.-]{0,62}"), std::string::npos) << answer.dump();
    EXPECT_EQ(Delete(std::string("/v1/datasets/people/tags/") + tag).first, 400) << tag;
  }
  EXPECT_EQ(Put("/v1/datasets/Bad/tags/x", R"({"version": 1})").first, 400);
  EXPECT_EQ(Get("/v1/datasets/Bad/tags").first, 400);

  auto [no_version, answer] = Put("/v1/datasets/people/tags/later", R"({"version": 9})");
  EXPECT_EQ(no_version, 404);
  EXPECT_NE(Message(answer).find("9"), std::string::npos) << answer.dump();
  EXPECT_EQ(Put("/v1/datasets/nosuch/tags/x", R"({"version": 1})").first, 404);
  EXPECT_EQ(Get("/v1/datasets/nosuch/tags").first, 404);
  EXPECT_EQ(Delete("/v1/datasets/people/tags/nope").first, 404);
  EXPECT_TRUE(lake_.catalog().ListTags("people")->empty());
}

TEST_F(DatasetRoutesTest, RestoreByVersionOrTagAnswersTheNewManifest) {
  auto [by_version, manifest] = Post("/v1/datasets/people/restore", R"({"version": 1})");
  ASSERT_EQ(by_version, 200) << manifest.dump();
  EXPECT_EQ(manifest["dataset"], "people");
  EXPECT_EQ(manifest["version"], 3);
  EXPECT_EQ(manifest["operation"], "restore");
  EXPECT_EQ(manifest["restored_from"], 1);
  EXPECT_EQ(manifest["rows"], 2);
  EXPECT_EQ(manifest["counts"], (json{{"inserted", 2}, {"updated", 0}, {"deleted", 3}}));

  ASSERT_TRUE(lake_.catalog().PutTag("people", "full", 2).ok());
  auto [by_tag, again] = Post("/v1/datasets/people/restore", R"({"tag": "full"})");
  ASSERT_EQ(by_tag, 200) << again.dump();
  EXPECT_EQ(again["version"], 4);
  EXPECT_EQ(again["restored_from"], 2);
  EXPECT_EQ(again["rows"], 3);
  EXPECT_EQ(lake_.catalog().GetCurrent("people")->version, 4u);
}

TEST_F(DatasetRoutesTest, BadRestoresAre400AndUnknownTargets404) {
  const std::pair<std::string, std::string> bad_bodies[] = {
      {"", "body must be a JSON object"},
      {"not json", "body must be a JSON object"},
      {"{}", "\"version\" or \"tag\" is required"},
      {R"({"version": 1, "tag": "x"})", "not both"},
      {R"({"version": "1"})", "\"version\" must be a non-negative integer"},
      {R"({"tag": 5})", "\"tag\" must be a string"},
      {R"({"tag": "Bad"})", "[a-z][a-z0-9_.-]{0,62}"},
      {R"({"when": "yesterday"})", "unknown field \"when\""},
  };
  for (const auto& [body, words] : bad_bodies) {
    auto [status, answer] = Post("/v1/datasets/people/restore", body);
    EXPECT_EQ(status, 400) << body;
    EXPECT_NE(Message(answer).find(words), std::string::npos) << body << " -> " << answer.dump();
  }
  const std::pair<std::string, std::string> unknown[] = {
      {R"({"version": 9})", "9"},
      {R"({"tag": "nope"})", "nope"},
  };
  for (const auto& [body, words] : unknown) {
    auto [status, answer] = Post("/v1/datasets/people/restore", body);
    EXPECT_EQ(status, 404) << body;
    EXPECT_NE(Message(answer).find(words), std::string::npos) << body << " -> " << answer.dump();
  }
  EXPECT_EQ(Post("/v1/datasets/nosuch/restore", R"({"version": 1})").first, 404);
  EXPECT_EQ(Post("/v1/datasets/Bad/restore", R"({"version": 1})").first, 400);
  EXPECT_EQ(lake_.catalog().GetCurrent("people")->version, 2u);
}

TEST_F(DatasetRoutesTest, VacuumReportsTheTaggedVersionsItKept) {
  ASSERT_EQ(Put("/v1/datasets/people/tags/first", R"({"version": 1})").first, 200);
  ASSERT_TRUE(lake_.Ingest("people", "id,state\n4,WA\n").ok());
  auto [status, report] = Post("/v1/datasets/people/vacuum?keep=1", "");
  ASSERT_EQ(status, 200) << report.dump();
  EXPECT_EQ(report["removed_versions"], json::array({2}));
  EXPECT_EQ(report["kept_tagged"], json::array({1}));
  EXPECT_EQ(Get("/v1/datasets/people/versions/1").first, 200);
}

std::pair<int, json> PostCsv(httplib::Client& client, const std::string& path,
                             const std::string& csv) {
  auto result = client.Post(path, csv, "application/octet-stream");
  EXPECT_TRUE(result);
  if (!result) return {0, json()};
  return {result->status, json::parse(result->body, nullptr, false)};
}

TEST_F(DatasetRoutesTest, UpsertDeleteAndCompactAnswerWhatTheyDid) {
  auto [upserted, up] =
      PostCsv(*client_, "/v1/datasets/people/ingest?format=csv&mode=upsert&key=id",
              "id,state\n2,WA\n4,OR\n");
  ASSERT_EQ(upserted, 201) << up.dump();
  EXPECT_EQ(up["operation"], "upsert");
  EXPECT_EQ(up["rows_updated"], 1);
  EXPECT_EQ(up["rows_inserted"], 1);
  EXPECT_EQ(up["rows"], 4);

  auto [deleted, del] = Post("/v1/datasets/people/delete", R"({"where": "state = 'WA'"})");
  ASSERT_EQ(deleted, 201) << del.dump();
  EXPECT_EQ(del["rows_deleted"], 1);
  EXPECT_EQ(del["rows"], 3);
  EXPECT_EQ(del["operation"], "delete_rows");
  auto [nothing, none] = Post("/v1/datasets/people/delete", R"({"where": "id > 99"})");
  EXPECT_EQ(nothing, 200) << none.dump();
  EXPECT_EQ(none["rows_deleted"], 0);
  EXPECT_EQ(none["version"], del["version"]);

  auto [compacted, compact] = Post("/v1/datasets/people/compact", "");
  ASSERT_EQ(compacted, 201) << compact.dump();
  EXPECT_EQ(compact["operation"], "compact");
  EXPECT_EQ(compact["rows"], 3);
  EXPECT_EQ(Post("/v1/datasets/people/compact", "").first, 200);
  EXPECT_EQ(Post("/v1/datasets/nobody/compact", "").first, 404);
}

TEST_F(DatasetRoutesTest, BadChangeRequestsAre400NamingTheProblem) {
  const std::pair<std::string, std::string> bad_ingests[] = {
      {"mode=upsert", "key=COLUMN"},
      {"mode=append&key=id", "mode=upsert only"},
      {"mode=upsert&key=id,,state", "empty column name"},
      {"mode=upsert&key=id,id", "twice"},
      {"mode=merge", "append, overwrite or upsert"},
      {"mode=append&schema=loose", "evolve or strict"},
      {"mode=overwrite&schema=evolve", "append and upsert"},
  };
  for (const auto& [query, words] : bad_ingests) {
    auto [status, answer] =
        PostCsv(*client_, "/v1/datasets/people/ingest?format=csv&" + query, "id,state\n9,ME\n");
    EXPECT_EQ(status, 400) << query << ": " << answer.dump();
    EXPECT_NE(Message(answer).find(words), std::string::npos) << query << ": " << answer.dump();
  }
  for (const std::string body : {"not json", R"({"where": 1})", R"({"filter": "id = 1"})", "[]"}) {
    auto [status, answer] = Post("/v1/datasets/people/delete", body);
    EXPECT_EQ(status, 400) << body << ": " << answer.dump();
    EXPECT_NE(Message(answer).find("where"), std::string::npos) << answer.dump();
  }
  EXPECT_EQ(Post("/v1/datasets/people/delete", R"x({"where": "id IN (SELECT 1)"})x").first, 403);
  EXPECT_EQ(Post("/v1/datasets/Bad-Name/delete", R"({"where": "true"})").first, 400);
  EXPECT_EQ(lake_.catalog().GetCurrent("people")->version, 2u);
}

TEST_F(DatasetRoutesTest, EraseAnswersWhatItDidAndTheLogListsIt) {
  auto [erased, answer] = Post("/v1/datasets/people/erase", R"({"where": "id = 2"})");
  ASSERT_EQ(erased, 201) << answer.dump();
  EXPECT_EQ(answer["rows_erased"], 1);
  EXPECT_EQ(answer["version"], 3);
  EXPECT_EQ(answer["versions_rewritten"], json::array({1, 2}));
  EXPECT_EQ(answer["state"], "done");
  EXPECT_FALSE(answer.contains("rewrites")) << "keys stay out of the answer";
  auto [listed, log] = Get("/v1/datasets/people/erasures");
  ASSERT_EQ(listed, 200);
  ASSERT_EQ(log["erasures"].size(), 1u);
  EXPECT_EQ(log["erasures"][0]["where"], "id = 2");
  EXPECT_EQ(log["erasures"][0]["id"], answer["id"]);
  auto [version, manifest] = Get("/v1/datasets/people/versions/1");
  ASSERT_EQ(version, 200);
  EXPECT_EQ(manifest["rows"], 1);
  EXPECT_EQ(manifest["erasures"], json::array({answer["id"]}));

  auto [nothing, none] = Post("/v1/datasets/people/erase", R"({"where": "id = 99"})");
  EXPECT_EQ(nothing, 200);
  EXPECT_EQ(none["rows_erased"], 0);
}

TEST_F(DatasetRoutesTest, BadErasuresAre4xxNamingTheProblem) {
  EXPECT_EQ(Post("/v1/datasets/people/erase", "not json").first, 400);
  EXPECT_EQ(Post("/v1/datasets/people/erase", R"({"where": 1})").first, 400);
  auto [column, answer] = Post("/v1/datasets/people/erase", R"({"where": "nosuch = 1"})");
  EXPECT_EQ(column, 400);
  EXPECT_NE(Message(answer).find("nosuch"), std::string::npos) << answer.dump();
  auto [subquery, refused] =
      Post("/v1/datasets/people/erase", R"j({"where": "id IN (SELECT 1)"})j");
  EXPECT_GE(subquery, 400);
  EXPECT_LT(subquery, 500) << refused.dump();
  EXPECT_EQ(Post("/v1/datasets/nobody/erase", R"({"where": "id = 1"})").first, 404);
  EXPECT_EQ(Get("/v1/datasets/people/erasures").second["erasures"], json::array());
  EXPECT_EQ(lake_.catalog().GetCurrent("people")->version, 2u);
}

// Each route's body is read by one parser: a misspelt field is a 400 naming
// it and the fields the route takes, never an ignored default.
TEST_F(DatasetRoutesTest, MisspeltFieldsAre400NamingThem) {
  struct Case {
    std::string method, path, body, field, accepted;
  };
  const Case cases[] = {
      {"POST", "/v1/datasets/people/delete", R"({"wher": "id = 1"})", "wher", R"("where")"},
      {"POST", "/v1/datasets/people/erase", R"({"where": "id = 1", "dry_run": true})", "dry_run",
       R"("where")"},
      {"PUT", "/v1/datasets/people/tags/t", R"({"versoin": 1})", "versoin", R"("version")"},
      {"POST", "/v1/datasets/people/restore", R"({"tga": "t"})", "tga", R"("version", "tag")"},
      {"POST", "/v1/datasets/people/commit", R"({"dataset": "people", "mdoe": "append"})", "mdoe",
       R"("dataset", "mode")"},
      {"POST", "/v1/datasets/people/rewrite-files", R"({"erasure": "e", "file": []})", "file",
       R"("erasure", "files", "deletes")"},
      // Inside a commit's nested objects too, named by where they are.
      {"POST", "/v1/datasets/people/commit",
       R"({"dataset": "people", "mode": "append", "schema": [{"name": "id", "tpye": "BIGINT"}],
           "files": []})",
       "tpye", "name, type"},
      {"POST", "/v1/datasets/people/commit",
       R"({"dataset": "people", "mode": "append", "schema": [{"name": "id", "type": "BIGINT"}],
           "files": [{"key": "k", "rows": 1, "bytes": 1,
                      "deletes": [{"key": "d", "rows": 1, "bytez": 1}]}]})",
       "bytez", "key, rows, bytes"},
      {"POST", "/v1/datasets/people/commit",
       R"({"dataset": "people", "mode": "append", "schema": [], "files": [],
           "source": {"file_name": "a.csv", "bytes": 1, "sha": "x"}})",
       "sha", "file_name, bytes, sha256"},
  };
  for (const auto& c : cases) {
    auto [status, answer] = c.method == "PUT" ? Put(c.path, c.body) : Post(c.path, c.body);
    EXPECT_EQ(status, 400) << c.path << ": " << answer.dump();
    EXPECT_NE(Message(answer).find("unknown field \"" + c.field + "\""), std::string::npos)
        << c.path << ": " << answer.dump();
    EXPECT_NE(Message(answer).find("accepted fields: " + c.accepted), std::string::npos)
        << c.path << ": " << answer.dump();
  }
  auto [nested, where] = Post("/v1/datasets/people/commit", cases[7].body);
  EXPECT_EQ(nested, 400);
  EXPECT_NE(Message(where).find("files[0].deletes[0]: unknown field"), std::string::npos)
      << where.dump();
  // Text that is not JSON is refused saying where it broke.
  auto [broken, answer] = Post("/v1/datasets/people/delete", R"({"where": "id = 1",})");
  EXPECT_EQ(broken, 400);
  EXPECT_NE(Message(answer).find("not JSON"), std::string::npos) << answer.dump();
  EXPECT_NE(Message(answer).find("line 1, column 20"), std::string::npos) << answer.dump();
  EXPECT_EQ(lake_.catalog().GetCurrent("people")->version, 2u) << "nothing changed";
  EXPECT_TRUE(lake_.catalog().ListTags("people")->empty());
}

}  // namespace
}  // namespace lakehouse::server
