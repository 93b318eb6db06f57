// A light reading of SQL text, for naming what the fence refuses and hinting at
// parse errors; never what decides whether a statement runs (the fence decides
// from DuckDB's own parse tree).
//
// It knows where the text is code and where it is a quoted string ('...',
// E'...', $tag$...$tag$), a quoted identifier ("...") or a comment (--, nested
// /* */), which is all a name or a keyword needs; it does not parse.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lakehouse::query {

// `sql` with every quoted string, quoted identifier and comment replaced by
// spaces, so offsets stay those of `sql`. An unterminated one runs to the end.
std::string CodeOnly(std::string_view sql);

// One past the end of the quoted text opening at `i` with `quote` ('\'' or
// '"'); a doubled quote stands for itself, and with `backslashes` (E'...')
// so does a quote after a backslash. An unterminated one runs to the end.
size_t QuotedEnd(std::string_view sql, size_t i, char quote, bool backslashes);

// Skips whitespace and comments from `i`; block comments nest, as in DuckDB's
// scanner. False when a block comment does not end.
bool SkipSpace(std::string_view sql, size_t& i);

// The word at `i` (letters and underscores), upper case; empty if none.
std::string Word(std::string_view sql, size_t& i);

// The keyword that says what each statement of `sql` is, upper case, in
// order: the first word, or for WITH the word its common table expressions
// lead to (INSERT in `WITH x AS (...) INSERT ...`). Empty statements are left
// out; a statement without a word gives "".
std::vector<std::string> StatementKeywords(std::string_view sql);

// What a refusal calls a statement led by `keyword`: "INSERT", "a transaction
// statement (BEGIN)", or "a statement that is not a query".
std::string KindOf(const std::string& keyword);

// Whether `keyword` leads a statement that only reads (SELECT, FROM, VALUES,
// TABLE, DESCRIBE, SHOW, SUMMARIZE).
bool IsReadKeyword(const std::string& keyword);

// A dataset version written without the double quotes it needs: the first
// `name@3` or `name@tag` in code (not in a string, quoted name or comment),
// preferring one whose `@` is at `error_offset`.
struct UnquotedVersion {
  std::string text;  // contractors@1
  std::string dataset;
  std::string version;  // "1" or a tag
  bool is_tag = false;
};
std::optional<UnquotedVersion> FindUnquotedVersion(std::string_view sql,
                                                   std::optional<size_t> error_offset);

// "line L, column C" (from 1) of a byte offset into `sql`.
std::string LineAndColumn(std::string_view sql, size_t offset);

}  // namespace lakehouse::query
