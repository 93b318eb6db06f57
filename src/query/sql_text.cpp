// SQL text read lightly (sql_text.h): code apart from quotes, keywords, unquoted versions.
#include "query/sql_text.h"

#include <cctype>
#include <set>

#include "catalog/catalog.h"

namespace lakehouse::query {
namespace {

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The end of a $tag$...$tag$ string opening at `i`, or npos when `i` does
// not open one ($1 is a parameter).
size_t DollarEnd(std::string_view sql, size_t i) {
  size_t j = i + 1;
  while (j < sql.size() && (std::isalpha(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) {
    ++j;
  }
  if (j >= sql.size() || sql[j] != '$') return std::string_view::npos;
  std::string_view tag = sql.substr(i, j + 1 - i);
  size_t close = sql.find(tag, j + 1);
  return close == std::string_view::npos ? sql.size() : close + tag.size();
}

// The end of the quote or comment starting at `i`, or npos for code.
size_t HiddenEnd(std::string_view sql, size_t i) {
  const char c = sql[i];
  if (c == '\'') {
    // E'...' takes backslash escapes; an E ending a longer word does not.
    const bool escaped =
        i > 0 && (sql[i - 1] == 'e' || sql[i - 1] == 'E') && (i < 2 || !IsWordChar(sql[i - 2]));
    return QuotedEnd(sql, i, '\'', escaped);
  }
  if (c == '"') return QuotedEnd(sql, i, '"', false);
  if (c == '$' && (i == 0 || !IsWordChar(sql[i - 1]))) return DollarEnd(sql, i);
  if (sql.substr(i, 2) == "--" || sql.substr(i, 2) == "/*") {
    size_t j = i;
    return SkipSpace(sql, j) ? j : sql.size();
  }
  return std::string_view::npos;
}

// The statement's keyword, in text where quotes and comments are blank.
std::string KeywordOf(std::string_view code) {
  size_t i = 0;
  while (SkipSpace(code, i) && i < code.size() && code[i] == '(') ++i;
  std::string word = Word(code, i);
  if (word != "WITH") return word;
  // The common table expressions' bodies are in parentheses; the statement
  // they lead to is the first statement keyword outside them.
  int depth = 0;
  while (i < code.size()) {
    if (code[i] == '(') ++depth;
    if (code[i] == ')') --depth;
    if (depth != 0 || !std::isalpha(static_cast<unsigned char>(code[i]))) {
      ++i;
      continue;
    }
    bool starts_word = i == 0 || !IsWordChar(code[i - 1]);
    std::string next = Word(code, i);
    if (starts_word && (IsReadKeyword(next) || KindOf(next) == next)) return next;
    while (i < code.size() && IsWordChar(code[i])) ++i;
  }
  return word;
}

}  // namespace

size_t QuotedEnd(std::string_view sql, size_t i, char quote, bool backslashes) {
  for (size_t j = i + 1; j < sql.size(); ++j) {
    if (backslashes && sql[j] == '\\') {
      ++j;
    } else if (sql[j] == quote) {
      if (j + 1 < sql.size() && sql[j + 1] == quote) {
        ++j;
      } else {
        return j + 1;
      }
    }
  }
  return sql.size();
}

std::string CodeOnly(std::string_view sql) {
  std::string out(sql);
  for (size_t i = 0; i < sql.size();) {
    size_t end = HiddenEnd(sql, i);
    if (end == std::string_view::npos) {
      ++i;
      continue;
    }
    for (size_t j = i; j < end; ++j) {
      if (out[j] != '\n') out[j] = ' ';
    }
    i = end;
  }
  return out;
}

bool SkipSpace(std::string_view sql, size_t& i) {
  while (i < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[i]))) {
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      i = sql.find('\n', i);
      if (i == std::string_view::npos) i = sql.size();
    } else if (sql.substr(i, 2) == "/*") {
      int depth = 0;
      do {
        if (sql.substr(i, 2) == "/*") {
          ++depth;
          i += 2;
        } else if (sql.substr(i, 2) == "*/") {
          --depth;
          i += 2;
        } else if (++i >= sql.size()) {
          return false;
        }
      } while (depth > 0);
    } else {
      return true;
    }
  }
  return true;
}

std::string Word(std::string_view sql, size_t& i) {
  std::string word;
  while (i < sql.size() && (std::isalpha(static_cast<unsigned char>(sql[i])) || sql[i] == '_')) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
  }
  return word;
}

std::vector<std::string> StatementKeywords(std::string_view sql) {
  const std::string code = CodeOnly(sql);
  std::vector<std::string> keywords;
  size_t start = 0;
  while (start <= code.size()) {
    size_t end = code.find(';', start);
    if (end == std::string::npos) end = code.size();
    std::string_view statement = std::string_view(code).substr(start, end - start);
    if (statement.find_first_not_of(" \t\r\n") != std::string_view::npos) {
      keywords.push_back(KeywordOf(statement));
    }
    start = end + 1;
  }
  return keywords;
}

std::string KindOf(const std::string& keyword) {
  static const std::set<std::string> kNamed = {
      "INSERT",  "UPDATE",   "DELETE",     "CREATE",     "ALTER",   "DROP",  "COPY",   "ATTACH",
      "DETACH",  "SET",      "RESET",      "PRAGMA",     "INSTALL", "LOAD",  "EXPORT", "IMPORT",
      "CALL",    "VACUUM",   "CHECKPOINT", "PREPARE",    "EXECUTE", "USE",   "MERGE",  "PIVOT",
      "UNPIVOT", "TRUNCATE", "COMMENT",    "DEALLOCATE", "ANALYZE", "FORCE", "UPSERT"};
  static const std::set<std::string> kTransaction = {"BEGIN", "START",    "COMMIT",
                                                     "END",   "ROLLBACK", "ABORT"};
  if (kNamed.count(keyword)) return keyword == "FORCE" ? "FORCE CHECKPOINT" : keyword;
  if (kTransaction.count(keyword)) return "a transaction statement (" + keyword + ")";
  return "a statement that is not a query";
}

bool IsReadKeyword(const std::string& keyword) {
  static const std::set<std::string> kRead = {"SELECT", "FROM",     "VALUES",   "TABLE",
                                              "SHOW",   "DESCRIBE", "SUMMARIZE"};
  return kRead.count(keyword) > 0;
}

std::optional<UnquotedVersion> FindUnquotedVersion(std::string_view sql,
                                                   std::optional<size_t> error_offset) {
  const std::string code = CodeOnly(sql);
  std::optional<UnquotedVersion> first;
  for (size_t at = code.find('@'); at != std::string::npos; at = code.find('@', at + 1)) {
    size_t begin = at;
    while (begin > 0 && IsWordChar(code[begin - 1])) --begin;
    size_t end = at + 1;
    while (end < code.size() && (IsWordChar(code[end]) || code[end] == '.' || code[end] == '-')) {
      ++end;
    }
    UnquotedVersion found{code.substr(begin, end - begin), code.substr(begin, at - begin),
                          code.substr(at + 1, end - at - 1), false};
    if (!catalog::ValidateDatasetName(found.dataset).ok() || found.version.empty()) continue;
    found.is_tag = found.version.find_first_not_of("0123456789") != std::string::npos;
    if (found.is_tag && !catalog::ValidateTagName(found.version).ok()) continue;
    if (error_offset && *error_offset == at) return found;
    if (!first) first = std::move(found);
  }
  return first;
}

std::string LineAndColumn(std::string_view sql, size_t offset) {
  offset = std::min(offset, sql.size());
  size_t line = 1, line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (sql[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(offset - line_start + 1);
}

}  // namespace lakehouse::query
