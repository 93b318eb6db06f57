// pgwire's TLS: [pgwire] tls_* validation, loading certificates (errors name the file), sign-in
// over TLS, and a real listener negotiating TLS with an OpenSSL client.
#include "pgwire/tls.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "common/config.h"
#include "pgwire/pg_server.h"
#include "pgwire/session.h"
#include "testing/embedded_lakehouse.h"
#include "testing/temp_dir.h"

namespace lakehouse::pgwire {
namespace {

using testing::TempDir;

std::string Int32(int32_t v) {
  auto u = static_cast<uint32_t>(v);
  return {static_cast<char>(u >> 24), static_cast<char>(u >> 16), static_cast<char>(u >> 8),
          static_cast<char>(u)};
}
std::string Startup() {
  static constexpr char kParameters[] = "user\0x\0database\0lakehouse\0";
  std::string body = Int32(196608) + std::string(kParameters, sizeof kParameters);
  return Int32(static_cast<int32_t>(body.size() + 4)) + body;
}
std::string SslRequest() { return Int32(8) + Int32(80877103); }

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A self-signed certificate for CN=localhost and its key, as PEM files in `dir`.
struct Pem {
  std::string cert;
  std::string key;
};
Pem SelfSigned(const std::string& dir, const std::string& stem) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* x509 = X509_new();
  X509_set_version(x509, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x509), 1);
  X509_gmtime_adj(X509_getm_notBefore(x509), 0);
  X509_gmtime_adj(X509_getm_notAfter(x509), 3600);
  X509_set_pubkey(x509, key);
  X509_NAME* name = X509_get_subject_name(x509);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x509, name);
  X509_sign(x509, key, EVP_sha256());
  Pem pem{dir + "/" + stem + ".crt", dir + "/" + stem + ".key"};
  std::FILE* out = std::fopen(pem.cert.c_str(), "w");
  PEM_write_X509(out, x509);
  std::fclose(out);
  out = std::fopen(pem.key.c_str(), "w");
  PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(out);
  X509_free(x509);
  EVP_PKEY_free(key);
  return pem;
}

TEST(PgTlsConfigTest, CertAndKeyGoTogetherAndAreAnchoredToTheConfigFile) {
  auto neither = ParseConfig("[pgwire]\nlisten = \"127.0.0.1:5433\"\n", "a.toml", "/etc/lh");
  ASSERT_TRUE(neither.ok()) << neither.status().ToString();
  EXPECT_EQ(neither->pgwire.tls_cert, "");
  EXPECT_FALSE(neither->pgwire.tls_required);

  auto both = ParseConfig("[pgwire]\ntls_cert = \"tls/cert.pem\"\ntls_key = \"/keys/key.pem\"\n",
                          "a.toml", "/etc/lh");
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(both->pgwire.tls_cert, "/etc/lh/tls/cert.pem");
  EXPECT_EQ(both->pgwire.tls_key, "/keys/key.pem");

  for (const char* one : {"tls_cert = \"cert.pem\"\n", "tls_key = \"key.pem\"\n"}) {
    auto half = ParseConfig(std::string("[pgwire]\n") + one, "a.toml", "/etc/lh");
    ASSERT_FALSE(half.ok()) << one;
    EXPECT_NE(half.status().message().find("tls_cert and tls_key go together"), std::string::npos)
        << half.status().message();
  }
}

TEST(PgTlsConfigTest, TlsRequiredNeedsACertificate) {
  auto alone = ParseConfig("[pgwire]\ntls_required = true\n", "a.toml", "");
  ASSERT_FALSE(alone.ok());
  EXPECT_NE(alone.status().message().find("tls_required needs tls_cert"), std::string::npos);
  auto with = ParseConfig(
      "[pgwire]\ntls_required = true\ntls_cert = \"c.pem\"\ntls_key = \"k.pem\"\n", "a.toml", "");
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  EXPECT_TRUE(with->pgwire.tls_required);
}

TEST(PgTlsTest, AMatchingPairLoads) {
  TempDir dir;
  Pem pem = SelfSigned(dir.path(), "server");
  auto loaded = TlsContext::Load(pem.cert, pem.key);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
}

TEST(PgTlsTest, AMissingFileIsNamed) {
  TempDir dir;
  Pem pem = SelfSigned(dir.path(), "server");
  auto no_cert = TlsContext::Load(dir.path() + "/nosuch.crt", pem.key);
  ASSERT_FALSE(no_cert.ok());
  EXPECT_EQ(no_cert.status().code(), StatusCode::kNotFound);
  EXPECT_NE(no_cert.status().message().find("tls_cert " + dir.path() + "/nosuch.crt"),
            std::string::npos)
      << no_cert.status().message();
  auto no_key = TlsContext::Load(pem.cert, dir.path() + "/nosuch.key");
  ASSERT_FALSE(no_key.ok());
  EXPECT_NE(no_key.status().message().find("tls_key " + dir.path() + "/nosuch.key"),
            std::string::npos)
      << no_key.status().message();
}

TEST(PgTlsTest, AFileThatIsNotPemIsNamed) {
  TempDir dir;
  Pem pem = SelfSigned(dir.path(), "server");
  const std::string junk = dir.path() + "/junk.pem";
  WriteFile(junk, "not a certificate\n");
  auto bad_cert = TlsContext::Load(junk, pem.key);
  ASSERT_FALSE(bad_cert.ok());
  EXPECT_EQ(bad_cert.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_cert.status().message().find("tls_cert " + junk), std::string::npos);
  auto bad_key = TlsContext::Load(pem.cert, junk);
  ASSERT_FALSE(bad_key.ok());
  EXPECT_NE(bad_key.status().message().find("tls_key " + junk), std::string::npos);
}

TEST(PgTlsTest, AKeyOfAnotherCertificateIsRefusedNamingBoth) {
  TempDir dir;
  Pem one = SelfSigned(dir.path(), "one");
  Pem other = SelfSigned(dir.path(), "other");
  auto mismatched = TlsContext::Load(one.cert, other.key);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_EQ(mismatched.status().code(), StatusCode::kInvalidArgument);
  const std::string& message = mismatched.status().message();
  EXPECT_NE(message.find("does not match"), std::string::npos) << message;
  EXPECT_NE(message.find(other.key), std::string::npos) << message;
  EXPECT_NE(message.find(one.cert), std::string::npos) << message;
}

TEST(PgTlsTest, OverTlsATokenIsAskedForInCleartextFromAnyAddress) {
  testing::EmbeddedLakehouse lake;
  SessionOptions options;
  options.loopback = false;
  options.tls = true;
  options.check_password = [](std::string_view password) -> Result<std::string> {
    if (password == "0123456789abcdef") return std::string("ci");
    return Status::Unauthenticated("no");
  };
  std::string sent;
  Session session(lake.engine(), options, [&sent](std::string_view bytes) {
    sent += bytes;
    return true;
  });
  ASSERT_TRUE(session.Receive(Startup()));
  EXPECT_EQ(sent, "R" + Int32(8) + Int32(3));  // AuthenticationCleartextPassword
  sent.clear();
  std::string password("0123456789abcdef\0", 17);
  ASSERT_TRUE(session.Receive("p" + Int32(static_cast<int32_t>(password.size() + 4)) + password));
  EXPECT_TRUE(session.signed_in());
}

// A listener with TLS and a raw client: what PostgreSQL's clients send.
class PgTlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The server writes through OpenSSL, which cannot ask for MSG_NOSIGNAL;
    // the binary ignores SIGPIPE (main.cpp) and so does this test.
    std::signal(SIGPIPE, SIG_IGN);
    pem_ = SelfSigned(dir_.path(), "server");
  }
  void StartServer(bool tls_required) {
    PgServerOptions options;
    options.listen = {"127.0.0.1", 0};
    options.tls_cert = pem_.cert;
    options.tls_key = pem_.key;
    options.tls_required = tls_required;
    auto server = PgServer::Start(options, lake_.engine());
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }
  int Connect() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server_->port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    return fd;
  }
  static std::string Receive(int fd) {
    char buffer[4096];
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "";
  }
  // Signs in over TLS and returns the first byte of the server's answer to
  // the startup packet ('R' for AuthenticationOk and what follows).
  std::string SignInOverTls() {
    int fd = Connect();
    send(fd, SslRequest().data(), 8, 0);
    std::string answer = Receive(fd);
    EXPECT_EQ(answer, "S");
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    std::string reply;
    if (SSL_connect(ssl) == 1) {
      version_ = SSL_get_version(ssl);
      const std::string startup = Startup();
      SSL_write(ssl, startup.data(), static_cast<int>(startup.size()));
      char buffer[4096];
      int n = SSL_read(ssl, buffer, sizeof buffer);
      if (n > 0) reply.assign(buffer, static_cast<size_t>(n));
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    return reply;
  }

  TempDir dir_;
  Pem pem_;
  testing::EmbeddedLakehouse lake_;
  std::unique_ptr<PgServer> server_;
  std::string version_;
};

TEST_F(PgTlsServerTest, AnSslRequestIsAnsweredSAndTheSessionGoesOnOverTls) {
  StartServer(false);
  std::string reply = SignInOverTls();
  ASSERT_FALSE(reply.empty());
  EXPECT_EQ(reply.substr(0, 9), "R" + Int32(8) + Int32(0));  // AuthenticationOk
  EXPECT_TRUE(version_ == "TLSv1.3" || version_ == "TLSv1.2") << version_;
}

TEST_F(PgTlsServerTest, WithoutTlsRequiredAPlainClientIsServed) {
  StartServer(false);
  int fd = Connect();
  send(fd, Startup().data(), Startup().size(), 0);
  EXPECT_EQ(Receive(fd).substr(0, 9), "R" + Int32(8) + Int32(0));
  close(fd);
}

TEST_F(PgTlsServerTest, WithTlsRequiredAPlainStartupGetsFatal28000) {
  StartServer(true);
  int fd = Connect();
  send(fd, Startup().data(), Startup().size(), 0);
  std::string reply = Receive(fd);
  ASSERT_FALSE(reply.empty());
  EXPECT_EQ(reply[0], 'E');
  EXPECT_NE(reply.find("28000"), std::string::npos);
  EXPECT_NE(reply.find("TLS is required"), std::string::npos) << reply;
  close(fd);
  EXPECT_FALSE(SignInOverTls().empty());
}

TEST_F(PgTlsServerTest, GarbageInsteadOfAClientHelloIsDroppedAndOthersAreServed) {
  StartServer(false);
  int fd = Connect();
  send(fd, SslRequest().data(), 8, 0);
  EXPECT_EQ(Receive(fd), "S");
  const std::string garbage(64, 'x');
  send(fd, garbage.data(), garbage.size(), MSG_NOSIGNAL);
  // Whatever alert comes back, the connection then ends.
  char buffer[256];
  while (recv(fd, buffer, sizeof buffer, 0) > 0) {
  }
  close(fd);
  EXPECT_EQ(SignInOverTls().substr(0, 9), "R" + Int32(8) + Int32(0));
}

TEST_F(PgTlsServerTest, AGssEncRequestIsAnsweredN) {
  StartServer(false);
  int fd = Connect();
  const std::string request = Int32(8) + Int32(80877104);
  send(fd, request.data(), request.size(), 0);
  EXPECT_EQ(Receive(fd), "N");
  close(fd);
}

}  // namespace
}  // namespace lakehouse::pgwire
