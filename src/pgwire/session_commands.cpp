// The statements a session answers itself: settings, transaction blocks, cursors, DISCARD.
#include <regex>

#include "pgwire/session_impl.h"
#include "pgwire/statements.h"

namespace lakehouse::pgwire {
namespace {

std::string LowerCase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// A name as SQL folds it: unquoted to lower case, quoted as written.
std::string FoldName(const std::string& word) {
  if (word.size() >= 2 && word.front() == '"' && word.back() == '"') {
    std::string name;
    for (size_t i = 1; i + 1 < word.size(); ++i) {
      name.push_back(word[i]);
      if (word[i] == '"') ++i;
    }
    return name;
  }
  return LowerCase(word);
}

// SHOW's name for a setting: multi-word forms to the one-word names.
std::string ShowName(const std::vector<std::string>& words) {
  if (words.size() >= 3 && words[1] == "TIME" && words[2] == "ZONE") return "timezone";
  if (words.size() >= 3 && words[1] == "TRANSACTION" && words[2] == "ISOLATION") {
    return "transaction_isolation";
  }
  return words.size() >= 2 ? FoldName(words[1]) : "";
}

const std::regex kSet(
    R"(^\s*SET\s+(?:(?:SESSION|LOCAL)\s+)?(TIME\s+ZONE|[A-Za-z_][\w.]*)\s*(?:=|\s+TO\s+|\s)\s*([\s\S]*)$)",
    std::regex::icase);
const std::regex kDeclare(
    R"(^\s*DECLARE\s+("(?:[^"]|"")+"|[A-Za-z_]\w*)\s+([\s\S]*?)\bCURSOR\b([\s\S]*?)\bFOR\b\s+([\s\S]*)$)",
    std::regex::icase);

}  // namespace

std::vector<query::ResultColumn> CommandColumns(const std::string& sql) {
  auto words = LeadingWords(sql, 3);
  if (words.empty() || words[0] != "SHOW") return {};
  query::ResultColumn column;
  column.type = "VARCHAR";
  column.value_type = query::ValueType::kVarchar;
  if (words.size() >= 2 && words[1] == "ALL") {
    std::vector<query::ResultColumn> columns(3, column);
    columns[0].name = "name";
    columns[1].name = "setting";
    columns[2].name = "description";
    return columns;
  }
  column.name = ShowName(words);
  return {column};
}

Status Session::Impl::RunCommand(const std::string& sql, bool send_row_description) {
  auto words = LeadingWords(sql, 8);
  const std::string& verb = words[0];
  if (verb == "BEGIN" || verb == "START") {
    if (transaction_ == 'I') transaction_ = 'T';
    SendCommandComplete(verb == "BEGIN" ? "BEGIN" : "START TRANSACTION");
  } else if (verb == "COMMIT" || verb == "END") {
    SendCommandComplete(transaction_ == 'E' ? "ROLLBACK" : "COMMIT");
    EndTransaction();
  } else if (verb == "ROLLBACK" || verb == "ABORT") {
    if (words.size() >= 2 && words[1] == "TO") {
      return Status::Unprocessable("savepoints are not supported");
    }
    SendCommandComplete("ROLLBACK");
    EndTransaction();
  } else if (verb == "SET") {
    return RunSet(words, sql);
  } else if (verb == "RESET") {
    SendCommandComplete("RESET");
  } else if (verb == "SHOW") {
    return RunShow(words, send_row_description);
  } else if (verb == "DISCARD") {
    statements_.clear();
    portals_.clear();
    cursors_.clear();
    SendCommandComplete("DISCARD " + (words.size() >= 2 ? words[1] : std::string("ALL")));
  } else if (verb == "DEALLOCATE") {
    size_t at = words.size() >= 2 && words[1] == "PREPARE" ? 2 : 1;
    if (at < words.size() && words[at] == "ALL") {
      statements_.clear();
      SendCommandComplete("DEALLOCATE ALL");
    } else {
      if (at < words.size()) statements_.erase(FoldName(words[at]));
      SendCommandComplete("DEALLOCATE");
    }
  } else if (verb == "DECLARE") {
    return RunDeclare(sql);
  } else if (verb == "FETCH") {
    return RunFetch(words);
  } else if (verb == "CLOSE") {
    return RunClose(words);
  } else {
    return Status::Unprocessable(verb + " is not supported");
  }
  return Status::Ok();
}

Status Session::Impl::RunSet(const std::vector<std::string>& words, const std::string& sql) {
  // SET TRANSACTION ... and SET SESSION CHARACTERISTICS change nothing here:
  // every transaction is read-only.
  if (words.size() >= 2 && (words[1] == "TRANSACTION" || words[1] == "SESSION") &&
      (words[1] == "TRANSACTION" || (words.size() >= 3 && words[2] == "CHARACTERISTICS"))) {
    SendCommandComplete("SET");
    return Status::Ok();
  }
  std::smatch match;
  if (!std::regex_match(sql, match, kSet)) {
    return Status::InvalidArgument("syntax error in SET: expected SET name = value");
  }
  std::string name = LowerCase(match[1].str());
  if (name.starts_with("time")) name = name.find("zone") != std::string::npos ? "timezone" : name;
  std::string value = SettingValue(match[2].str());
  if (name == "timezone" || name == "client_encoding") {
    // Fixed: DuckDB's time zone is the server's for every session, and text
    // is UTF-8 both ways.
    std::string upper = value;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const std::string current = settings_[name];
    std::string current_upper = current;
    for (char& c : current_upper) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    bool same = upper == current_upper || upper == "DEFAULT" ||
                (name == "client_encoding" && (upper == "UTF-8" || upper == "UNICODE")) ||
                (name == "timezone" && (upper == "UTC" || upper == "ETC/UTC" || upper == "GMT") &&
                 (current_upper == "UTC" || current_upper == "ETC/UTC"));
    if (!same) {
      return Status::Unprocessable(name + " is fixed at " + current + " on this server");
    }
    SendCommandComplete("SET");
    return Status::Ok();
  }
  settings_[name] = value;
  if (name == "application_name") SendParameterStatus("application_name", value);
  SendCommandComplete("SET");
  return Status::Ok();
}

Status Session::Impl::RunShow(const std::vector<std::string>& words, bool send_row_description) {
  if (words.size() < 2) return Status::InvalidArgument("syntax error in SHOW: expected a name");
  Portal shown;
  shown.columns = CommandColumns("SHOW " + words[1] + (words.size() >= 3 ? " " + words[2] : ""));
  shown.oids.assign(shown.columns.size(), 25);
  shown.formats.assign(shown.columns.size(), 0);
  std::vector<std::vector<std::string>> rows;
  if (words[1] == "ALL") {
    for (const auto& [name, value] : settings_) rows.push_back({name, value, ""});
  } else {
    std::string name = ShowName(words);
    auto found = settings_.find(name);
    if (found == settings_.end()) {
      return Status::NotFound("unrecognized configuration parameter \"" + name + "\"");
    }
    rows.push_back({found->second});
  }
  if (send_row_description) SendRowDescription(shown);
  for (const auto& row : rows) {
    MessageWriter w(out_);
    w.Begin('D').Int16(static_cast<int16_t>(row.size()));
    for (const auto& cell : row) w.Int32(static_cast<int32_t>(cell.size())).Bytes(cell);
    w.End();
  }
  SendCommandComplete("SHOW");
  return Status::Ok();
}

Status Session::Impl::RunDeclare(const std::string& sql) {
  std::smatch match;
  if (!std::regex_match(sql, match, kDeclare)) {
    return Status::InvalidArgument(
        "syntax error in DECLARE: expected DECLARE name CURSOR FOR query");
  }
  std::string name = FoldName(match[1].str());
  std::string options = LowerCase(match[2].str() + " " + match[3].str());
  if (options.find("binary") != std::string::npos) {
    return Status::Unprocessable("binary cursors are not supported");
  }
  if (options.find("scroll") != std::string::npos &&
      options.find("no scroll") == std::string::npos) {
    return Status::Unprocessable("scrollable cursors are not supported");
  }
  bool hold = options.find("with hold") != std::string::npos;
  if (!hold && transaction_ == 'I') {
    return {StatusCode::kConflict, "DECLARE CURSOR can only be used in transaction blocks"};
  }
  if (cursors_.contains(name)) {
    return {StatusCode::kAlreadyExists, "cursor \"" + name + "\" already exists"};
  }
  LH_ASSIGN_OR_RETURN(Portal portal, PortalFor(match[4].str(), StatementKind::kQuery, {}));
  portal.hold = hold;
  LH_RETURN_IF_ERROR(StartPortal(portal));
  cursors_.emplace(name, std::move(portal));
  SendCommandComplete("DECLARE CURSOR");
  return Status::Ok();
}

Status Session::Impl::RunFetch(const std::vector<std::string>& words) {
  size_t i = 1;
  size_t count = 1;
  if (i < words.size() && words[i] == "FORWARD") ++i;
  if (i < words.size() &&
      (words[i] == "BACKWARD" || words[i] == "PRIOR" || words[i] == "ABSOLUTE" ||
       words[i] == "RELATIVE" || words[i] == "FIRST" || words[i] == "LAST")) {
    return Status::Unprocessable("cursors here only move forward");
  }
  if (i < words.size() && words[i] == "NEXT") {
    ++i;
  } else if (i < words.size() && words[i] == "ALL") {
    count = 0;
    ++i;
  } else if (i < words.size() && !words[i].empty() &&
             std::isdigit(static_cast<unsigned char>(words[i][0]))) {
    count = std::stoull(words[i].substr(0, 18));
    ++i;
  }
  if (i < words.size() && (words[i] == "FROM" || words[i] == "IN")) ++i;
  if (i >= words.size()) return Status::InvalidArgument("syntax error in FETCH: expected a cursor");
  std::string name = FoldName(words[i]);
  auto found = cursors_.find(name);
  if (found == cursors_.end()) {
    return {StatusCode::kNotFound, "cursor \"" + name + "\" does not exist"};
  }
  SendRowDescription(found->second);
  bool suspended = false;
  if (count == 0) {
    return RunPortal(found->second, 0, "FETCH", &suspended);
  }
  return RunPortal(found->second, count, "FETCH", &suspended);
}

Status Session::Impl::RunClose(const std::vector<std::string>& words) {
  if (words.size() < 2) return Status::InvalidArgument("syntax error in CLOSE: expected a cursor");
  if (words[1] == "ALL") {
    cursors_.clear();
    SendCommandComplete("CLOSE CURSOR ALL");
    return Status::Ok();
  }
  std::string name = FoldName(words[1]);
  if (cursors_.erase(name) == 0) {
    return {StatusCode::kNotFound, "cursor \"" + name + "\" does not exist"};
  }
  SendCommandComplete("CLOSE CURSOR");
  return Status::Ok();
}

void Session::Impl::EndTransaction() {
  transaction_ = 'I';
  std::erase_if(cursors_, [](const auto& entry) { return !entry.second.hold; });
}

}  // namespace lakehouse::pgwire
