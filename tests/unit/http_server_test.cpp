// The HTTP listener under hostile clients: strict framing, deadlines for
// heads and bodies, connection caps, pipelining, and an exclusive port.
// Raw sockets, because the point is what well-behaved clients never send.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "server/request_framing.h"
#include "testing/server_thread.h"

namespace lakehouse::server {
namespace {

using namespace std::chrono_literals;

// ---- the framing rules, without a socket ----

Result<BodyFraming> Head(const std::string& fields) {
  return CheckRequestHead("POST /x HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n", 1000);
}

TEST(RequestFramingTest, PlainLengthAndChunkedAreAccepted) {
  auto length = Head("Content-Length: 12\r\n");
  ASSERT_TRUE(length.ok()) << length.status().ToString();
  EXPECT_EQ(length->kind, BodyFraming::Kind::kLength);
  EXPECT_EQ(length->length, 12u);
  auto chunked = Head("Transfer-Encoding: chunked\r\n");
  ASSERT_TRUE(chunked.ok());
  EXPECT_EQ(chunked->kind, BodyFraming::Kind::kChunked);
  auto none = Head("");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->kind, BodyFraming::Kind::kNone);
  EXPECT_TRUE(Head("Content-Length: 5\r\ncontent-length: 5\r\n").ok());
}

TEST(RequestFramingTest, AmbiguousFramingIsRefusedNamingTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Content-Length: 5\r\nContent-Length: 6\r\n", "two different Content-Length"},
      {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "both Content-Length"},
      {"Transfer-Encoding: gzip, chunked\r\n", "Transfer-Encoding"},
      {"Transfer-Encoding: identity\r\n", "Transfer-Encoding"},
      {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "more than once"},
      {"Content-Length: -5\r\n", "Content-Length"},
      {"Content-Length: +5\r\n", "Content-Length"},
      {"Content-Length: 5x\r\n", "Content-Length"},
      {"Content-Length: 5, 5\r\n", "Content-Length"},
      {"Content-Length:\r\n", "Content-Length"},
      {"Content-Length : 5\r\n", "not a token"},
      {"X-A: 1\r\n folded\r\n", "folded"},
      {"X-A: 1\nContent-Length: 5\r\n", "LF without CR"},
      {"X-A: 1\rContent-Length: 5\r\n", "CR without LF"},
  };
  for (const auto& [fields, expected] : cases) {
    auto result = Head(fields);
    ASSERT_FALSE(result.ok()) << fields;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << fields;
    EXPECT_NE(result.status().message().find(expected), std::string::npos)
        << fields << " -> " << result.status().message();
  }
}

TEST(RequestFramingTest, DeclaredBodyOverTheLimitIsTooLarge) {
  auto result = Head("Content-Length: 1001\r\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kTooLarge);
}

bool Chunked(std::string_view body, bool byte_by_byte, std::string* error = nullptr) {
  ChunkedBodyValidator validator;
  bool ok = true;
  if (byte_by_byte) {
    for (char c : body) ok = ok && validator.Consume(std::string_view(&c, 1));
  } else {
    ok = validator.Consume(body);
  }
  if (error != nullptr) *error = validator.error();
  return ok && validator.done();
}

TEST(ChunkedBodyValidatorTest, WellFormedBodiesEndExactly) {
  for (bool bytewise : {false, true}) {
    EXPECT_TRUE(Chunked("5\r\nhello\r\n0\r\n\r\n", bytewise));
    EXPECT_TRUE(Chunked("A;name=value\r\n0123456789\r\n0\r\n\r\n", bytewise));
    EXPECT_TRUE(Chunked("3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n", bytewise));
    EXPECT_TRUE(Chunked("0\r\n\r\n", bytewise));
  }
  ChunkedBodyValidator partial;
  EXPECT_TRUE(partial.Consume("5\r\nhel"));
  EXPECT_FALSE(partial.done());
}

TEST(ChunkedBodyValidatorTest, MalformedSizesAndDataAreRefused) {
  const std::vector<std::string> bad = {
      "-5\r\nhello\r\n0\r\n\r\n",         // a sign
      "0x5\r\nhello\r\n0\r\n\r\n",        // a C prefix
      "5zz\r\nhello\r\n0\r\n\r\n",        // trailing junk
      "\r\nhello\r\n0\r\n\r\n",           // empty size
      "5\r\nhello!\r\n0\r\n\r\n",         // data longer than its size
      "5\nhello\r\n0\r\n\r\n",            // bare LF
      "FFFFFFFFFFFFFFFFF\r\n",            // overflow
      "0\r\n\r\nGET / HTTP/1.1\r\n\r\n",  // bytes past the end
  };
  for (const auto& body : bad) {
    std::string error;
    EXPECT_FALSE(Chunked(body, false, &error)) << body;
    EXPECT_FALSE(error.empty()) << body;
    EXPECT_FALSE(Chunked(body, true)) << body;
  }
}

// ---- a live listener ----

// A blocking client socket to 127.0.0.1:port with a receive timeout.
class RawConnection {
 public:
  RawConnection(int port, std::chrono::milliseconds timeout = 5000ms) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~RawConnection() { close(fd_); }
  bool connected() const { return connected_; }
  bool Send(std::string_view bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // Everything until the server closes (or the timeout); `closed` says which.
  std::string ReadAll(bool* closed = nullptr) {
    std::string out;
    char buf[4096];
    while (true) {
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        if (closed != nullptr) *closed = n == 0;
        return out;
      }
      out.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

int StatusOf(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return -1;
  return std::stoi(response.substr(9, 3));
}

std::string MessageOf(const std::string& response) {
  auto json = nlohmann::json::parse(response.substr(response.find("\r\n\r\n") + 4), nullptr, false);
  if (json.is_discarded() || !json.contains("error")) return "<no JSON error>";
  return json["error"]["message"];
}

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(HttpConfig config = {}) {
    server_ = std::make_unique<HttpServer>(config, 1 << 20);
    server_->router().Get("/ping", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("pong", "text/plain");
    });
    server_->router().Post(
        "/echo", [](const httplib::Request& request, httplib::Response& response) {
          response.set_content(std::to_string(request.body.size()), "text/plain");
        });
    running_ = std::make_unique<testing::ServerThread>(*server_);
  }
  void TearDown() override { running_.reset(); }
  int port() const { return running_->port(); }

  // A GET /ping on a fresh connection: the status, -1 if none came.
  int Ping() {
    RawConnection c(port());
    if (!c.Send("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) return -1;
    return StatusOf(c.ReadAll());
  }

  std::string Exchange(std::string_view request, bool* closed = nullptr) {
    RawConnection c(port());
    EXPECT_TRUE(c.Send(request));
    return c.ReadAll(closed);
  }

  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<testing::ServerThread> running_;
};

TEST_F(HttpServerTest, AmbiguousFramingIs400AndClosesTheConnection) {
  Start();
  const std::vector<std::string> heads = {
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd",
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\nabcd\r\n0\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-4\r\nabcd\r\n0\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
      "chunked\r\n\r\n4zz\r\nabcd\r\n0\r\n\r\n",
  };
  for (const auto& head : heads) {
    bool closed = false;
    // A second request follows on the same connection: it must never run.
    std::string response = Exchange(head + "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n", &closed);
    EXPECT_EQ(StatusOf(response), 400) << head << "\n-> " << response;
    EXPECT_TRUE(closed) << head;
    EXPECT_EQ(response.find("pong"), std::string::npos) << head;
    EXPECT_EQ(response.find("HTTP/1.1", 1), std::string::npos) << "two answers: " << response;
  }
  EXPECT_EQ(Ping(), 200);
}

TEST_F(HttpServerTest, PipelinedRequestsAreEachAnsweredInOrder) {
  Start();
  std::string response = Exchange(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"
      "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const size_t first = response.find("\r\n\r\n3");
  const size_t second = response.find("\r\n\r\n2", first == std::string::npos ? 0 : first);
  const size_t third = response.find("pong");
  EXPECT_NE(first, std::string::npos) << response;
  EXPECT_NE(second, std::string::npos) << response;
  EXPECT_NE(third, std::string::npos) << response;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
}

TEST_F(HttpServerTest, AHeadThatTricklesPastItsDeadlineIs408) {
  HttpConfig config;
  config.header_timeout_s = 1;
  Start(config);
  RawConnection c(port(), 10000ms);
  ASSERT_TRUE(c.Send("GET /ping HTTP/1.1\r\n"));
  bool closed = false;
  std::string response;
  for (int i = 0; i < 40 && response.empty(); ++i) {
    // One header line every 100 ms: each read is quick, the head never ends.
    if (!c.Send("X-Slow: " + std::to_string(i) + "\r\n")) break;
    std::this_thread::sleep_for(100ms);
  }
  response = c.ReadAll(&closed);
  EXPECT_EQ(StatusOf(response), 408) << response;
  EXPECT_NE(MessageOf(response).find("head"), std::string::npos) << response;
}

TEST_F(HttpServerTest, ABodyBelowTheMinimumRateIs408) {
  HttpConfig config;
  config.header_timeout_s = 1;
  config.min_body_bytes_per_s = 1000;
  Start(config);
  RawConnection c(port(), 10000ms);
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"));
  for (int i = 0; i < 30; ++i) {
    if (!c.Send("x")) break;
    std::this_thread::sleep_for(100ms);
  }
  std::string response = c.ReadAll();
  EXPECT_EQ(StatusOf(response), 408) << response;
  EXPECT_NE(MessageOf(response).find("bytes/s"), std::string::npos) << response;
}

TEST_F(HttpServerTest, ManyTricklingConnectionsDoNotStopOthersBeingAnswered) {
  HttpConfig config;
  config.threads = 4;
  Start(config);
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 100; ++i) {
    slow.push_back(std::make_unique<RawConnection>(port()));
    ASSERT_TRUE(slow.back()->connected());
    ASSERT_TRUE(slow.back()->Send("POST /echo HTTP/1.1\r\nHost: x\r\n"));
  }
  std::vector<std::unique_ptr<RawConnection>> slow_bodies;
  for (int i = 0; i < 20; ++i) {
    slow_bodies.push_back(std::make_unique<RawConnection>(port()));
    ASSERT_TRUE(slow_bodies.back()->Send(
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nx"));
  }
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(Ping(), 200) << "round " << round;
    for (auto& c : slow) c->Send("X: y\r\n");
    for (auto& c : slow_bodies) c->Send("x");
  }
}

TEST_F(HttpServerTest, ConnectionsOverThePerClientCapAre503NamingTheLimit) {
  HttpConfig config;
  config.max_connections_per_client = 3;
  Start(config);
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawConnection>(port()));
    ASSERT_TRUE(held.back()->Send("GET /ping HTTP/1.1\r\n"));  // never finished
  }
  // The server counts a connection once a thread takes it up.
  for (int i = 0; i < 200 && server_->router().is_running(); ++i) {
    if (server_->OpenConnections("127.0.0.1") == 3) break;
    std::this_thread::sleep_for(10ms);
  }
  std::string response = Exchange("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 503) << response;
  EXPECT_NE(MessageOf(response).find("limit 3"), std::string::npos) << response;
  held.clear();
  for (int i = 0; i < 200; ++i) {
    if (server_->OpenConnections("127.0.0.1") == 0) break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(Ping(), 200);
}

TEST_F(HttpServerTest, AHeadOverTheBoundIs431) {
  Start();
  std::string response =
      Exchange("GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(70000, 'a') + "\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 431) << response.substr(0, 200);
}

TEST_F(HttpServerTest, TheHeadBoundIsMaxHeaderBytes) {
  HttpConfig config;
  config.max_header_bytes = 2048;
  Start(config);
  std::string lines;
  for (int i = 0; i < 10; ++i)
    lines += "X-Filler-" + std::to_string(i) + ": " + std::string(200, 'a') + "\r\n";
  std::string response = Exchange("GET /ping HTTP/1.1\r\nHost: x\r\n" + lines + "\r\n");
  EXPECT_EQ(StatusOf(response), 431) << response.substr(0, 200);
  EXPECT_NE(MessageOf(response).find("2048 bytes"), std::string::npos) << response;
  EXPECT_EQ(Ping(), 200);
}

TEST_F(HttpServerTest, ABodyDeclaredOverTheLimitIs413BeforeItIsSent) {
  Start();
  RawConnection c(port());
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n"));
  std::string response = c.ReadAll();
  EXPECT_EQ(StatusOf(response), 413) << response;
}

// What the gateway does with a service's HEAD error: the service's length,
// no body. The error handler must not add a body (and a second length).
TEST_F(HttpServerTest, AForwardedHeadErrorKeepsItsOneContentLength) {
  Start();
  server_->router().Get("/forwarded", [](const httplib::Request&, httplib::Response& response) {
    response.status = 404;
    response.set_header("Content-Length", "57");
  });
  std::string answer = Exchange("HEAD /forwarded HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(answer), 404) << answer;
  size_t count = 0;
  for (size_t at = answer.find("Content-Length"); at != std::string::npos;
       at = answer.find("Content-Length", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 1u) << answer;
  EXPECT_NE(answer.find("Content-Length: 57\r\n"), std::string::npos) << answer;
}

TEST_F(HttpServerTest, ASecondServerOnAPortInUseFailsToBindNamingThePort) {
  Start();
  HttpServer second(HttpConfig{}, 1 << 20);
  auto bound = second.Bind({"127.0.0.1", static_cast<uint16_t>(port())});
  ASSERT_FALSE(bound.ok()) << "two servers share port " << port();
  EXPECT_NE(bound.status().message().find(std::to_string(port())), std::string::npos)
      << bound.status().message();
  EXPECT_EQ(Ping(), 200);
}

}  // namespace
}  // namespace lakehouse::server
