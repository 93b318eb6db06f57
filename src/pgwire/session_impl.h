// Private to pgwire: the state of one session, whose work is spread over files that each do
// one job: session.cpp (startup, sign-in, dispatch), session_auth.cpp (SCRAM), session_query.cpp
// (running statements and portals), session_extended.cpp (Parse/Bind/Describe/Execute/Close),
// session_commands.cpp (the commands answered without the engine).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pgwire/session.h"
#include "pgwire/wire.h"
#include "query/query_engine.h"

namespace lakehouse::pgwire {

// What a statement is, decided from its leading words.
enum class StatementKind {
  kQuery,    // run by the engine
  kCommand,  // answered by the session (SET, SHOW, BEGIN, ...)
  kCopyOut,  // COPY (query) TO STDOUT: the query run by the engine, rows as CopyData
  kEmpty,
};

struct PreparedStatement {
  std::string sql;
  StatementKind kind = StatementKind::kQuery;
  std::vector<int32_t> param_oids;  // as Parse gave them, completed by Describe
  query::StatementShape shape;      // of a kQuery
};

// A statement bound to its parameters, run as far as Execute asked.
struct Portal {
  std::string sql;  // for a kCopyOut, the query inside
  StatementKind kind = StatementKind::kQuery;
  std::vector<std::optional<std::string>> params;
  std::vector<int32_t> oids;     // of the result columns
  std::vector<int16_t> formats;  // per result column: 0 text, 1 binary
  std::vector<query::ResultColumn> columns;
  bool hold = false;      // a cursor DECLAREd WITH HOLD outlives its transaction
  bool copy_csv = false;  // COPY ... WITH CSV
  bool copy_header = false;
  std::unique_ptr<query::QueryCursor> cursor;  // once it has run
  query::TextRows pending;                     // rows of the last chunk not sent yet
  size_t pending_row = 0;
  bool exhausted = false;  // the cursor has no more chunks
  uint64_t rows = 0;       // sent in all
};

class Session::Impl {
 public:
  Impl(query::QueryEngine& engine, SessionOptions options,
       std::function<bool(std::string_view)> send)
      : engine_(engine),
        options_(std::move(options)),
        send_(std::move(send)),
        reader_(options_.max_message_bytes),
        cancel_(std::make_shared<query::QueryCancel>()) {}

  bool Receive(std::string_view bytes);
  void Cancel() { cancel_->Cancel(); }
  bool signed_in() const { return phase_ == Phase::kReady; }

 private:
  enum class Phase { kStartup, kPassword, kSaslInitial, kSaslResponse, kReady, kEnded };

  // session.cpp
  bool Handle(const Message& message);
  bool HandleStartupPacket(const Message& message);
  bool StartSession(FieldReader& fields);
  void SignedIn();
  bool HandleCleartextPassword(const Message& message);
  bool Fatal(std::string_view sqlstate, const std::string& message);
  void SendError(std::string_view sqlstate, const std::string& message);
  void SendError(const Status& status);
  void SendReady();
  void SendParameterStatus(const std::string& name, const std::string& value);
  void SendCommandComplete(const std::string& tag);
  bool Flush();
  // Flushes once the output has grown past a bound, so rows stream.
  bool FlushIfFull();

  // session_auth.cpp
  bool HandleSaslInitial(const Message& message);
  bool HandleSaslResponse(const Message& message);

  // session_query.cpp
  bool HandleQuery(const Message& message);
  // Runs one statement of a Query message; false when it failed (the
  // error is sent).
  bool RunSimple(const std::string& sql);
  Result<Portal> PortalFor(const std::string& sql, StatementKind kind,
                           std::vector<std::optional<std::string>> params);
  void SendRowDescription(const Portal& portal);
  // Sends up to `max_rows` rows (0: all) of the portal, then CommandComplete
  // (or PortalSuspended when rows remain); `tag` names the command ("SELECT",
  // "FETCH"). A failure is returned, not sent.
  Status RunPortal(Portal& portal, size_t max_rows, const std::string& tag, bool* suspended);
  Status StartPortal(Portal& portal);
  // The engine's Describe, or the catalog answerer's for a statement it takes.
  Result<query::StatementShape> DescribeQuery(const query::QueryRequest& request);
  Status SendDataRow(const Portal& portal, size_t row);
  Status RunCopyOut(Portal& portal);
  void CountError(const Status& status);

  // session_extended.cpp
  bool HandleParse(const Message& message);
  bool HandleBind(const Message& message);
  bool HandleDescribe(const Message& message);
  bool HandleExecute(const Message& message);
  bool HandleClose(const Message& message);
  bool HandleSync();
  // An extended-protocol failure: sent, then messages are skipped until Sync.
  bool ExtendedError(const Status& status);
  bool ExtendedError(std::string_view sqlstate, const std::string& message);

  // session_commands.cpp
  // Answers a kCommand statement: its rows (for SHOW, FETCH) and its
  // CommandComplete, or the error it fails with.
  Status RunCommand(const std::string& sql, bool send_row_description);
  Status RunSet(const std::vector<std::string>& words, const std::string& sql);
  Status RunShow(const std::vector<std::string>& words, bool send_row_description);
  Status RunDeclare(const std::string& sql);
  Status RunFetch(const std::vector<std::string>& words);
  Status RunClose(const std::vector<std::string>& words);
  void EndTransaction();

  query::QueryEngine& engine_;
  const SessionOptions options_;
  const std::function<bool(std::string_view)> send_;
  MessageReader reader_;
  std::string out_;
  Phase phase_ = Phase::kStartup;
  std::string user_;
  std::map<std::string, std::string> settings_;  // lower-case names
  char transaction_ = 'I';                       // 'I' idle, 'T' in a block, 'E' in a failed block
  bool skip_until_sync_ = false;
  std::map<std::string, PreparedStatement> statements_;  // "" is the unnamed
  std::map<std::string, Portal> portals_;                // "" is the unnamed
  std::map<std::string, Portal> cursors_;                // DECLAREd, by name
  std::shared_ptr<query::QueryCancel> cancel_;
  // SCRAM's exchange in progress.
  std::string scram_client_first_bare_;
  std::string scram_server_first_;
  std::string scram_nonce_;
  std::string scram_gs2_header_;
};

// Decided from the leading words of `sql`.
StatementKind KindOf(const std::string& sql);
// The query inside `COPY (query) TO STDOUT [WITH ...]`, and its options;
// nullopt when `sql` is not of that form.
struct CopyOut {
  std::string query;
  bool csv = false;
  bool header = false;
};
std::optional<CopyOut> ParseCopyOut(const std::string& sql);
// The columns a kCommand statement answers with (SHOW's), none for the rest.
std::vector<query::ResultColumn> CommandColumns(const std::string& sql);

}  // namespace lakehouse::pgwire
