// The text forms every result shares: the CSV header line and its fields, JSON strings.
#include "query/result_format.h"

#include <cstdio>

#include "query/result_chunks.h"

namespace lakehouse::query {
namespace {

bool NeedsCsvQuoting(std::string_view text) {
  return text.find_first_of(",\"\r\n") != std::string_view::npos;
}

}  // namespace

void AppendCsvField(std::string_view field, std::string& out) {
  if (!NeedsCsvQuoting(field)) {
    out += field;
    return;
  }
  out.push_back('"');
  for (char ch : field) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out.push_back('"');
}

void AppendJsonString(std::string_view text, std::string& out) {
  out.push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + start, i - start);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        char buffer[8];
        std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
        out += buffer;
      }
    }
    start = i + 1;
  }
  out.append(text.data() + start, text.size() - start);
  out.push_back('"');
}

void ChunkFormatter::AppendCsvHeader(std::string& out) const {
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (c > 0) out.push_back(',');
    AppendCsvField(columns_[c].name, out);
  }
  out += "\r\n";
}

}  // namespace lakehouse::query
