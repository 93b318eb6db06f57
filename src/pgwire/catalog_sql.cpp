// Which statements the catalog answerer takes, and the rewrite that lets its DuckDB read them.
#include <cctype>
#include <set>

#include "pgwire/catalog_answerer.h"
#include "query/sql_text.h"

namespace lakehouse::pgwire {
namespace {

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The end of the quoted text or comment starting at `at`, or `at` when
// none starts there. `E'...'` strings take backslash escapes.
size_t SkipQuoted(std::string_view sql, size_t at) {
  char c = sql[at];
  if (c == '-' && at + 1 < sql.size() && sql[at + 1] == '-') {
    size_t end = sql.find('\n', at);
    return end == std::string_view::npos ? sql.size() : end;
  }
  if (c == '/' && at + 1 < sql.size() && sql[at + 1] == '*') {
    size_t end = sql.find("*/", at + 2);
    return end == std::string_view::npos ? sql.size() : end + 2;
  }
  if (c != '\'' && c != '"') return at;
  bool escapes = c == '\'' && at > 0 && (sql[at - 1] == 'E' || sql[at - 1] == 'e') &&
                 (at < 2 || !IsWordChar(sql[at - 2]));
  return query::QuotedEnd(sql, at, c, escapes);
}

// Whether `sql` has `word` (lower case) at `at`, not inside a longer word.
bool WordAt(std::string_view sql, size_t at, std::string_view word) {
  if (at + word.size() > sql.size() || (at > 0 && IsWordChar(sql[at - 1]))) return false;
  if (Lower(sql.substr(at, word.size())) != word) return false;
  return !(word.back() != '.' && at + word.size() < sql.size() &&
           IsWordChar(sql[at + word.size()]));
}

size_t SkipSpace(std::string_view sql, size_t at) {
  while (at < sql.size() && std::isspace(static_cast<unsigned char>(sql[at]))) ++at;
  return at;
}

const std::set<std::string, std::less<>> kCatalogWords = {
    "information_schema", "format_type",     "obj_description", "col_description",
    "shobj_description",  "current_schemas", "pg_catalog"};

}  // namespace

bool RoutesToCatalog(std::string_view sql) {
  for (size_t at = 0; at < sql.size();) {
    size_t skipped = SkipQuoted(sql, at);
    if (skipped != at && sql[at] != '"') {
      at = skipped;
      continue;
    }
    // A quoted identifier counts as its name.
    std::string_view word;
    if (skipped != at) {
      word = sql.substr(at + 1, skipped - at - 2 < sql.size() ? skipped - at - 2 : 0);
      at = skipped;
    } else if (IsWordChar(sql[at])) {
      size_t end = at;
      while (end < sql.size() && IsWordChar(sql[end])) ++end;
      word = sql.substr(at, end - at);
      at = end;
    } else {
      ++at;
      continue;
    }
    std::string lower = Lower(word);
    if (lower.starts_with("pg_") || kCatalogWords.contains(lower) ||
        (lower.starts_with("has_") && lower.ends_with("_privilege"))) {
      return true;
    }
  }
  return false;
}

std::string RewriteCatalogSql(std::string_view sql) {
  // psql's \d asks for publications with a subscript of a table alias
  // DuckDB cannot bind; there are none, so the answer is fixed.
  if (Lower(sql).find("pg_catalog.pg_publication p") != std::string::npos) {
    return "SELECT NULL::VARCHAR AS pubname, NULL::VARCHAR, NULL::VARCHAR WHERE false";
  }
  std::string out;
  // Where in `out` the last '...' began and ended.
  size_t last_literal = std::string::npos;
  size_t literal_end = std::string::npos;
  // Set by a regular expression operator, for the pattern that follows.
  std::string regex;
  for (size_t at = 0; at < sql.size();) {
    size_t skipped = SkipQuoted(sql, at);
    if (skipped != at) {
      if (sql[at] == '\'') last_literal = out.size();
      if (sql[at] == '\'' && !regex.empty()) {
        // DuckDB's ~ matches the whole text, PostgreSQL's any part of it.
        out += "'" + regex + ".*(?:" + std::string(sql.substr(at + 1, skipped - at - 2)) + ").*'";
        regex.clear();
        literal_end = out.size();
        at = skipped;
        continue;
      }
      if (WordAt(sql, at, "\"pg_catalog\".")) {
        at += 13;
        continue;
      }
      out.append(sql.substr(at, skipped - at));
      if (sql[at] == '\'') literal_end = out.size();
      at = skipped;
      continue;
    }
    if (WordAt(sql, at, "operator")) {
      size_t open = SkipSpace(sql, at + 8);
      size_t close = sql.find(')', open);
      if (open < sql.size() && sql[open] == '(' && close != std::string_view::npos) {
        std::string_view op = sql.substr(open + 1, close - open - 1);
        if (size_t dot = op.rfind('.'); dot != std::string_view::npos) op = op.substr(dot + 1);
        out += " ";
        out += op.substr(0, op.find('*'));
        out += " ";
        at = close + 1;
        if (op.find('~') != std::string_view::npos) regex = op.ends_with('*') ? "(?is)" : "(?s)";
        continue;
      }
    }
    if (WordAt(sql, at, "collate")) {
      size_t name = SkipSpace(sql, at + 7);
      for (std::string_view target : {"pg_catalog.default", "\"default\"", "default"}) {
        if (WordAt(sql, name, target) || sql.substr(name, target.size()) == target) {
          at = name + target.size();
          break;
        }
      }
      if (at > name) continue;
    }
    if (WordAt(sql, at, "pg_catalog.")) {
      at += 11;
      continue;
    }
    if (WordAt(sql, at, "json_build_object")) {
      out += "json_object";  // the same function, by DuckDB's name
      at += 17;
      continue;
    }
    if (WordAt(sql, at, "information_schema.")) {
      out += "lh_information_schema.";
      at += 19;
      continue;
    }
    if (sql.substr(at, 2) == "::") {
      size_t name = SkipSpace(sql, at + 2);
      if (WordAt(sql, name, "pg_catalog.")) name += 11;
      std::string target;
      for (std::string_view type : {"regclass", "regtype", "regproc", "regnamespace", "oid"}) {
        if (WordAt(sql, name, type)) target = type;
      }
      if (!target.empty()) {
        // A name given as a literal is looked up, as PostgreSQL's input
        // function does; anything else is already a number.
        bool literal_before = literal_end == out.size();
        if (literal_before && (target == "regclass" || target == "regtype")) {
          std::string literal = out.substr(last_literal);
          out.resize(last_literal);
          out += target == "regclass" ? "(SELECT oid FROM pg_class WHERE relname = " + literal + ")"
                                      : "(SELECT oid FROM pg_type WHERE typname = " + literal + ")";
        } else {
          out += "::INTEGER";
        }
        at = name + target.size();
        continue;
      }
    }
    if (sql[at] == '~') {
      bool insensitive = at + 1 < sql.size() && sql[at + 1] == '*';
      regex = insensitive ? "(?is)" : "(?s)";
      out += "~";
      at += insensitive ? 2 : 1;
      continue;
    }
    if (!std::isspace(static_cast<unsigned char>(sql[at])) && sql[at] != '!') regex.clear();
    out.push_back(sql[at++]);
  }
  return out;
}

}  // namespace lakehouse::pgwire
