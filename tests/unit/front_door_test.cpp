// The front door of serve and gateway: the route table, tokens and scopes
// (each scope does exactly what it should on every route), the system's
// object keys, browser sessions, deep health, the loopback rule, and
// /metrics.
#include "gateway/front_door.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "gateway/route_table.h"
#include "server/health_routes.h"
#include "testing/server_thread.h"

namespace lakehouse::gateway {
namespace {

TEST(RouteTableTest, FindsRoutesByTemplate) {
  auto name = [](const char* method, const char* path) {
    const Route* route = FindRoute(method, path);
    return route ? std::string(route->path) : std::string("none");
  };
  EXPECT_EQ(name("GET", "/v1/datasets"), "/v1/datasets");
  EXPECT_EQ(name("GET", "/v1/datasets/jobs"), "/v1/datasets/{name}");
  EXPECT_EQ(name("GET", "/v1/datasets/jobs/versions"), "/v1/datasets/{name}/versions");
  EXPECT_EQ(name("GET", "/v1/datasets/jobs/versions/3"), "/v1/datasets/{name}/versions/{v}");
  EXPECT_EQ(name("GET", "/v1/datasets//versions"), "none");  // empty segment
  EXPECT_EQ(name("GET", "/v1/datasets/"), "none");
  EXPECT_EQ(name("PUT", "/v1/objects/a/b/c.pdf"), "/v1/objects/{key*}");
  EXPECT_EQ(name("GET", "/v1/objects"), "/v1/objects");
  EXPECT_EQ(name("POST", "/v1/datasets/jobs"), "none");  // method matters
  EXPECT_EQ(name("DELETE", "/v1/indexes/r/vectors/a/b"), "/v1/indexes/{name}/vectors/{id*}");
  EXPECT_EQ(name("GET", "/"), "none");
  EXPECT_EQ(FindRoute("DELETE", "/v1/datasets/jobs")->scope, Scope::kAdmin);
  // Tags are read with a read token and set, removed and restored with a
  // write token, all by catalogd.
  EXPECT_EQ(name("PUT", "/v1/datasets/jobs/tags/q3.final"), "/v1/datasets/{name}/tags/{tag}");
  EXPECT_EQ(FindRoute("GET", "/v1/datasets/jobs/tags")->scope, Scope::kRead);
  EXPECT_EQ(FindRoute("PUT", "/v1/datasets/jobs/tags/q3")->scope, Scope::kWrite);
  EXPECT_EQ(FindRoute("DELETE", "/v1/datasets/jobs/tags/q3")->scope, Scope::kWrite);
  EXPECT_EQ(FindRoute("POST", "/v1/datasets/jobs/restore")->scope, Scope::kWrite);
  for (const auto& [method, path] :
       {std::pair{"GET", "/v1/datasets/jobs/tags"}, std::pair{"PUT", "/v1/datasets/jobs/tags/q3"},
        std::pair{"DELETE", "/v1/datasets/jobs/tags/q3"},
        std::pair{"POST", "/v1/datasets/jobs/restore"}}) {
    EXPECT_EQ(FindRoute(method, path)->service, Service::kCatalogd) << method << " " << path;
  }
  EXPECT_EQ(name("GET", "/v1/datasets/jobs/tags/q3"), "none");
  // Row changes are writes, by catalogd, which ingests.
  for (const char* path : {"/v1/datasets/jobs/delete", "/v1/datasets/jobs/compact"}) {
    ASSERT_NE(FindRoute("POST", path), nullptr) << path;
    EXPECT_EQ(FindRoute("POST", path)->scope, Scope::kWrite) << path;
    EXPECT_EQ(FindRoute("POST", path)->service, Service::kCatalogd) << path;
  }
  EXPECT_EQ(FindRoute("POST", "/v1/query")->service, Service::kQueryd);
  // storaged's internal object routes are no route of the front door: the
  // gateway never forwards them.
  for (const char* method : {"GET", "HEAD", "PUT", "DELETE"}) {
    EXPECT_EQ(FindRoute(method, "/v1/internal/objects/_catalog/x/v/0000000001.json"), nullptr);
  }
  EXPECT_EQ(FindRoute("GET", "/v1/internal/objects"), nullptr);
}

TEST(AccessControlTest, SessionsStandForATokenUntilTheyExpireOrEnd) {
  auto access = AccessControl::FromText("ci write 0123456789abcdef\n", "t");
  ASSERT_TRUE(access.ok());
  int64_t now = 1000;
  access->set_sessions(std::make_shared<SessionTable>(/*lifetime_ms=*/500, [&now] { return now; }));
  EXPECT_EQ(access->SignIn("not-the-token-00000", Scope::kRead).status().code(),
            StatusCode::kUnauthenticated);
  auto id = access->SignIn("0123456789abcdef", Scope::kRead);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->size(), 64u);  // 32 random bytes, hex
  EXPECT_EQ(id->find("0123456789abcdef"), std::string::npos);
  EXPECT_NE(*access->SignIn("0123456789abcdef", Scope::kRead), *id);  // fresh each time
  const std::string cookie = "other=1; lakehouse_session=" + *id;
  std::string who;
  EXPECT_TRUE(access->Authorize("", cookie, Scope::kWrite, &who).ok());
  EXPECT_EQ(who, "ci");  // the token's name and scope, not more
  EXPECT_EQ(access->Authorize("", cookie, Scope::kAdmin, nullptr).code(),
            StatusCode::kPermissionDenied);
  // A forged id, and the raw token where a session id belongs, are refused.
  EXPECT_EQ(
      access->Authorize("", "lakehouse_session=" + std::string(64, 'a'), Scope::kRead, nullptr)
          .code(),
      StatusCode::kUnauthenticated);
  EXPECT_EQ(
      access->Authorize("", "lakehouse_session=0123456789abcdef", Scope::kRead, nullptr).code(),
      StatusCode::kUnauthenticated);
  EXPECT_EQ(access->Authorize("", "lakehouse_token=0123456789abcdef", Scope::kRead, nullptr).code(),
            StatusCode::kUnauthenticated);
  now += 499;
  EXPECT_TRUE(access->Authorize("", cookie, Scope::kRead, nullptr).ok());
  now += 1;
  EXPECT_EQ(access->Authorize("", cookie, Scope::kRead, nullptr).code(),
            StatusCode::kUnauthenticated);
  auto second = access->SignIn("0123456789abcdef", Scope::kRead);
  ASSERT_TRUE(second.ok());
  access->SignOut("lakehouse_session=" + *second);
  EXPECT_EQ(access->Authorize("", "lakehouse_session=" + *second, Scope::kRead, nullptr).code(),
            StatusCode::kUnauthenticated);
}

TEST(AccessControlTest, SessionTableStaysBounded) {
  SessionTable sessions(SessionTable::kDefaultLifetimeMs, nullptr, /*max_sessions=*/3);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(*sessions.Start({"ci", Scope::kRead}));
  EXPECT_EQ(sessions.size(), 3u);
  EXPECT_TRUE(sessions.Find(ids.back()).has_value());
}

TEST(HealthTest, AFailedCheckNamesNoServerPath) {
  server::HttpServer http(HttpConfig{}, 1 << 20);
  server::RegisterHealthRoutes(
      http.router(),
      {{"storage",
        [] {
          return Status::IoError(
              "cannot list /var/lib/lakehouse/objects/_catalog%2F: Permission denied");
        }},
       {"queryd",
        [] { return Status::Unavailable("queryd at http://127.0.0.1:8083/x is unavailable"); }}});
  testing::ServerThread running(http);
  httplib::Client client("127.0.0.1", running.port());
  auto plain = client.Get("/healthz");
  EXPECT_EQ(plain->status, 200);
  auto deep = client.Get("/healthz?deep=1");
  EXPECT_EQ(deep->status, 503);
  EXPECT_EQ(deep->body.find("/var/lib"), std::string::npos) << deep->body;
  EXPECT_NE(deep->body.find("cannot list <path>: Permission denied"), std::string::npos)
      << deep->body;
  EXPECT_NE(deep->body.find("http://127.0.0.1:8083/x"), std::string::npos) << deep->body;
  EXPECT_EQ(server::RedactPaths("open '/etc/x' failed (/tmp/a/b)"),
            "open '<path>' failed (<path>)");
}

TEST(AccessControlTest, TokenFilesAreCheckedLineByLine) {
  auto good = AccessControl::FromText(
      "# comment\n\nci read 0123456789abcdef\n"
      "ops admin sha256:" +
          std::string(64, 'a') + "  # hashed\n",
      "tokens");
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->size(), 2u);
  struct Case {
    const char* text;
    const char* error;
  };
  for (const Case& c :
       {Case{"ci reader 0123456789abcdef", "tokens:1: scope must be"},
        Case{"ci read short", "at least 16 characters"}, Case{"ci read", "expected"},
        Case{"\nci read sha256:abc", "tokens:2: sha256: needs 64 hex"},
        Case{"# nothing\n", "no tokens"}}) {
    auto bad = AccessControl::FromText(c.text, "tokens");
    ASSERT_FALSE(bad.ok()) << c.text;
    EXPECT_NE(bad.status().message().find(c.error), std::string::npos) << bad.status().message();
  }
  std::string who;
  EXPECT_TRUE(good->Authorize("Bearer 0123456789abcdef", "", Scope::kRead, &who).ok());
  EXPECT_EQ(who, "ci");
  // A cookie never carries the token itself (sessions: below).
  EXPECT_EQ(
      good->Authorize("", "theme=dark; lakehouse_token=0123456789abcdef", Scope::kRead, nullptr)
          .code(),
      StatusCode::kUnauthenticated);
  EXPECT_EQ(good->Authorize("Basic abc", "", Scope::kRead, nullptr).code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(good->Authorize("Bearer 0123456789abcdeX", "", Scope::kRead, nullptr).code(),
            StatusCode::kUnauthenticated);
  EXPECT_TRUE(good->Authorize("", "", Scope::kPublic, nullptr).ok());
}

TEST(AccessControlTest, OnlyLoopbackMayGoWithoutTokens) {
  AccessControl open;
  auto with_tokens = AccessControl::FromText("ci read 0123456789abcdef", "t");
  ASSERT_TRUE(with_tokens.ok());
  EXPECT_TRUE(CheckExposure({"127.0.0.1", 8080}, open, false).ok());
  EXPECT_TRUE(CheckExposure({"::1", 8080}, open, false).ok());
  Status refused = CheckExposure({"0.0.0.0", 8080}, open, false);
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.message().find("without API tokens"), std::string::npos);
  EXPECT_TRUE(CheckExposure({"0.0.0.0", 8080}, *with_tokens, false).ok());
  EXPECT_TRUE(CheckExposure({"10.0.0.5", 8080}, open, /*force=*/true).ok());
}

// A server guarded by a FrontDoor whose every route answers 200, so what a
// request gets is exactly what the guard decided.
class FrontDoorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TempTokenFile();
    auto door = FrontDoor::Open({token_file_, false}, {"127.0.0.1", 0});
    ASSERT_TRUE(door.ok()) << door.status().ToString();
    door_ = std::move(*door);
    server_ = std::make_unique<server::HttpServer>(HttpConfig{}, 1 << 20);
    door_->Install(*server_);
    auto ok = [](const httplib::Request&, httplib::Response& response) {
      response.set_content("ok", "text/plain");
    };
    auto ok_with_body = [](const httplib::Request&, httplib::Response& response,
                           const httplib::ContentReader& reader) {
      reader([](const char*, size_t) { return true; });
      response.set_content("ok", "text/plain");
    };
    auto& router = server_->router();
    router.Get("/(?!metrics).*", ok);
    router.Delete(".*", ok);
    router.Post("/(?!login|logout).*", ok_with_body);  // content-reader routes match first
    router.Put(".*", ok_with_body);
    running_ = std::make_unique<testing::ServerThread>(*server_);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", running_->port());
  }
  void TearDown() override {
    running_.reset();
    std::remove(token_file_.c_str());
  }
  void TempTokenFile() {
    char path[] = "/tmp/lakehouse-tokens-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    std::string text =
        "reader read rrrrrrrrrrrrrrrrrrrr\nwriter write wwwwwwwwwwwwwwwwwwww\n"
        "boss admin aaaaaaaaaaaaaaaaaaaa\n";
    ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    close(fd);
    token_file_ = path;
  }
  int Send(const Route& route, const std::string& token) {
    // A concrete path for the template: each {x} one segment, {x*} two.
    std::string path;
    for (size_t i = 0; i < route.path.size(); ++i) {
      if (route.path[i] != '{') {
        path += route.path[i];
        continue;
      }
      size_t close = route.path.find('}', i);
      path += route.path[close - 1] == '*' ? "a/b" : "x";
      i = close;
    }
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    const std::string method(route.method);
    auto status = [](const httplib::Result& result) { return result ? result->status : -1; };
    if (method == "GET") return status(client_->Get(path, headers));
    if (method == "HEAD") return status(client_->Head(path, headers));
    if (method == "DELETE") return status(client_->Delete(path, headers));
    if (method == "POST") return status(client_->Post(path, headers, "{}", "application/json"));
    if (method == "PUT") return status(client_->Put(path, headers, "{}", "application/json"));
    return -1;
  }

  std::string token_file_;
  std::unique_ptr<FrontDoor> door_;
  std::unique_ptr<server::HttpServer> server_;
  std::unique_ptr<testing::ServerThread> running_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(FrontDoorTest, EachScopeDoesExactlyWhatItShould) {
  const std::pair<std::string, Scope> tokens[] = {{"", Scope::kPublic},
                                                  {"rrrrrrrrrrrrrrrrrrrr", Scope::kRead},
                                                  {"wwwwwwwwwwwwwwwwwwww", Scope::kWrite},
                                                  {"aaaaaaaaaaaaaaaaaaaa", Scope::kAdmin}};
  for (const Route& route : ApiRoutes()) {
    // Public, and answering by themselves (tested below).
    if (route.path == "/login" || route.path == "/logout") continue;
    for (const auto& [token, has] : tokens) {
      int expected = has >= route.scope ? 200 : token.empty() ? 401 : 403;
      EXPECT_EQ(Send(route, token), expected)
          << route.method << " " << route.path << " with a " << ScopeName(has) << " token";
    }
  }
  // A wrong token is 401, and a path outside the API needs read.
  httplib::Headers wrong = {{"Authorization", "Bearer not-a-token-at-all-0000"}};
  EXPECT_EQ(client_->Get("/v1/datasets", wrong)->status, 401);
  EXPECT_EQ(client_->Get("/ui/anything")->status, 401);
  EXPECT_EQ(
      client_->Get("/ui/anything", {{"Authorization", "Bearer rrrrrrrrrrrrrrrrrrrr"}})->status,
      200);
}

TEST_F(FrontDoorTest, SystemObjectKeysAreRefusedToEveryScope) {
  for (const char* token : {"wwwwwwwwwwwwwwwwwwww", "aaaaaaaaaaaaaaaaaaaa"}) {
    httplib::Headers auth = {{"Authorization", std::string("Bearer ") + token}};
    httplib::Headers if_absent = auth;
    if_absent.emplace("If-None-Match", "*");
    for (const char* path :
         {"/v1/objects/_catalog/people/v/0000000001.json", "/v1/objects/%5Fcatalog/p/v/1.json",
          "/v1/objects/_catalog%2Fp%2Fv%2F0000000001.json", "/v1/objects/data/people/a.parquet",
          "/v1/objects/_vectors/idx.lhv1", "/v1/objects/_lakehouse/vectord-writer"}) {
      EXPECT_EQ(client_->Put(path, auth, "x", "text/plain")->status, 403) << path;
      EXPECT_EQ(client_->Put(path, if_absent, "x", "text/plain")->status, 403) << path;
      EXPECT_EQ(client_->Delete(path, auth)->status, 403) << path;
      EXPECT_EQ(client_->Get(path, auth)->status, 403) << path;
      EXPECT_EQ(client_->Head(path, auth)->status, 403) << path;
    }
    auto refused = client_->Delete("/v1/objects/_catalog/people/v/0000000001.json", auth);
    EXPECT_NE(refused->body.find("_catalog/"), std::string::npos) << refused->body;
    EXPECT_EQ(client_->Put("/v1/objects/notes/a.txt", auth, "x", "text/plain")->status, 200);
  }
}

TEST_F(FrontDoorTest, DeepHealthNeedsAReadTokenPlainHealthDoesNot) {
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
  EXPECT_EQ(client_->Get("/healthz?deep=1")->status, 401);
  EXPECT_EQ(client_->Get("/healthz?deep=0")->status, 401);
  httplib::Headers reader = {{"Authorization", "Bearer rrrrrrrrrrrrrrrrrrrr"}};
  EXPECT_EQ(client_->Get("/healthz?deep=1", reader)->status, 200);
}

TEST_F(FrontDoorTest, BrowsersSignInWithASessionCookieNotTheToken) {
  EXPECT_EQ(client_->Get("/login")->status, 200);
  auto wrong =
      client_->Post("/login", "token=not-a-token-at-all-0000", "application/x-www-form-urlencoded");
  EXPECT_EQ(wrong->status, 401);
  EXPECT_FALSE(wrong->has_header("Set-Cookie"));
  auto right =
      client_->Post("/login", "token=rrrrrrrrrrrrrrrrrrrr", "application/x-www-form-urlencoded");
  EXPECT_EQ(right->status, 303);
  const std::string cookie = right->get_header_value("Set-Cookie");
  EXPECT_EQ(cookie.find("rrrrrrrrrrrrrrrrrrrr"), std::string::npos) << cookie;
  EXPECT_TRUE(cookie.starts_with("lakehouse_session=")) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("Path=/"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain HTTP here
  httplib::Headers with_cookie = {{"Cookie", cookie.substr(0, cookie.find(';'))}};
  EXPECT_EQ(client_->Get("/", with_cookie)->status, 200);
  EXPECT_EQ(client_->Get("/")->status, 401);
  // Forged session ids, and the old raw-token cookie, are not let in.
  EXPECT_EQ(client_->Get("/", {{"Cookie", "lakehouse_session=" + std::string(64, '0')}})->status,
            401);
  EXPECT_EQ(client_->Get("/", {{"Cookie", "lakehouse_token=rrrrrrrrrrrrrrrrrrrr"}})->status, 401);
  // A browser asking for a page is sent to sign in; the API stays 401.
  httplib::Headers browser = {{"Accept", "text/html,application/xhtml+xml"}};
  auto page = client_->Get("/", browser);
  EXPECT_EQ(page->status, 303);
  EXPECT_EQ(page->get_header_value("Location"), "/login");
  EXPECT_EQ(client_->Get("/v1/datasets", browser)->status, 401);
  // Signing out ends the session on the server, not just in the browser.
  auto out = client_->Post("/logout", with_cookie, "", "application/x-www-form-urlencoded");
  EXPECT_EQ(out->status, 303);
  EXPECT_NE(out->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(client_->Get("/", with_cookie)->status, 401);
}

TEST_F(FrontDoorTest, SessionCookieIsSecureBehindATlsProxy) {
  auto right = client_->Post("/login", {{"X-Forwarded-Proto", "https"}},
                             "token=rrrrrrrrrrrrrrrrrrrr", "application/x-www-form-urlencoded");
  EXPECT_EQ(right->status, 303);
  EXPECT_NE(right->get_header_value("Set-Cookie").find("; Secure"), std::string::npos);
}

TEST_F(FrontDoorTest, MetricsCountRequestsByRouteAndStatus) {
  httplib::Headers reader = {{"Authorization", "Bearer rrrrrrrrrrrrrrrrrrrr"}};
  for (int i = 0; i < 3; ++i) client_->Get("/v1/datasets/jobs", reader);
  client_->Get("/v1/datasets/jobs");  // 401
  // A request is counted once its response is written, which the client can
  // see first: scrape until the last one shows (or give up after 5 s).
  const std::string counted_200 =
      "lakehouse_http_requests_total{route=\"/v1/datasets/{name}\",method=\"GET\",status=\"200\"} "
      "3";
  const std::string counted_401 = "route=\"/v1/datasets/{name}\",method=\"GET\",status=\"401\"} 1";
  const std::string timed =
      "lakehouse_http_request_duration_seconds_count{route=\"/v1/datasets/{name}\",method=\"GET\"} "
      "4";
  std::string text;
  for (int attempt = 0; attempt < 500; ++attempt) {
    auto scrape = client_->Get("/metrics", reader);
    ASSERT_EQ(scrape->status, 200);
    text = scrape->body;
    if (text.find(timed) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(text.find(counted_200), std::string::npos) << text;
  EXPECT_NE(text.find(counted_401), std::string::npos);
  EXPECT_NE(text.find(timed), std::string::npos);
  EXPECT_NE(text.find("le=\"0.0005\""), std::string::npos) << text;
  EXPECT_EQ(text.find("/v1/datasets/jobs"), std::string::npos);  // routes, never raw paths
  EXPECT_EQ(client_->Get("/metrics")->status, 401);              // metrics need read
}

}  // namespace
}  // namespace lakehouse::gateway
