// pgwire's Session driven byte by byte, with no socket: startup, sign-in, simple and extended
// queries, errors and their SQLSTATEs, session commands, cursors, COPY, bounds on messages.
#include "pgwire/session.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "common/base64.h"
#include "common/scram.h"
#include "common/sha256.h"
#include "pgwire/catalog_answerer.h"
#include "pgwire/statements.h"
#include "testing/embedded_lakehouse.h"

namespace lakehouse::pgwire {
namespace {

using testing::EmbeddedLakehouse;

std::string Int32(int32_t v) {
  auto u = static_cast<uint32_t>(v);
  return {static_cast<char>(u >> 24), static_cast<char>(u >> 16), static_cast<char>(u >> 8),
          static_cast<char>(u)};
}
std::string Int16(int16_t v) {
  auto u = static_cast<uint16_t>(v);
  return {static_cast<char>(u >> 8), static_cast<char>(u)};
}
std::string Str(const std::string& s) { return s + std::string(1, '\0'); }
std::string Msg(char type, const std::string& body) {
  return std::string(1, type) + Int32(static_cast<int32_t>(body.size() + 4)) + body;
}
std::string Startup(const std::string& user = "x") {
  std::string body = Int32(196608) + Str("user") + Str(user) + Str("database") + Str("lakehouse") +
                     Str("application_name") + Str("test") + Str("");
  return Int32(static_cast<int32_t>(body.size() + 4)) + body;
}
std::string Query(const std::string& sql) { return Msg('Q', Str(sql)); }
std::string Parse(const std::string& name, const std::string& sql) {
  return Msg('P', Str(name) + Str(sql) + Int16(0));
}
std::string Bind(const std::string& portal, const std::string& statement,
                 const std::vector<std::optional<std::string>>& params, int16_t result_format = 0) {
  std::string body =
      Str(portal) + Str(statement) + Int16(0) + Int16(static_cast<int16_t>(params.size()));
  for (const auto& p : params) {
    body += p ? Int32(static_cast<int32_t>(p->size())) + *p : Int32(-1);
  }
  body += Int16(1) + Int16(result_format);
  return Msg('B', body);
}
std::string Describe(char kind, const std::string& name) {
  return Msg('D', std::string(1, kind) + Str(name));
}
std::string Execute(const std::string& portal, int32_t max_rows = 0) {
  return Msg('E', Str(portal) + Int32(max_rows));
}
std::string Sync() { return Msg('S', ""); }

struct Reply {
  char type;
  std::string body;
};

// Backend messages cut from the bytes a session sent.
std::vector<Reply> Cut(const std::string& bytes) {
  std::vector<Reply> replies;
  size_t at = 0;
  while (at < bytes.size()) {
    if (bytes[at] == 'N' && at + 1 == bytes.size()) {  // the answer to an SSLRequest
      replies.push_back({'N', ""});
      break;
    }
    auto b = reinterpret_cast<const unsigned char*>(bytes.data() + at + 1);
    uint32_t length = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (b[2] << 8) | b[3];
    replies.push_back({bytes[at], bytes.substr(at + 5, length - 4)});
    at += 1 + length;
  }
  return replies;
}

std::string Types(const std::vector<Reply>& replies) {
  std::string types;
  for (const auto& r : replies) types.push_back(r.type);
  return types;
}

// A field of an ErrorResponse ('C' the SQLSTATE, 'M' the message).
std::string Field(const Reply& error, char code) {
  size_t at = 0;
  while (at < error.body.size() && error.body[at] != '\0') {
    char field = error.body[at];
    size_t end = error.body.find('\0', at + 1);
    if (field == code) return error.body.substr(at + 1, end - at - 1);
    at = end + 1;
  }
  return "";
}

// The cells of a DataRow, "NULL" for NULL.
std::vector<std::string> Cells(const Reply& row) {
  std::vector<std::string> cells;
  auto b = reinterpret_cast<const unsigned char*>(row.body.data());
  int count = (b[0] << 8) | b[1];
  size_t at = 2;
  for (int i = 0; i < count; ++i) {
    auto p = b + at;
    auto length =
        static_cast<int32_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (p[2] << 8) | p[3]);
    at += 4;
    if (length < 0) {
      cells.emplace_back("NULL");
      continue;
    }
    cells.push_back(row.body.substr(at, static_cast<size_t>(length)));
    at += static_cast<size_t>(length);
  }
  return cells;
}

std::string Tag(const Reply& complete) { return complete.body.substr(0, complete.body.size() - 1); }

class PgSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        lake_.Ingest("candidates", "id,name,state,rate\n1,Ada,TX,80\n2,Bob,CA,65.5\n").ok());
    ASSERT_TRUE(lake_.Ingest("candidates", "id,name,state,rate\n3,Cy,TX,70\n").ok());
  }

  std::unique_ptr<Session> Open(SessionOptions options = {}) {
    options.stats = &stats_;
    return std::make_unique<Session>(lake_.engine(), std::move(options),
                                     [this](std::string_view bytes) {
                                       sent_ += bytes;
                                       return true;
                                     });
  }
  // Sends bytes and returns what came back (and whether the session goes on).
  std::vector<Reply> Send(Session& session, const std::string& bytes, bool* open = nullptr) {
    sent_.clear();
    bool still = session.Receive(bytes);
    if (open != nullptr) *open = still;
    return Cut(sent_);
  }
  std::unique_ptr<Session> SignedIn() {
    auto session = Open();
    auto replies = Send(*session, Startup());
    EXPECT_EQ(replies.back().type, 'Z');
    return session;
  }

  EmbeddedLakehouse lake_;
  SessionStats stats_;
  std::string sent_;
};

TEST_F(PgSessionTest, StartupAnswersItsParametersKeyAndReady) {
  SessionOptions options;
  options.process_id = 7;
  options.secret_key = 9;
  auto session = Open(options);
  auto replies = Send(*session, Int32(8) + Int32(80877103));  // SSLRequest
  EXPECT_EQ(Types(replies), "N");
  replies = Send(*session, Startup());
  ASSERT_GE(replies.size(), 3u);
  EXPECT_EQ(replies[0].type, 'R');
  EXPECT_EQ(replies[0].body, Int32(0));
  std::map<std::string, std::string> parameters;
  for (const auto& r : replies) {
    if (r.type != 'S') continue;
    size_t nul = r.body.find('\0');
    parameters[r.body.substr(0, nul)] = r.body.substr(nul + 1, r.body.size() - nul - 2);
  }
  EXPECT_TRUE(parameters["server_version"].starts_with("15.0 (Lakehouse"));
  EXPECT_EQ(parameters["client_encoding"], "UTF8");
  EXPECT_EQ(parameters["DateStyle"], "ISO, MDY");
  EXPECT_EQ(parameters["integer_datetimes"], "on");
  EXPECT_EQ(parameters["standard_conforming_strings"], "on");
  EXPECT_EQ(parameters["application_name"], "test");
  EXPECT_EQ(replies[replies.size() - 2].type, 'K');
  EXPECT_EQ(replies[replies.size() - 2].body, Int32(7) + Int32(9));
  EXPECT_EQ(replies.back().type, 'Z');
  EXPECT_EQ(replies.back().body, "I");
}

TEST_F(PgSessionTest, CatalogStatementsGoToTheAnswererInBothProtocols) {
  auto answerer = CatalogAnswerer::Open(lake_.catalog(), {});
  ASSERT_TRUE(answerer.ok()) << answerer.status().ToString();
  SessionOptions options;
  options.catalog = answerer->get();
  auto session = Open(options);
  ASSERT_EQ(Send(*session, Startup()).back().type, 'Z');
  auto replies = Send(*session, Query("SELECT relname, relkind FROM pg_catalog.pg_class"));
  ASSERT_EQ(Types(replies), "TDCZ");
  EXPECT_EQ(Cells(replies[1]), (std::vector<std::string>{"candidates", "r"}));
  // Parse/Describe/Bind/Execute, as JDBC sends its metadata queries.
  replies = Send(*session, Parse("",
                                 "SELECT attname FROM pg_attribute WHERE attrelid = $1 "
                                 "ORDER BY attnum") +
                               Describe('S', "") + Bind("", "", {"16384"}) + Execute("") + Sync());
  ASSERT_EQ(Types(replies), "1tT2DDDDCZ");
  EXPECT_EQ(Cells(replies[4]), (std::vector<std::string>{"id"}));
  // Datasets still go to the engine; a mix of both is 0A000.
  replies = Send(*session, Query("SELECT count(*) FROM candidates"));
  EXPECT_EQ(Cells(replies[1]), (std::vector<std::string>{"3"}));
  replies = Send(*session, Query("SELECT count(*) FROM pg_class, candidates"));
  ASSERT_EQ(Types(replies), "EZ");
  EXPECT_EQ(Field(replies[0], 'C'), "0A000");
}

TEST_F(PgSessionTest, ColumnsOfCallsAreNamedAsPostgreSQLNamesThem) {
  auto session = SignedIn();
  auto replies = Send(*session, Query("SELECT version(), count(*), max(id) FROM candidates"));
  ASSERT_EQ(Types(replies), "TDCZ");
  EXPECT_NE(replies[0].body.find(std::string("version\0", 8)), std::string::npos);
  EXPECT_NE(replies[0].body.find(std::string("count\0", 6)), std::string::npos);
  // A call with arguments keeps DuckDB's name, as before.
  EXPECT_NE(replies[0].body.find(std::string("max(id)\0", 8)), std::string::npos);
  EXPECT_TRUE(Cells(replies[1])[0].starts_with("PostgreSQL 15.0 (Lakehouse "));
}

TEST_F(PgSessionTest, ASimpleQueryStreamsItsRowsThenCompletes) {
  auto session = SignedIn();
  auto replies =
      Send(*session, Query("SELECT id, name, rate FROM candidates ORDER BY id; SELECT 2"));
  ASSERT_EQ(Types(replies), "TDDDCTDCZ");
  EXPECT_EQ(Cells(replies[1]), (std::vector<std::string>{"1", "Ada", "80"}));
  EXPECT_EQ(Tag(replies[4]), "SELECT 3");
  EXPECT_EQ(Cells(replies[6]), (std::vector<std::string>{"2"}));
  // The column's OID: BIGINT is int8 (20).
  EXPECT_NE(replies[0].body.find(std::string("id\0", 3) + Int32(0) + Int16(0) + Int32(20)),
            std::string::npos);
  EXPECT_EQ(Types(Send(*session, Query("  ;  "))), "IZ");
  EXPECT_EQ(stats_.queries.load(), 2u);
}

TEST_F(PgSessionTest, ErrorsCarryTheirSqlStateAndTheSessionGoesOn) {
  auto session = SignedIn();
  const std::pair<const char*, const char*> cases[] = {
      {"SELECT * FROM nosuch", "42P01"},          {"DROP TABLE candidates", "42501"},
      {"COPY (SELECT 1) TO '/tmp/x'", "42501"},   {"SELEC 1", "42601"},
      {"SELECT nosuch FROM candidates", "42703"}, {"SHOW nosuch", "42704"},
  };
  for (const auto& [sql, state] : cases) {
    auto replies = Send(*session, Query(sql));
    ASSERT_EQ(Types(replies), "EZ") << sql;
    EXPECT_EQ(Field(replies[0], 'C'), state) << sql << ": " << Field(replies[0], 'M');
    EXPECT_EQ(Field(replies[0], 'S'), "ERROR");
  }
  // The same message the HTTP API gives.
  auto replies = Send(*session, Query("SELECT * FROM nosuch"));
  auto http = lake_.QueryJson("SELECT * FROM nosuch");
  EXPECT_EQ(Field(replies[0], 'M'), http.status().message());
  EXPECT_EQ(Types(Send(*session, Query("SELECT 1"))), "TDCZ");
}

TEST_F(PgSessionTest, SessionCommandsAreAnsweredWithoutTheEngine) {
  auto session = SignedIn();
  auto replies = Send(*session, Query("SET search_path TO 'main'; SET statement_timeout = 0; "
                                      "SHOW statement_timeout; SHOW TimeZone"));
  ASSERT_EQ(Types(replies), "CCTDCTDCZ");
  EXPECT_EQ(Tag(replies[0]), "SET");
  EXPECT_EQ(Cells(replies[3]), (std::vector<std::string>{"0"}));
  EXPECT_EQ(Cells(replies[6]), (std::vector<std::string>{"UTC"}));
  replies = Send(*session, Query("BEGIN"));
  EXPECT_EQ(replies.back().body, "T");
  replies = Send(*session, Query("SELECT * FROM nosuch"));
  EXPECT_EQ(replies.back().body, "E");
  replies = Send(*session, Query("SELECT 1"));
  EXPECT_EQ(Field(replies[0], 'C'), "25P02");
  replies = Send(*session, Query("ROLLBACK"));
  EXPECT_EQ(Tag(replies[0]), "ROLLBACK");
  EXPECT_EQ(replies.back().body, "I");
  replies = Send(*session, Query("DISCARD ALL; DEALLOCATE ALL; RESET ALL"));
  EXPECT_EQ(Types(replies), "CCCZ");
  replies = Send(*session, Query("SET TimeZone = 'America/New_York'"));
  EXPECT_EQ(Field(replies[0], 'C'), "0A000");
  replies = Send(*session, Query("SHOW ALL"));
  EXPECT_EQ(replies[0].type, 'T');
  EXPECT_GT(replies.size(), 10u);
}

TEST_F(PgSessionTest, ExtendedQueriesBindParametersAndSuspendAtTheRowLimit) {
  auto session = SignedIn();
  auto replies = Send(*session, Parse("", "SELECT id FROM candidates WHERE id >= $1 ORDER BY id") +
                                    Describe('S', "") + Bind("", "", {"1"}) + Describe('P', "") +
                                    Execute("", 2) + Execute("", 2) + Sync());
  ASSERT_EQ(Types(replies), "1tT2TDDsDCZ");
  EXPECT_EQ(replies[1].body, Int16(1) + Int32(20));  // one int8 parameter
  EXPECT_EQ(Cells(replies[5]), (std::vector<std::string>{"1"}));
  EXPECT_EQ(Cells(replies[8]), (std::vector<std::string>{"3"}));
  EXPECT_EQ(Tag(replies[9]), "SELECT 1");

  // Named statements survive Sync; portals bound to them return binary int8.
  replies = Send(*session, Parse("byid", "SELECT name, id FROM candidates WHERE id = $1") + Sync());
  EXPECT_EQ(Types(replies), "1Z");
  replies = Send(*session, Bind("p", "byid", {"2"}, 1) + Execute("p") + Sync());
  EXPECT_EQ(Field(replies[0], 'C'), "0A000") << "binary is refused for text columns";
  replies = Send(*session, Parse("ids", "SELECT id FROM candidates WHERE id = $1") +
                               Bind("p", "ids", {"2"}, 1) + Execute("p") + Sync());
  ASSERT_EQ(Types(replies), "12DCZ");
  EXPECT_EQ(Cells(replies[2])[0], std::string(7, '\0') + "\2");
}

TEST_F(PgSessionTest, AnExtendedErrorSkipsToSync) {
  auto session = SignedIn();
  auto replies = Send(*session, Parse("", "SELECT * FROM nosuch") + Bind("", "", {}) + Execute("") +
                                    Sync() + Query("SELECT 1"));
  ASSERT_EQ(Types(replies), "EZTDCZ");
  EXPECT_EQ(Field(replies[0], 'C'), "42P01");
}

TEST_F(PgSessionTest, TooManyParametersIsAClearErrorWithinBoundedMemory) {
  auto session = SignedIn();
  std::vector<std::optional<std::string>> many(10000, std::string("1"));
  auto replies = Send(*session, Parse("", "SELECT $1::INTEGER") + Bind("", "", many) + Sync());
  ASSERT_EQ(Types(replies), "1EZ");
  EXPECT_EQ(Field(replies[1], 'C'), "08P01");
  EXPECT_NE(Field(replies[1], 'M').find("supplies 10000 parameters"), std::string::npos);
  replies = Send(*session,
                 Parse("", "SELECT $1::INTEGER + 1") + Bind("", "", {"41"}) + Execute("") + Sync());
  ASSERT_EQ(Types(replies), "12DCZ");
  EXPECT_EQ(Cells(replies[2])[0], "42");
}

TEST_F(PgSessionTest, CursorsFetchInBatchesWithinATransaction) {
  auto session = SignedIn();
  auto replies = Send(*session, Query("DECLARE c CURSOR FOR SELECT id FROM candidates"));
  EXPECT_EQ(Field(replies[0], 'C'), "25P01");
  replies = Send(*session, Query("BEGIN; DECLARE \"C1\" CURSOR WITHOUT HOLD FOR SELECT id FROM "
                                 "candidates ORDER BY id"));
  ASSERT_EQ(Types(replies), "CCZ");
  replies = Send(*session, Query("FETCH FORWARD 2 FROM \"C1\""));
  ASSERT_EQ(Types(replies), "TDDCZ");
  EXPECT_EQ(Tag(replies[3]), "FETCH 2");
  replies = Send(*session, Query("FETCH FORWARD 2 FROM \"C1\""));
  ASSERT_EQ(Types(replies), "TDCZ");
  EXPECT_EQ(Cells(replies[1])[0], "3");
  replies = Send(*session, Query("CLOSE \"C1\"; COMMIT"));
  ASSERT_EQ(Types(replies), "CCZ");
  EXPECT_EQ(replies.back().body, "I");
}

TEST_F(PgSessionTest, ASessionHoldsAFewOpenCursorsAtMost) {
  auto session = SignedIn();
  Send(*session, Query("BEGIN"));
  for (int i = 0; i < 4; ++i) {
    auto replies = Send(
        *session, Query("DECLARE c" + std::to_string(i) + " CURSOR FOR SELECT id FROM candidates"));
    ASSERT_EQ(Types(replies), "CZ") << i;
  }
  auto replies = Send(*session, Query("DECLARE c4 CURSOR FOR SELECT id FROM candidates"));
  EXPECT_EQ(Field(replies[0], 'C'), "54000");
  Send(*session, Query("ROLLBACK"));
  replies = Send(*session, Query("BEGIN; DECLARE c4 CURSOR FOR SELECT id FROM candidates"));
  EXPECT_EQ(Types(replies), "CCZ") << "ending the block closed the others";
}

TEST_F(PgSessionTest, CopyToStdoutSendsRowsAsCopyData) {
  auto session = SignedIn();
  auto replies = Send(*session, Query("COPY (SELECT id, name FROM candidates WHERE id < 3 ORDER "
                                      "BY id) TO STDOUT WITH (FORMAT csv, HEADER)"));
  ASSERT_EQ(Types(replies), "HdddcCZ");
  EXPECT_EQ(replies[1].body, "id,name\n");
  EXPECT_EQ(replies[2].body, "1,Ada\n");
  EXPECT_EQ(Tag(replies[5]), "COPY 2");
  replies = Send(*session, Query("COPY (SELECT NULL, 'a\tb') TO STDOUT"));
  ASSERT_EQ(Types(replies), "HdcCZ");
  EXPECT_EQ(replies[1].body, "\\N\ta\\tb\n");
}

TEST_F(PgSessionTest, ALengthThatLiesEndsTheSessionWithoutAllocatingIt) {
  bool open = true;
  auto session = Open();
  auto replies = Send(*session, Int32(100 << 20) + Int32(196608), &open);
  EXPECT_FALSE(open);
  ASSERT_EQ(Types(replies), "E");
  EXPECT_EQ(Field(replies[0], 'C'), "54000");
  EXPECT_EQ(Field(replies[0], 'S'), "FATAL");

  session = SignedIn();
  replies = Send(*session, std::string("Q") + Int32(2), &open);
  EXPECT_FALSE(open);
  EXPECT_EQ(Field(replies[0], 'C'), "08P01");

  SessionOptions small;
  small.max_message_bytes = 4096;
  session = Open(small);
  Send(*session, Startup());
  replies = Send(*session, std::string("Q") + Int32(1 << 30) + "SELECT", &open);
  EXPECT_FALSE(open);
  EXPECT_EQ(Field(replies[0], 'C'), "54000");
  EXPECT_GE(stats_.protocol_errors.load(), 3u);

  session = SignedIn();
  replies = Send(*session, Msg('?', ""), &open);
  EXPECT_FALSE(open);
  EXPECT_EQ(Field(replies[0], 'C'), "08P01");
}

TEST_F(PgSessionTest, MessagesMayArriveAByteAtATime) {
  auto session = Open();
  std::string bytes = Startup() + Query("SELECT 7");
  sent_.clear();
  for (char c : bytes) ASSERT_TRUE(session->Receive(std::string_view(&c, 1)));
  auto replies = Cut(sent_);
  EXPECT_EQ(Types(replies).substr(Types(replies).size() - 4), "TDCZ");
}

TEST_F(PgSessionTest, ACancelRequestCallsBackWithItsKeyAndCloses) {
  int32_t got_pid = 0, got_key = 0;
  SessionOptions options;
  options.cancel = [&](int32_t pid, int32_t key) {
    got_pid = pid;
    got_key = key;
  };
  auto session = Open(options);
  bool open = true;
  auto replies = Send(*session, Int32(16) + Int32(80877102) + Int32(5) + Int32(6), &open);
  EXPECT_FALSE(open);
  EXPECT_TRUE(replies.empty());
  EXPECT_EQ(got_pid, 5);
  EXPECT_EQ(got_key, 6);
}

TEST_F(PgSessionTest, WithTokensLoopbackSendsATokenAsItsPassword) {
  SessionOptions options;
  options.check_password = [](std::string_view password) -> Result<std::string> {
    if (password == "0123456789abcdef") return std::string("ci");
    return Status::Unauthenticated("no");
  };
  auto session = Open(options);
  auto replies = Send(*session, Startup());
  ASSERT_EQ(Types(replies), "R");
  EXPECT_EQ(replies[0].body, Int32(3));
  bool open = true;
  replies = Send(*session, Msg('p', Str("wrong")), &open);
  EXPECT_FALSE(open);
  EXPECT_EQ(Field(replies[0], 'C'), "28P01");

  session = Open(options);
  Send(*session, Startup());
  replies = Send(*session, Msg('p', Str("0123456789abcdef")));
  EXPECT_EQ(replies.back().type, 'Z');

  // Off loopback a cleartext password is never asked for.
  options.loopback = false;
  session = Open(options);
  replies = Send(*session, Startup(), &open);
  EXPECT_FALSE(open);
  EXPECT_EQ(Field(replies[0], 'C'), "28000");
}

TEST_F(PgSessionTest, OffLoopbackATokenSignsInWithScram) {
  const std::string token = "0123456789abcdef";
  const std::string salt = "saltsaltsaltsalt";
  SessionOptions options;
  options.loopback = false;
  options.check_password = [](std::string_view) -> Result<std::string> {
    return Status::Unauthenticated("not asked");
  };
  options.scram.push_back(*DeriveScramVerifier("another token here", salt, 4096));
  options.scram.push_back(*DeriveScramVerifier(token, salt, 4096));
  for (const std::string& password : {token, std::string("wrong password")}) {
    auto session = Open(options);
    auto replies = Send(*session, Startup());
    ASSERT_EQ(Types(replies), "R");
    EXPECT_NE(replies[0].body.find("SCRAM-SHA-256"), std::string::npos);
    const std::string client_first_bare = "n=x,r=clientnonce";
    std::string first = "n,," + client_first_bare;
    replies = Send(*session, Msg('p', Str("SCRAM-SHA-256") +
                                          Int32(static_cast<int32_t>(first.size())) + first));
    ASSERT_EQ(Types(replies), "R");
    std::string server_first = replies[0].body.substr(4);
    ASSERT_TRUE(server_first.starts_with("r=clientnonce"));
    std::string nonce = server_first.substr(2, server_first.find(',') - 2);
    unsigned char salted[32];
    PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                      reinterpret_cast<const unsigned char*>(salt.data()),
                      static_cast<int>(salt.size()), 4096, EVP_sha256(), 32, salted);
    std::string salted_password(reinterpret_cast<char*>(salted), 32);
    std::string client_key = *HmacSha256(salted_password, "Client Key");
    auto stored = *Sha256(client_key);
    std::string stored_key(reinterpret_cast<const char*>(stored.data()), stored.size());
    std::string without_proof = "c=biws,r=" + nonce;
    std::string auth_message = client_first_bare + "," + server_first + "," + without_proof;
    std::string signature = *HmacSha256(stored_key, auth_message);
    std::string proof(32, '\0');
    for (size_t i = 0; i < 32; ++i) proof[i] = client_key[i] ^ signature[i];
    bool open = true;
    replies = Send(*session, Msg('p', without_proof + ",p=" + Base64Encode(proof)), &open);
    if (password == token) {
      ASSERT_GE(replies.size(), 2u);
      std::string server_key = *HmacSha256(salted_password, "Server Key");
      EXPECT_EQ(replies[0].body,
                Int32(12) + "v=" + Base64Encode(*HmacSha256(server_key, auth_message)));
      EXPECT_EQ(replies.back().type, 'Z');
    } else {
      EXPECT_FALSE(open);
      EXPECT_EQ(Field(replies[0], 'C'), "28P01");
    }
  }
}

}  // namespace
}  // namespace lakehouse::pgwire

namespace lakehouse::pgwire {
namespace {

TEST(PgStatementsTest, SemicolonsSplitOnlyOutsideQuotesAndComments) {
  EXPECT_EQ(SplitStatements("SELECT 1; SELECT ';' -- ;\n; SELECT \"a;b\" /* ; */ ;; SELECT $$;$$"),
            (std::vector<std::string>{"SELECT 1", "SELECT ';' -- ;", "SELECT \"a;b\" /* ; */",
                                      "SELECT $$;$$"}));
  EXPECT_EQ(SplitStatements("SELECT $1; SELECT 'it''s;'"),
            (std::vector<std::string>{"SELECT $1", "SELECT 'it''s;'"}));
  EXPECT_TRUE(SplitStatements(" ; -- only a comment\n ; /* and */ ").empty());
}

TEST(PgStatementsTest, LeadingWordsSkipCommentsAndKeepQuotedNames) {
  EXPECT_EQ(LeadingWords("/* c */ -- d\n fetch forward 10 from \"Cur\"", 5),
            (std::vector<std::string>{"FETCH", "FORWARD", "10", "FROM", "\"Cur\""}));
  EXPECT_EQ(SettingValue(" 'it''s' "), "it's");
  EXPECT_EQ(SettingValue("a, b"), "a, b");
}

}  // namespace
}  // namespace lakehouse::pgwire
