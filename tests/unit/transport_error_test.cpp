// What the command line says when a request gets no answer.
#include "cli/transport_error.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <gtest/gtest.h>

namespace lakehouse::cli {
namespace {

TEST(ParseHostPortTest, ReadsHostAndPortAsTheClientDoes) {
  auto plain = ParseHostPort("http://127.0.0.1:18999");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 18999);
  auto path = ParseHostPort("http://lake.example:8080/base?x#y");
  ASSERT_TRUE(path);
  EXPECT_EQ(path->host, "lake.example");
  EXPECT_EQ(path->port, 8080);
  EXPECT_EQ(ParseHostPort("http://lake.example")->port, 80);
  EXPECT_EQ(ParseHostPort("https://lake.example")->port, 443);
  EXPECT_EQ(ParseHostPort("lake.example:81")->port, 81);
  auto v6 = ParseHostPort("http://[::1]:9000");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
}

TEST(ParseHostPortTest, RefusesWhatNamesNoServer) {
  EXPECT_FALSE(ParseHostPort("ftp://lake.example"));
  EXPECT_FALSE(ParseHostPort("http://"));
  EXPECT_FALSE(ParseHostPort("http://:8080"));
  EXPECT_FALSE(ParseHostPort("http://host:port"));
  EXPECT_FALSE(ParseHostPort("http://host:70000"));
  EXPECT_FALSE(ParseHostPort("http://[::1"));
}

TEST(ConnectErrnoTextTest, NamesTheCommonCausesInFullWords) {
  EXPECT_EQ(ConnectErrnoText(ECONNREFUSED), "connection refused");
  EXPECT_EQ(ConnectErrnoText(ETIMEDOUT), "timed out");
  EXPECT_EQ(ConnectErrnoText(EHOSTUNREACH), "no route to host");
  EXPECT_EQ(ConnectErrnoText(ENETUNREACH), "network unreachable");
  EXPECT_EQ(ConnectErrnoText(EACCES), "permission denied");
}

TEST(DescribeTransportErrorTest, EveryOtherErrorIsASentenceNotAnEnumName) {
  using httplib::Error;
  EXPECT_EQ(DescribeTransportError(Error::ConnectionTimeout, "http://x:1"),
            "timed out while connecting");
  EXPECT_EQ(DescribeTransportError(Error::Read, "http://x:1"),
            "the connection closed or timed out before the whole answer came");
  EXPECT_EQ(DescribeTransportError(Error::Write, "http://x:1"),
            "the connection closed while the request was being sent");
  EXPECT_EQ(DescribeTransportError(Error::Connection, "ftp://x"),
            "not a URL the client can use (expected http://HOST:PORT)");
}

TEST(DescribeTransportErrorTest, AConnectionToAPortNobodyListensOnIsRefused) {
  // A bound socket that never listens holds a port no one else can take, and
  // a connect to it is refused.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  EXPECT_EQ(DescribeTransportError(httplib::Error::Connection, url), "connection refused");
  EXPECT_TRUE(FailedToConnect(httplib::Error::Connection));
  EXPECT_FALSE(FailedToConnect(httplib::Error::Read));
  ::close(fd);
}

}  // namespace
}  // namespace lakehouse::cli
