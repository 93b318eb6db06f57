// Lists' JSON text as PostgreSQL array literals and intervals in its spelling, for text cells.
#include <nlohmann/json.hpp>

#include "query/result_chunks.h"

namespace lakehouse::query {
namespace {

using nlohmann::json;

// PostgreSQL quotes an array element that is empty, spells NULL, or holds a
// character its array parser treats specially.
bool NeedsQuoting(std::string_view text) {
  if (text.empty()) return true;
  if (text.size() == 4 && (text[0] | 0x20) == 'n' && (text[1] | 0x20) == 'u' &&
      (text[2] | 0x20) == 'l' && (text[3] | 0x20) == 'l') {
    return true;
  }
  return text.find_first_of("{},\"\\ \t\r\n\v\f") != std::string_view::npos;
}

void AppendElementText(std::string_view text, std::string& out) {
  if (!NeedsQuoting(text)) {
    out += text;
    return;
  }
  out.push_back('"');
  for (char ch : text) {
    if (ch == '"' || ch == '\\') out.push_back('\\');
    out.push_back(ch);
  }
  out.push_back('"');
}

void AppendElement(const json& value, std::string& out) {
  switch (value.type()) {
    case json::value_t::null:
      out += "NULL";
      return;
    case json::value_t::array: {
      out.push_back('{');
      bool first = true;
      for (const auto& element : value) {
        if (!first) out.push_back(',');
        first = false;
        AppendElement(element, out);
      }
      out.push_back('}');
      return;
    }
    case json::value_t::string:
      AppendElementText(value.get_ref<const std::string&>(), out);
      return;
    case json::value_t::boolean:
      out.push_back(value.get<bool>() ? 't' : 'f');
      return;
    default:
      AppendElementText(value.dump(), out);
  }
}

}  // namespace

void AppendIntervalText(std::string_view text, std::string& out) {
  // Only the month unit is spelt differently: "month(s)" is "mon(s)".
  for (size_t at = 0; at < text.size();) {
    size_t found = text.find(" month", at);
    if (found == std::string_view::npos) {
      out += text.substr(at);
      return;
    }
    out += text.substr(at, found - at);
    out += " mon";
    at = found + 6;
  }
}

void AppendArrayFromJson(std::string_view text, std::string& out) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_array()) {
    out += text;
    return;
  }
  AppendElement(value, out);
}

}  // namespace lakehouse::query
