// Cuts SQL text into statements at semicolons outside quotes and comments, and reads leading words.
#include "pgwire/statements.h"

#include <cctype>

#include "query/sql_text.h"

namespace lakehouse::pgwire {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

// Where the quoted part or comment starting at `i` ends (one past it), or
// `i` when none starts there. An unterminated one runs to the end.
size_t SkipQuotedOrComment(std::string_view sql, size_t i) {
  char c = sql[i];
  if (c == '\'' || c == '"') return query::QuotedEnd(sql, i, c, false);
  if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
    size_t end = sql.find('\n', i);
    return end == std::string_view::npos ? sql.size() : end + 1;
  }
  if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
    size_t end = sql.find("*/", i + 2);
    return end == std::string_view::npos ? sql.size() : end + 2;
  }
  if (c == '$') {
    size_t j = i + 1;
    while (j < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) {
      ++j;
    }
    // $1 is a parameter, not a dollar quote.
    if (j < sql.size() && sql[j] == '$' && !std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      std::string_view tag = sql.substr(i, j - i + 1);
      size_t end = sql.find(tag, j + 1);
      return end == std::string_view::npos ? sql.size() : end + tag.size();
    }
  }
  return i;
}

// Whether `text` is only whitespace and comments.
bool IsBlank(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (IsSpace(text[i])) {
      ++i;
      continue;
    }
    size_t next = SkipQuotedOrComment(text, i);
    bool comment = next != i && (text[i] == '-' || text[i] == '/');
    if (!comment) return false;
    i = next;
  }
  return true;
}

}  // namespace

std::vector<std::string> SplitStatements(std::string_view sql) {
  std::vector<std::string> statements;
  size_t start = 0;
  for (size_t i = 0; i <= sql.size();) {
    if (i == sql.size() || sql[i] == ';') {
      std::string_view statement = Trim(sql.substr(start, i - start));
      if (!IsBlank(statement)) statements.emplace_back(statement);
      start = i + 1;
      ++i;
      continue;
    }
    size_t next = SkipQuotedOrComment(sql, i);
    i = next == i ? i + 1 : next;
  }
  return statements;
}

std::vector<std::string> LeadingWords(std::string_view sql, size_t max) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < sql.size() && words.size() < max) {
    if (IsSpace(sql[i])) {
      ++i;
      continue;
    }
    size_t next = SkipQuotedOrComment(sql, i);
    if (next != i && (sql[i] == '-' || sql[i] == '/')) {
      i = next;
      continue;
    }
    if (next != i) {  // a quoted word, kept as written
      words.emplace_back(sql.substr(i, next - i));
      i = next;
      continue;
    }
    std::string word;
    while (i < sql.size() && !IsSpace(sql[i]) && sql[i] != '=' && sql[i] != ';' && sql[i] != '(' &&
           sql[i] != ')' && sql[i] != ',') {
      word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i]))));
      ++i;
    }
    if (word.empty()) word.push_back(sql[i++]);
    words.push_back(std::move(word));
  }
  return words;
}

size_t ClosingParen(std::string_view sql, size_t open) {
  int depth = 0;
  for (size_t i = open; i < sql.size();) {
    size_t next = SkipQuotedOrComment(sql, i);
    if (next != i) {
      i = next;
      continue;
    }
    if (sql[i] == '(') ++depth;
    if (sql[i] == ')' && --depth == 0) return i;
    ++i;
  }
  return std::string_view::npos;
}

std::string SettingValue(std::string_view text) {
  text = Trim(text);
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'' &&
      SkipQuotedOrComment(text, 0) == text.size()) {
    std::string value;
    for (size_t i = 1; i + 1 < text.size(); ++i) {
      value.push_back(text[i]);
      if (text[i] == '\'') ++i;  // a doubled quote
    }
    return value;
  }
  return std::string(text);
}

}  // namespace lakehouse::pgwire
