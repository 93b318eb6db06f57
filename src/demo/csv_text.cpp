// The demo's CSV and sentence helpers: integers, hundredths, dates, quoting, articles, lists.
#include "demo/csv_text.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace lakehouse::demo {

void AppendInt(int64_t value, std::string& out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

// Hundredths as a decimal with two places: 5425 -> 54.25.
void AppendHundredths(int64_t value, std::string& out) {
  AppendInt(value / 100, out);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + value % 100 / 10));
  out.push_back(static_cast<char>('0' + value % 10));
}

// Days since 1970-01-01 as YYYY-MM-DD (H. Hinnant's civil_from_days).
void AppendDate(int64_t days, std::string& out) {
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  out += buffer;
}

// A quoted CSV field; the vocabulary has no double quotes, but a field is
// escaped anyway so that a new word cannot break the file.
void AppendQuoted(std::string_view text, std::string& out) {
  out.push_back('"');
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

// ASCII only, whatever the locale.
void AppendLower(std::string_view text, std::string& out) {
  for (char c : text) out += c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

std::string Capitalized(std::string_view text) {
  std::string out(text);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return out;
}

// "a" or "an" before a title or a number, by how it is said ("an HR
// Generalist", "an 8-week contract").
const char* Article(std::string_view word) {
  if (word.starts_with("HR") || word.starts_with('8') || word.starts_with("11-") ||
      word.starts_with("18-")) {
    return "an";
  }
  return std::string_view("AEIOU").find(word.empty() ? 'x' : word[0]) != std::string_view::npos
             ? "an"
             : "a";
}

// "x", "x and y", "x, y and z".
std::string JoinedList(const std::vector<const char*>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

}  // namespace lakehouse::demo
