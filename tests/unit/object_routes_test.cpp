// The Objects routes on the wire: raw requests against a real HTTP server,
// checking statuses, JSON errors and the key decoding that clients rely on.
#include "server/object_routes.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/percent_encoding.h"
#include "server/http_server.h"
#include "storage/http_object_store.h"
#include "storage/local_object_store.h"
#include "storage/object_key.h"
#include "testing/server_thread.h"
#include "testing/service_process.h"
#include "testing/temp_dir.h"

namespace lakehouse::server {
namespace {

constexpr uint64_t kMax = 1 << 20;

class ObjectRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::LocalObjectStore::Open({dir_.path() + "/objects", kMax});
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    server_ = std::make_unique<HttpServer>(HttpConfig{}, kMax);
    RegisterObjectRoutes(server_->router(), *store_, kMax);
    running_ = std::make_unique<testing::ServerThread>(*server_);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", running_->port());
    client_->set_url_encode(false);
  }
  void TearDown() override { running_.reset(); }

  std::string ErrorCode(const httplib::Result& result) {
    auto json = nlohmann::json::parse(result->body, nullptr, false);
    if (json.is_discarded()) return "<not json: " + result->body + ">";
    return json["error"]["code"];
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::LocalObjectStore> store_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<testing::ServerThread> running_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ObjectRoutesTest, PutReturns201WithKeySizeAndEtag) {
  auto result = client_->Put("/v1/objects/a/b", "hello", "application/octet-stream");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 201);
  auto json = nlohmann::json::parse(result->body);
  EXPECT_EQ(json["key"], "a/b");
  EXPECT_EQ(json["size"], 5);
  EXPECT_FALSE(json["etag"].get<std::string>().empty());
}

TEST_F(ObjectRoutesTest, EncodedDotSegmentsAreRejectedAndNothingEscapes) {
  for (const char* path : {"/v1/objects/%2E%2E/escaped", "/v1/objects/a/%2e%2e/%2e%2e/escaped",
                           "/v1/objects/a%2F..%2F..%2Fescaped", "/v1/objects/a%00b", "/v1/objects/",
                           "/v1/objects//etc/escaped", "/v1/objects/a/./b", "/v1/objects/%C0%AF",
                           "/v1/objects/bad%zzescape"}) {
    auto result = client_->Put(path, "evil", "application/octet-stream");
    ASSERT_TRUE(result) << path;
    EXPECT_EQ(result->status, 400) << path;
    EXPECT_EQ(ErrorCode(result), "invalid_key") << path;
  }
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
    EXPECT_EQ(entry.path().string().find("escaped"), std::string::npos) << entry.path();
  }
}

TEST_F(ObjectRoutesTest, EncodedSlashAndLiteralSlashNameTheSameKey) {
  ASSERT_EQ(client_->Put("/v1/objects/a%2Fb/c", "v", "text/plain")->status, 201);
  auto got = client_->Get("/v1/objects/a/b/c");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "v");
  auto listed = nlohmann::json::parse(client_->Get("/v1/objects")->body);
  EXPECT_EQ(listed["objects"][0]["key"], "a/b/c");
}

TEST_F(ObjectRoutesTest, MissingObjectIs404WithJsonError) {
  auto result = client_->Get("/v1/objects/nope");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 404);
  EXPECT_EQ(ErrorCode(result), "not_found");
  EXPECT_EQ(client_->Head("/v1/objects/nope")->status, 404);
  EXPECT_EQ(client_->Delete("/v1/objects/nope")->status, 404);
}

TEST_F(ObjectRoutesTest, ConditionalPutIs412WhenPresent) {
  httplib::Headers if_absent = {{"If-None-Match", "*"}};
  EXPECT_EQ(client_->Put("/v1/objects/c", if_absent, "1", "text/plain")->status, 201);
  auto second = client_->Put("/v1/objects/c", if_absent, "2", "text/plain");
  EXPECT_EQ(second->status, 412);
  EXPECT_EQ(ErrorCode(second), "already_exists");
  EXPECT_EQ(client_->Get("/v1/objects/c")->body, "1");
  httplib::Headers etag_match = {{"If-None-Match", "\"abc\""}};
  EXPECT_EQ(client_->Put("/v1/objects/c", etag_match, "3", "text/plain")->status, 400);
}

TEST_F(ObjectRoutesTest, OversizedBodyIs413BeforeItIsRead) {
  std::string big(kMax + 1, 'x');
  auto result = client_->Put("/v1/objects/big", big, "application/octet-stream");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 413);
  EXPECT_EQ(ErrorCode(result), "too_large");
  EXPECT_EQ(client_->Head("/v1/objects/big")->status, 404);
}

TEST_F(ObjectRoutesTest, HeadAndGetCarryLengthEtagAndLastModified) {
  ASSERT_EQ(client_->Put("/v1/objects/h", "12345", "text/plain")->status, 201);
  auto head = client_->Head("/v1/objects/h");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->get_header_value("Content-Length"), "5");
  EXPECT_FALSE(head->get_header_value("ETag").empty());
  EXPECT_FALSE(head->get_header_value("Last-Modified").empty());
  EXPECT_TRUE(head->body.empty());
}

TEST_F(ObjectRoutesTest, RangeRequestReturnsThePart) {
  ASSERT_EQ(client_->Put("/v1/objects/r", "0123456789", "text/plain")->status, 201);
  auto part = client_->Get("/v1/objects/r", {{"Range", "bytes=2-5"}});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, "2345");
}

TEST_F(ObjectRoutesTest, ListValidatesItsParameters) {
  for (const char* query : {"limit=0", "limit=abc", "limit=1001", "limit=-1", "prefix=%2Fabs"}) {
    auto result = client_->Get(std::string("/v1/objects?") + query);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 400) << query;
  }
  auto ok = client_->Get("/v1/objects?limit=5&prefix=x%2F&start_after=x%2Fa");
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(nlohmann::json::parse(ok->body)["next"], nullptr);
}

TEST_F(ObjectRoutesTest, UnknownRouteIs404WithJsonError) {
  auto result = client_->Get("/v1/nothing");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 404);
  EXPECT_EQ(ErrorCode(result), "not_found");
}

// The system's key spaces, as stored and as an attacker may spell them on
// the wire: literally, with an escaped first byte, with escaped slashes.
struct SystemKey {
  std::string key;      // literal
  std::string on_wire;  // the path tail sent
  std::string prefix;   // the reserved prefix the 403 must name
};

std::vector<SystemKey> SystemKeys() {
  return {
      {"_catalog/ds/v/0000000001.json", "_catalog/ds/v/0000000001.json", "_catalog/"},
      {"_catalog/ds/v/0000000001.json", "%5Fcatalog/ds/v/0000000001.json", "_catalog/"},
      {"_catalog/ds/v/0000000001.json", "_catalog%2Fds%2Fv%2F0000000001.json", "_catalog/"},
      {"_catalog/other/v/0000000002.json", "%5f%63atalog%2fother/v/0000000002.json", "_catalog/"},
      {"data/ds/file.parquet", "data/ds/file.parquet", "data/"},
      {"data/ds/file.parquet", "%64ata%2Fds/file.parquet", "data/"},
      {"_vectors/idx.lhv1", "_vectors/idx.lhv1", "_vectors/"},
      {"_vectors/idx.lhv1", "%5Fvectors%2Fidx.lhv1", "_vectors/"},
      {"_lakehouse/vectord-writer", "_lakehouse/vectord-writer", "_lakehouse/"},
      {"_lakehouse/vectord-writer", "_lakehouse%2Fvectord-writer", "_lakehouse/"}};
}

TEST_F(ObjectRoutesTest, SystemKeysAreRefusedToEveryMethodAndNothingChanges) {
  for (const auto& system : SystemKeys()) {
    ASSERT_TRUE(store_->PutBytes(system.key, "the system's bytes").ok());
  }
  httplib::Headers if_absent = {{"If-None-Match", "*"}};
  for (const auto& system : SystemKeys()) {
    const std::string path = "/v1/objects/" + system.on_wire;
    auto check = [&](const httplib::Result& result, const char* method) {
      ASSERT_TRUE(result) << method << " " << path;
      EXPECT_EQ(result->status, 403) << method << " " << path;
      if (std::string(method) == "HEAD") return;
      EXPECT_EQ(ErrorCode(result), "forbidden") << method << " " << path;
      EXPECT_NE(result->body.find(system.prefix), std::string::npos) << result->body;
    };
    check(client_->Put(path, "forged", "application/octet-stream"), "PUT");
    check(client_->Put(path, if_absent, "forged", "application/octet-stream"), "PUT if absent");
    check(client_->Delete(path), "DELETE");
    check(client_->Get(path), "GET");
    check(client_->Head(path), "HEAD");
  }
  // Nor may a put-if-absent create a system key that does not exist yet.
  auto fresh = client_->Put("/v1/objects/_catalog/new/v/0000000001.json", if_absent, "{}",
                            "application/json");
  EXPECT_EQ(fresh->status, 403);
  EXPECT_EQ(store_->Head("_catalog/new/v/0000000001.json").status().code(), StatusCode::kNotFound);
  for (const auto& system : SystemKeys()) {
    EXPECT_EQ(*store_->GetBytes(system.key), "the system's bytes") << system.key;
  }
}

TEST_F(ObjectRoutesTest, KeysThatOnlyLookLikeSystemKeysAreUsers) {
  for (const char* key :
       {"data", "database/x", "_catalog", "_catalogue/x", "x/_catalog/y", "Data/x", "_vectorsx"}) {
    auto put = client_->Put("/v1/objects/" + storage::EncodeKeyForPath(key), "mine", "text/plain");
    ASSERT_TRUE(put);
    EXPECT_EQ(put->status, 201) << key;
  }
}

TEST_F(ObjectRoutesTest, ListingsNeverShowSystemKeys) {
  const std::vector<std::string> users = {"_catalogue", "_notes/a", "a", "d",
                                          "data",       "datum/1",  "zz"};
  for (const auto& key : users) ASSERT_TRUE(store_->PutBytes(key, "u").ok());
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(store_->PutBytes("data/ds/" + std::to_string(100 + i) + ".parquet", "s").ok());
    ASSERT_TRUE(
        store_->PutBytes("_catalog/ds/v/00000000" + std::to_string(10 + i) + ".json", "s").ok());
  }
  ASSERT_TRUE(store_->PutBytes("_vectors/idx.lhv1", "s").ok());
  ASSERT_TRUE(store_->PutBytes("_lakehouse/vectord-writer", "s").ok());

  // Every page size walks exactly the user's keys, in order.
  auto walk = [&](const std::string& prefix, size_t limit) {
    std::vector<std::string> keys;
    std::string after;
    for (int pages = 0; pages < 100; ++pages) {
      std::string query =
          "/v1/objects?limit=" + std::to_string(limit) + "&prefix=" + PercentEncode(prefix);
      if (!after.empty()) query += "&start_after=" + PercentEncode(after);
      auto result = client_->Get(query);
      EXPECT_EQ(result->status, 200) << query << " " << result->body;
      auto body = nlohmann::json::parse(result->body);
      for (const auto& object : body["objects"]) keys.push_back(object["key"]);
      if (body["next"].is_null()) break;
      after = body["next"];
    }
    return keys;
  };
  for (size_t limit : {1, 2, 3, 1000}) {
    EXPECT_EQ(walk("", limit), users) << "limit " << limit;
    EXPECT_EQ(walk("_", limit), (std::vector<std::string>{"_catalogue", "_notes/a"}));
    EXPECT_EQ(walk("_catalog", limit), (std::vector<std::string>{"_catalogue"}));
    EXPECT_EQ(walk("d", limit), (std::vector<std::string>{"d", "data", "datum/1"}));
    EXPECT_EQ(walk("data", limit), (std::vector<std::string>{"data"}));
  }
  // A prefix inside a system space is refused outright, however it is spelt.
  for (const char* query : {"prefix=_catalog/", "prefix=_catalog/ds/", "prefix=data/",
                            "prefix=%5Fvectors%2F", "prefix=_lakehouse/"}) {
    auto result = client_->Get(std::string("/v1/objects?") + query);
    EXPECT_EQ(result->status, 403) << query;
    EXPECT_EQ(ErrorCode(result), "forbidden") << query;
  }
}

TEST_F(ObjectRoutesTest, InternalRoutesServeTheSystemKeysToTheServices) {
  RegisterObjectRoutes(server_->router(), *store_, kMax, ObjectApi::kInternal);
  auto put =
      client_->Put("/v1/internal/objects/_catalog/ds/v/0000000001.json", "{}", "application/json");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 201);
  EXPECT_EQ(client_->Get("/v1/internal/objects/_catalog/ds/v/0000000001.json")->body, "{}");
  auto internal = nlohmann::json::parse(client_->Get("/v1/internal/objects")->body);
  ASSERT_EQ(internal["objects"].size(), 1u);
  EXPECT_EQ(internal["objects"][0]["key"], "_catalog/ds/v/0000000001.json");
  auto public_list = nlohmann::json::parse(client_->Get("/v1/objects")->body);
  EXPECT_TRUE(public_list["objects"].empty());
  EXPECT_EQ(client_->Delete("/v1/internal/objects/_catalog/ds/v/0000000001.json")->status, 204);
}

TEST(HttpObjectStoreTest, ServicesWriteSystemKeysThroughStoraged) {
  testing::TempDir dir;
  testing::StoragedProcess process(dir.path());
  auto store = storage::HttpObjectStore::Create({.base_url = process.url()});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->PutBytes("_catalog/ds/v/0000000001.json", "{}").ok());
  EXPECT_EQ(*(*store)->GetBytes("_catalog/ds/v/0000000001.json"), "{}");
  // The same storaged refuses the key on its public routes.
  httplib::Client client(process.url());
  EXPECT_EQ(client.Get("/v1/objects/_catalog/ds/v/0000000001.json")->status, 403);
  EXPECT_EQ(client.Delete("/v1/objects/_catalog/ds/v/0000000001.json")->status, 403);
  EXPECT_TRUE((*store)->Head("_catalog/ds/v/0000000001.json").ok());
}

TEST(HttpObjectStoreTest, StoppedServiceIsUnavailable) {
  int port = testing::FreePort();
  auto store =
      storage::HttpObjectStore::Create({.base_url = "http://127.0.0.1:" + std::to_string(port),
                                        .service = "storaged",
                                        .connect_timeout_ms = 500,
                                        .timeout_s = 2});
  ASSERT_TRUE(store.ok());
  Status head = (*store)->Head("k").status();
  EXPECT_EQ(head.code(), StatusCode::kUnavailable);
  EXPECT_NE(head.message().find("storaged at http://127.0.0.1:"), std::string::npos)
      << head.message();
  EXPECT_EQ((*store)->PutBytes("k", "v").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ((*store)->List({}).status().code(), StatusCode::kUnavailable);
}

TEST(HttpObjectStoreTest, ServiceKilledMidUseBecomesUnavailableAndRecovers) {
  testing::TempDir dir;
  auto process = std::make_unique<testing::StoragedProcess>(dir.path());
  std::string url = process->url();
  auto store = storage::HttpObjectStore::Create(
      {.base_url = url, .service = "storaged", .connect_timeout_ms = 500, .timeout_s = 2});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->PutBytes("k", "v").ok());
  process->Kill();
  EXPECT_EQ((*store)->GetBytes("k").status().code(), StatusCode::kUnavailable);
}

TEST(HttpObjectStoreTest, RejectsNonHttpUrls) {
  EXPECT_FALSE(storage::HttpObjectStore::Create({"ftp://x"}).ok());
  EXPECT_FALSE(storage::HttpObjectStore::Create({"127.0.0.1:80"}).ok());
}

}  // namespace
}  // namespace lakehouse::server
