// Private to pgwire: SQL text cut into statements, and the commands a session answers itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lakehouse::pgwire {

// `sql` cut at each `;` outside quotes ('...', "...", $tag$...$tag$) and
// comments (-- and /* */), each statement trimmed; statements that are
// empty (or only comments) are left out.
std::vector<std::string> SplitStatements(std::string_view sql);

// The statement's words, upper-cased, up to `max` of them, skipping
// comments: what decides whether the session answers it itself.
std::vector<std::string> LeadingWords(std::string_view sql, size_t max);

// The index of the `)` closing the `(` at `open`, skipping quotes and
// comments; npos when it is never closed.
size_t ClosingParen(std::string_view sql, size_t open);

// The value of SET's right-hand side as SHOW gives it back: quotes taken
// off one quoted value, a list kept as written.
std::string SettingValue(std::string_view text);

}  // namespace lakehouse::pgwire
