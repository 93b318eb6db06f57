// The Iceberg REST catalog on the wire, over a fake TableSource: each route's
// status and body shape, HEAD answers, every error in the Iceberg shape, and
// the front door's 401 in that shape too.
#include "server/iceberg_routes.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "gateway/front_door.h"
#include "server/http_server.h"
#include "testing/server_thread.h"

namespace lakehouse::server {
namespace {

using nlohmann::json;

// Two datasets, or whatever failure a test sets.
class FakeTableSource : public iceberg::TableSource {
 public:
  Result<std::vector<std::string>> ListTables() override {
    if (!fail.ok()) return fail;
    std::vector<std::string> names;
    for (const auto& [name, table] : tables) names.push_back(name);
    return names;
  }
  Result<iceberg::LoadedTable> LoadTable(std::string_view name) override {
    ++loads;
    if (!fail.ok()) return fail;
    auto it = tables.find(std::string(name));
    if (it == tables.end()) {
      return Status::NotFound("dataset \"" + std::string(name) + "\" does not exist");
    }
    return it->second;
  }

  std::map<std::string, iceberg::LoadedTable> tables = {
      {"candidates",
       {"s3://lake/iceberg/candidates/metadata/00003-a.metadata.json",
        {{"format-version", 2}, {"table-uuid", "u-1"}, {"current-snapshot-id", 3}}}},
      {"jobs",
       {"s3://lake/iceberg/jobs/metadata/00001-b.metadata.json",
        {{"format-version", 2}, {"table-uuid", "u-2"}, {"current-snapshot-id", 1}}}}};
  Status fail = Status::Ok();
  std::atomic<int> loads{0};
};

struct Answer {
  int status = 0;
  json body;
  std::string raw;
  std::string etag;
};

class IcebergRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(""); }
  void TearDown() override {
    running_.reset();
    if (!token_file_.empty()) std::remove(token_file_.c_str());
  }

  // A server with the catalog's routes; with `tokens`, behind a front door.
  void Start(const std::string& tokens) {
    running_.reset();
    server_ = std::make_unique<HttpServer>(HttpConfig{}, 1 << 20);
    if (!tokens.empty()) {
      char path[] = "/tmp/lakehouse-iceberg-tokens-XXXXXX";
      int fd = mkstemp(path);
      ASSERT_GE(fd, 0);
      ASSERT_EQ(write(fd, tokens.data(), tokens.size()), static_cast<ssize_t>(tokens.size()));
      close(fd);
      token_file_ = path;
      auto door = gateway::FrontDoor::Open({token_file_, false}, {"127.0.0.1", 0});
      ASSERT_TRUE(door.ok()) << door.status().ToString();
      door_ = std::move(*door);
      door_->Install(*server_);
    }
    RegisterIcebergRoutes(server_->router(), source_, "lakehouse");
    running_ = std::make_unique<testing::ServerThread>(*server_);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", running_->port());
  }

  static Answer From(const httplib::Result& result) {
    Answer answer;
    if (!result) return answer;
    answer.status = result->status;
    answer.raw = result->body;
    answer.body = json::parse(result->body, nullptr, false);
    answer.etag = result->get_header_value("ETag");
    return answer;
  }
  Answer Get(const std::string& path, const httplib::Headers& headers = {}) {
    return From(client_->Get(path, headers));
  }
  Answer Head(const std::string& path) { return From(client_->Head(path)); }
  Answer Post(const std::string& path, const json& body = json::object()) {
    return From(client_->Post(path, body.dump(), "application/json"));
  }
  Answer Delete(const std::string& path) { return From(client_->Delete(path)); }

  // The spec's error shape, with the HTTP status repeated as "code".
  static void ExpectError(const Answer& answer, int status, const std::string& type,
                          const std::string& message_part = "") {
    EXPECT_EQ(answer.status, status) << answer.raw;
    ASSERT_TRUE(answer.body.is_object() && answer.body.contains("error")) << answer.raw;
    const json& error = answer.body["error"];
    EXPECT_EQ(error["type"], type) << answer.raw;
    EXPECT_EQ(error["code"], status) << answer.raw;
    ASSERT_TRUE(error["message"].is_string()) << answer.raw;
    EXPECT_NE(error["message"].get<std::string>().find(message_part), std::string::npos)
        << answer.raw;
  }

  FakeTableSource source_;
  std::string token_file_;
  std::unique_ptr<gateway::FrontDoor> door_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<testing::ServerThread> running_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(IcebergRoutesTest, ConfigListsTheEndpointsServed) {
  for (const char* path : {"/iceberg/v1/config", "/iceberg/v1/config?warehouse=anything"}) {
    Answer config = Get(path);
    ASSERT_EQ(config.status, 200) << config.raw;
    EXPECT_EQ(config.body["defaults"], json::object());
    EXPECT_EQ(config.body["overrides"], json::object());
    const json& endpoints = config.body["endpoints"];
    ASSERT_TRUE(endpoints.is_array());
    for (const char* e : {"GET /v1/{prefix}/namespaces", "HEAD /v1/{prefix}/namespaces/{namespace}",
                          "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
                          "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}"}) {
      EXPECT_NE(std::find(endpoints.begin(), endpoints.end(), e), endpoints.end()) << e;
    }
    // Only what succeeds: a client that checks the list refuses a write itself.
    for (const json& e : endpoints) {
      const std::string text = e;
      EXPECT_TRUE(text.starts_with("GET ") || text.starts_with("HEAD ") ||
                  text.ends_with("/metrics"))
          << text;
    }
  }
}

TEST_F(IcebergRoutesTest, ListsTheOneNamespace) {
  Answer all = Get("/iceberg/v1/namespaces");
  ASSERT_EQ(all.status, 200) << all.raw;
  EXPECT_EQ(all.body["namespaces"], json::parse(R"([["lakehouse"]])"));
  EXPECT_TRUE(all.body["next-page-token"].is_null());
  EXPECT_EQ(Get("/iceberg/v1/namespaces?pageSize=10&pageToken=").status, 200);
  // It has no children; a parent that does not exist is 404.
  Answer children = Get("/iceberg/v1/namespaces?parent=lakehouse");
  ASSERT_EQ(children.status, 200) << children.raw;
  EXPECT_EQ(children.body["namespaces"], json::array());
  ExpectError(Get("/iceberg/v1/namespaces?parent=other"), 404, "NoSuchNamespaceException",
              "Namespace does not exist: other");
  ExpectError(Get("/iceberg/v1/namespaces?parent=lakehouse%1Fx"), 404, "NoSuchNamespaceException",
              "lakehouse.x");
}

TEST_F(IcebergRoutesTest, LoadsTheNamespaceAndAnswersHead) {
  Answer ns = Get("/iceberg/v1/namespaces/lakehouse");
  ASSERT_EQ(ns.status, 200) << ns.raw;
  EXPECT_EQ(ns.body, json::parse(R"({"namespace": ["lakehouse"], "properties": {}})"));
  Answer head = Head("/iceberg/v1/namespaces/lakehouse");
  EXPECT_EQ(head.status, 204);
  EXPECT_EQ(head.raw, "");
  // Percent-encoded letters are the same namespace.
  EXPECT_EQ(Get("/iceberg/v1/namespaces/lake%68ouse").status, 200);

  ExpectError(Get("/iceberg/v1/namespaces/other"), 404, "NoSuchNamespaceException",
              "Namespace does not exist: other");
  Answer missing = Head("/iceberg/v1/namespaces/other");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.raw, "");
}

TEST_F(IcebergRoutesTest, NamespaceLevelsAreSeparatedByUnitSeparators) {
  // Two levels: a namespace that does not exist, named with a dot.
  ExpectError(Get("/iceberg/v1/namespaces/lakehouse%1Fsub"), 404, "NoSuchNamespaceException",
              "lakehouse.sub");
  ExpectError(Get("/iceberg/v1/namespaces/lakehouse%1fsub/tables"), 404,
              "NoSuchNamespaceException");
  // An empty level or a broken escape is malformed: 400.
  ExpectError(Get("/iceberg/v1/namespaces/lakehouse%1F"), 400, "BadRequestException", "level");
  ExpectError(Get("/iceberg/v1/namespaces/%1Flakehouse/tables"), 400, "BadRequestException");
  ExpectError(Get("/iceberg/v1/namespaces/lake%zzhouse"), 400, "BadRequestException");
  ExpectError(Get("/iceberg/v1/namespaces/lake%2"), 400, "BadRequestException");
  // An encoded slash stays inside its segment: no such namespace, not another route.
  ExpectError(Get("/iceberg/v1/namespaces/lakehouse%2Ftables"), 404, "NoSuchNamespaceException");
}

TEST_F(IcebergRoutesTest, ListsTablesInPages) {
  Answer all = Get("/iceberg/v1/namespaces/lakehouse/tables");
  ASSERT_EQ(all.status, 200) << all.raw;
  EXPECT_EQ(all.body["identifiers"], json::parse(R"([
      {"namespace": ["lakehouse"], "name": "candidates"},
      {"namespace": ["lakehouse"], "name": "jobs"}])"));
  EXPECT_TRUE(all.body["next-page-token"].is_null());

  Answer first = Get("/iceberg/v1/namespaces/lakehouse/tables?pageSize=1");
  ASSERT_EQ(first.status, 200) << first.raw;
  ASSERT_EQ(first.body["identifiers"].size(), 1u);
  EXPECT_EQ(first.body["identifiers"][0]["name"], "candidates");
  ASSERT_TRUE(first.body["next-page-token"].is_string());
  Answer second = Get("/iceberg/v1/namespaces/lakehouse/tables?pageSize=1&pageToken=" +
                      first.body["next-page-token"].get<std::string>());
  ASSERT_EQ(second.body["identifiers"].size(), 1u);
  EXPECT_EQ(second.body["identifiers"][0]["name"], "jobs");
  EXPECT_TRUE(second.body["next-page-token"].is_null());

  ExpectError(Get("/iceberg/v1/namespaces/lakehouse/tables?pageSize=0"), 400, "BadRequestException",
              "pageSize");
  ExpectError(Get("/iceberg/v1/namespaces/nope/tables"), 404, "NoSuchNamespaceException");
  // There are no views, and listing them says so.
  Answer views = Get("/iceberg/v1/namespaces/lakehouse/views");
  ASSERT_EQ(views.status, 200) << views.raw;
  EXPECT_EQ(views.body["identifiers"], json::array());
  ExpectError(Get("/iceberg/v1/namespaces/lakehouse/views/v"), 404, "NoSuchViewException");
}

TEST_F(IcebergRoutesTest, LoadsATableAsALoadTableResult) {
  for (const char* query : {"", "?snapshots=all", "?snapshots=refs"}) {
    Answer table = Get(std::string("/iceberg/v1/namespaces/lakehouse/tables/candidates") + query);
    ASSERT_EQ(table.status, 200) << table.raw;
    EXPECT_EQ(table.body["metadata-location"],
              "s3://lake/iceberg/candidates/metadata/00003-a.metadata.json");
    EXPECT_EQ(table.body["metadata"]["format-version"], 2);
    EXPECT_EQ(table.body["metadata"]["current-snapshot-id"], 3);
    EXPECT_EQ(table.body["config"], json::object());
    EXPECT_FALSE(table.etag.empty());
  }
  ExpectError(Get("/iceberg/v1/namespaces/lakehouse/tables/candidates?snapshots=some"), 400,
              "BadRequestException", "snapshots");
  // The same metadata again: 304 to a client that has it.
  Answer first = Get("/iceberg/v1/namespaces/lakehouse/tables/jobs");
  Answer again =
      Get("/iceberg/v1/namespaces/lakehouse/tables/jobs", {{"If-None-Match", first.etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_NE(first.etag, Get("/iceberg/v1/namespaces/lakehouse/tables/candidates").etag);

  Answer head = Head("/iceberg/v1/namespaces/lakehouse/tables/jobs");
  EXPECT_EQ(head.status, 204);
  EXPECT_EQ(head.raw, "");
  Answer missing = Head("/iceberg/v1/namespaces/lakehouse/tables/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.raw, "");
}

TEST_F(IcebergRoutesTest, UnknownTablesAndNamespacesAre404InTheIcebergShape) {
  ExpectError(Get("/iceberg/v1/namespaces/lakehouse/tables/x"), 404, "NoSuchTableException",
              "Table does not exist: lakehouse.x");
  ExpectError(Get("/iceberg/v1/namespaces/other/tables/candidates"), 404,
              "NoSuchNamespaceException", "Namespace does not exist: other");
  // A name no dataset can have is 404 without asking the source.
  const int loads = source_.loads;
  ExpectError(Get("/iceberg/v1/namespaces/lakehouse/tables/Candidates"), 404,
              "NoSuchTableException", "Table does not exist: lakehouse.Candidates");
  ExpectError(Get("/iceberg/v1/namespaces/lakehouse/tables/a%2Fb"), 404, "NoSuchTableException",
              "lakehouse.a/b");
  ExpectError(Get("/iceberg/v1/namespaces/lakehouse/tables/a.b"), 404, "NoSuchTableException");
  EXPECT_EQ(source_.loads, loads);
  // The percent-encoded name of a real table is that table.
  EXPECT_EQ(Get("/iceberg/v1/namespaces/lakehouse/tables/j%6Fbs").status, 200);
  // A path the catalog does not serve still answers in its shape.
  ExpectError(Get("/iceberg/v1/nothing/here"), 404, "NotFoundException");
  ExpectError(Get("/iceberg/v1"), 404, "NotFoundException");
}

TEST_F(IcebergRoutesTest, SourceFailuresMapToTheSpecsTypes) {
  source_.fail = Status::Unavailable("storage did not answer");
  ExpectError(Get("/iceberg/v1/namespaces/lakehouse/tables"), 503, "ServiceUnavailableException",
              "storage did not answer");
  ExpectError(Get("/iceberg/v1/namespaces/lakehouse/tables/jobs"), 503,
              "ServiceUnavailableException");
  EXPECT_EQ(Head("/iceberg/v1/namespaces/lakehouse/tables/jobs").status, 503);
  // A server's failure keeps its files' paths to the log.
  source_.fail = Status::IoError("read /var/lib/lakehouse/objects/x.json: bad");
  Answer failed = Get("/iceberg/v1/namespaces/lakehouse/tables/jobs");
  ExpectError(failed, 500, "InternalServerError", "read <path>");
  EXPECT_EQ(failed.raw.find("/var/lib"), std::string::npos) << failed.raw;
}

TEST_F(IcebergRoutesTest, EveryWriteIsForbiddenAndNamesLakehousesRoute) {
  ExpectError(Post("/iceberg/v1/namespaces/lakehouse/tables/x",
                   {{"requirements", json::array()}, {"updates", json::array()}}),
              403, "ForbiddenException", "POST /v1/datasets/x/ingest");
  ExpectError(Post("/iceberg/v1/namespaces/lakehouse/tables/candidates"), 403, "ForbiddenException",
              "read-only");
  ExpectError(Post("/iceberg/v1/namespaces/lakehouse/tables", {{"name", "t"}}), 403,
              "ForbiddenException", "POST /v1/datasets/{name}/ingest");
  ExpectError(Delete("/iceberg/v1/namespaces/lakehouse/tables/candidates"), 403,
              "ForbiddenException", "DELETE /v1/datasets/candidates");
  ExpectError(Post("/iceberg/v1/namespaces", {{"namespace", {"new"}}}), 403, "ForbiddenException",
              "[iceberg] namespace");
  ExpectError(Delete("/iceberg/v1/namespaces/lakehouse"), 403, "ForbiddenException");
  ExpectError(Post("/iceberg/v1/namespaces/lakehouse/properties"), 403, "ForbiddenException");
  ExpectError(Post("/iceberg/v1/namespaces/lakehouse/register"), 403, "ForbiddenException");
  ExpectError(Post("/iceberg/v1/tables/rename"), 403, "ForbiddenException", "read-only");
  ExpectError(Post("/iceberg/v1/transactions/commit"), 403, "ForbiddenException",
              "POST /v1/datasets/{name}/ingest");
  ExpectError(Post("/iceberg/v1/namespaces/lakehouse/views"), 403, "ForbiddenException", "views");
  ExpectError(From(client_->Put("/iceberg/v1/namespaces/lakehouse", "{}", "application/json")), 403,
              "ForbiddenException");
  ExpectError(Post("/iceberg/v1/oauth/tokens"), 400, "BadRequestException", "no OAuth tokens");
  // Scan reports are taken and dropped.
  EXPECT_EQ(Post("/iceberg/v1/namespaces/lakehouse/tables/jobs/metrics").status, 204);
  EXPECT_EQ(source_.loads, 0);
  // The connection stays usable after a refused body.
  EXPECT_EQ(Get("/iceberg/v1/config").status, 200);
}

TEST_F(IcebergRoutesTest, TheFrontDoorRefusesInTheIcebergShape) {
  Start("reader read rrrrrrrrrrrrrrrrrrrr\n");
  ExpectError(Get("/iceberg/v1/namespaces"), 401, "NotAuthorizedException", "token");
  ExpectError(Get("/iceberg/v1/config", {{"Authorization", "Bearer not-a-known-token-000"}}), 401,
              "NotAuthorizedException");
  EXPECT_EQ(Head("/iceberg/v1/namespaces/lakehouse").status, 401);
  const httplib::Headers reader = {{"Authorization", "Bearer rrrrrrrrrrrrrrrrrrrr"}};
  EXPECT_EQ(Get("/iceberg/v1/namespaces", reader).status, 200);
  // A read token's write reaches the catalog, which refuses it itself.
  ExpectError(From(client_->Post("/iceberg/v1/namespaces/lakehouse/tables/x", reader, "{}",
                                 "application/json")),
              403, "ForbiddenException", "read-only");
}

}  // namespace
}  // namespace lakehouse::server
