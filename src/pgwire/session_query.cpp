// Runs a session's statements: Query messages, portals streaming their rows, COPY TO STDOUT.
#include <set>

#include "pgwire/catalog_answerer.h"
#include "pgwire/errors.h"
#include "pgwire/pg_types.h"
#include "pgwire/session_impl.h"
#include "pgwire/statements.h"
#include "query/result_chunks.h"

namespace lakehouse::pgwire {
namespace {

constexpr size_t kMaxOpenPortals = 4;

const std::set<std::string, std::less<>> kSessionCommands = {
    "SET",   "RESET",    "SHOW",    "BEGIN",      "START",   "COMMIT", "END",
    "ABORT", "ROLLBACK", "DISCARD", "DEALLOCATE", "DECLARE", "FETCH",  "CLOSE"};

void AppendCopyText(std::string_view cell, std::string& out) {
  for (char c : cell) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out.push_back(c);
    }
  }
}

void AppendCopyCsv(std::string_view cell, std::string& out) {
  // Quoted when empty, so an empty string stays apart from NULL (an empty
  // field).
  if (cell.empty()) {
    out += "\"\"";
    return;
  }
  query::AppendCsvField(cell, out);
}

// A column as PostgreSQL names it: DuckDB names a call by its text
// ("\"version\"()", "count_star()"), PostgreSQL by the function (version,
// count), which is what clients look up by name.
std::string PgColumnName(const std::string& name) {
  if (!name.ends_with("()")) return name;
  std::string function = name.substr(0, name.size() - 2);
  if (function.size() >= 2 && function.front() == '"' && function.back() == '"') {
    function = function.substr(1, function.size() - 2);
  }
  if (function.empty() ||
      function.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
    return name;
  }
  return function == "count_star" ? "count" : function;
}

}  // namespace

StatementKind KindOf(const std::string& sql) {
  auto words = LeadingWords(sql, 1);
  if (words.empty()) return StatementKind::kEmpty;
  if (kSessionCommands.contains(words[0])) return StatementKind::kCommand;
  if (words[0] == "COPY" && ParseCopyOut(sql)) return StatementKind::kCopyOut;
  return StatementKind::kQuery;
}

std::optional<CopyOut> ParseCopyOut(const std::string& sql) {
  size_t open = sql.find('(');
  auto head = LeadingWords(sql, 2);
  if (open == std::string::npos || head.size() < 2 || head[0] != "COPY" || head[1] != "(") {
    return std::nullopt;
  }
  size_t close = ClosingParen(sql, open);
  if (close == std::string_view::npos) return std::nullopt;
  std::string tail = sql.substr(close + 1);
  for (char& c : tail) {
    if (c == '(' || c == ')' || c == ',' || c == '=') c = ' ';
  }
  auto words = LeadingWords(tail, 32);
  if (words.size() < 2 || words[0] != "TO" || words[1] != "STDOUT") return std::nullopt;
  CopyOut copy;
  copy.query = sql.substr(open + 1, close - open - 1);
  for (size_t i = 2; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "CSV") {
      copy.csv = true;
    } else if (word == "HEADER") {
      copy.header = !(i + 1 < words.size() && (words[i + 1] == "FALSE" || words[i + 1] == "OFF"));
    } else if (word == "FORMAT" && i + 1 < words.size()) {
      copy.csv = words[++i] == "CSV";
      if (!copy.csv && words[i] != "TEXT") return std::nullopt;
    } else if (word != "WITH" && word != "TRUE" && word != "ON" && word != "FALSE" &&
               word != "OFF") {
      return std::nullopt;  // an option not served: the fence refuses the COPY
    }
  }
  return copy;
}

bool Session::Impl::HandleQuery(const Message& message) {
  FieldReader fields(message.body);
  auto sql = fields.CString();
  if (!sql.ok()) return Fatal("08P01", sql.status().message());
  auto statements = SplitStatements(*sql);
  if (statements.empty()) MessageWriter(out_).Begin('I').End();
  for (const auto& statement : statements) {
    if (!RunSimple(statement) || phase_ == Phase::kEnded) break;
  }
  portals_.erase("");
  if (phase_ == Phase::kEnded) return false;
  SendReady();
  return true;
}

bool Session::Impl::RunSimple(const std::string& sql) {
  StatementKind kind = KindOf(sql);
  Status status;
  auto words = LeadingWords(sql, 1);
  bool ends_block = !words.empty() && (words[0] == "COMMIT" || words[0] == "ROLLBACK" ||
                                       words[0] == "ABORT" || words[0] == "END");
  if (transaction_ == 'E' && !ends_block) {
    SendError("25P02",
              "current transaction is aborted, commands ignored until end of "
              "transaction block");
    return false;
  }
  if (kind == StatementKind::kCommand) {
    status = RunCommand(sql, true);
  } else if (kind != StatementKind::kEmpty) {
    auto portal = PortalFor(sql, kind, {});
    status = portal.status();
    if (portal.ok() && kind == StatementKind::kCopyOut) {
      status = RunCopyOut(*portal);
    } else if (portal.ok()) {
      status = StartPortal(*portal);
      if (status.ok()) {
        SendRowDescription(*portal);
        bool suspended = false;
        status = RunPortal(*portal, 0, "SELECT", &suspended);
      }
    }
  }
  if (status.ok()) return true;
  CountError(status);
  SendError(status);
  if (transaction_ == 'T') transaction_ = 'E';
  return false;
}

Result<Portal> Session::Impl::PortalFor(const std::string& sql, StatementKind kind,
                                        std::vector<std::optional<std::string>> params) {
  Portal portal;
  portal.kind = kind;
  portal.sql = sql;
  portal.params = std::move(params);
  if (kind == StatementKind::kCopyOut) {
    auto copy = ParseCopyOut(sql);
    if (!copy) return Status::InvalidArgument("not a COPY (query) TO STDOUT");
    portal.sql = copy->query;
    portal.copy_csv = copy->csv;
    portal.copy_header = copy->header;
  }
  return portal;
}

Status Session::Impl::StartPortal(Portal& portal) {
  if (portal.cursor) return Status::Ok();
  // A started portal or cursor holds one of the engine's query connections
  // until it is closed, so one client may not hold many of them.
  size_t open = 0;
  for (const auto* portals : {&portals_, &cursors_}) {
    for (const auto& [name, other] : *portals) open += other.cursor ? 1 : 0;
  }
  if (open >= kMaxOpenPortals) {
    return Status::TooLarge("a session may hold at most " + std::to_string(kMaxOpenPortals) +
                            " open cursors and suspended portals, each a query connection; "
                            "close one first");
  }
  query::QueryRequest request;
  request.sql = portal.sql;
  request.limit = engine_.options().max_rows;
  request.params = portal.params;
  request.cancel = cancel_;
  if (options_.stats) ++options_.stats->queries;
  if (options_.catalog != nullptr && RoutesToCatalog(request.sql)) {
    LH_ASSIGN_OR_RETURN(portal.cursor, options_.catalog->Execute(request));
  } else {
    LH_ASSIGN_OR_RETURN(portal.cursor, engine_.Execute(request));
  }
  portal.columns = portal.cursor->columns();
  portal.oids.clear();
  for (const auto& column : portal.columns) portal.oids.push_back(OidOf(column.value_type));
  portal.formats.resize(portal.columns.size(), 0);
  return Status::Ok();
}

Result<query::StatementShape> Session::Impl::DescribeQuery(const query::QueryRequest& request) {
  if (options_.catalog != nullptr && RoutesToCatalog(request.sql)) {
    return options_.catalog->Describe(request);
  }
  return engine_.Describe(request);
}

void Session::Impl::SendRowDescription(const Portal& portal) {
  MessageWriter w(out_);
  w.Begin('T').Int16(static_cast<int16_t>(portal.columns.size()));
  for (size_t c = 0; c < portal.columns.size(); ++c) {
    int32_t oid = c < portal.oids.size() ? portal.oids[c] : kOidText;
    int16_t format = c < portal.formats.size() ? portal.formats[c] : 0;
    w.CString(PgColumnName(portal.columns[c].name))
        .Int32(0)
        .Int16(0)
        .Int32(oid)
        .Int16(TypeSizeOf(oid));
    w.Int32(-1).Int16(format);
  }
  w.End();
}

Status Session::Impl::SendDataRow(const Portal& portal, size_t row) {
  const query::TextRows& rows = portal.pending;
  MessageWriter w(out_);
  w.Begin('D').Int16(static_cast<int16_t>(rows.columns));
  for (size_t c = 0; c < rows.columns; ++c) {
    if (rows.null(row, c)) {
      w.Int32(-1);
      continue;
    }
    std::string_view cell = rows.cell(row, c);
    if (portal.formats[c] == 1) {
      LH_ASSIGN_OR_RETURN(std::string binary, BinaryFromText(portal.oids[c], cell));
      w.Int32(static_cast<int32_t>(binary.size())).Bytes(binary);
    } else {
      w.Int32(static_cast<int32_t>(cell.size())).Bytes(cell);
    }
  }
  w.End();
  return Status::Ok();
}

Status Session::Impl::RunPortal(Portal& portal, size_t max_rows, const std::string& tag,
                                bool* suspended) {
  size_t sent = 0;
  *suspended = false;
  while (true) {
    if (portal.pending_row < portal.pending.rows()) {
      if (max_rows != 0 && sent == max_rows) {
        *suspended = true;
        // A FETCH that stops short is complete; an Execute is suspended.
        if (tag == "FETCH") {
          SendCommandComplete(tag + " " + std::to_string(sent));
        } else {
          MessageWriter(out_).Begin('s').End();
        }
        return Status::Ok();
      }
      LH_RETURN_IF_ERROR(SendDataRow(portal, portal.pending_row++));
      ++sent;
      ++portal.rows;
      if (!FlushIfFull()) return Status::Unavailable("the client went away");
      continue;
    }
    if (portal.exhausted) break;
    portal.pending.clear();
    portal.pending_row = 0;
    LH_ASSIGN_OR_RETURN(bool more, portal.cursor->NextText(portal.pending));
    if (!more) portal.exhausted = true;
  }
  if (portal.cursor->truncated()) {
    return Status::TooLarge("the result has more than " +
                            std::to_string(engine_.options().max_rows) +
                            " rows, the most a query may return ([queryd] max_rows)");
  }
  SendCommandComplete(tag + " " + std::to_string(sent));
  return Status::Ok();
}

Status Session::Impl::RunCopyOut(Portal& portal) {
  LH_RETURN_IF_ERROR(StartPortal(portal));
  MessageWriter w(out_);
  w.Begin('H').Byte(0).Int16(static_cast<int16_t>(portal.columns.size()));
  for (size_t c = 0; c < portal.columns.size(); ++c) w.Int16(0);
  w.End();
  std::string line;
  auto send_line = [&] {
    MessageWriter(out_).Begin('d').Bytes(line).End();
    line.clear();
  };
  if (portal.copy_header) {
    for (size_t c = 0; c < portal.columns.size(); ++c) {
      if (c > 0) line.push_back(portal.copy_csv ? ',' : '\t');
      portal.copy_csv ? AppendCopyCsv(portal.columns[c].name, line)
                      : AppendCopyText(portal.columns[c].name, line);
    }
    line.push_back('\n');
    send_line();
  }
  uint64_t rows = 0;
  for (bool more = true; more;) {
    portal.pending.clear();
    LH_ASSIGN_OR_RETURN(more, portal.cursor->NextText(portal.pending));
    const query::TextRows& chunk = portal.pending;
    for (size_t r = 0; r < chunk.rows(); ++r, ++rows) {
      for (size_t c = 0; c < chunk.columns; ++c) {
        if (c > 0) line.push_back(portal.copy_csv ? ',' : '\t');
        if (chunk.null(r, c)) {
          if (!portal.copy_csv) line += "\\N";
        } else {
          portal.copy_csv ? AppendCopyCsv(chunk.cell(r, c), line)
                          : AppendCopyText(chunk.cell(r, c), line);
        }
      }
      line.push_back('\n');
      send_line();
      if (!FlushIfFull()) return Status::Unavailable("the client went away");
    }
  }
  if (portal.cursor->truncated()) {
    return Status::TooLarge("the result has more than " +
                            std::to_string(engine_.options().max_rows) +
                            " rows, the most a query may return ([queryd] max_rows)");
  }
  MessageWriter(out_).Begin('c').End();
  SendCommandComplete("COPY " + std::to_string(rows));
  return Status::Ok();
}

void Session::Impl::CountError(const Status& status) {
  (void)status;
  if (options_.stats) ++options_.stats->query_errors;
}

}  // namespace lakehouse::pgwire
