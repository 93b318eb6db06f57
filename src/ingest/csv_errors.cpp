// Turns DuckDB's multi-line CSV errors into one line naming the place, the value and our option
// that helps.
#include "ingest/csv_errors.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

namespace lakehouse::ingest {
namespace {

constexpr std::string_view kOptions =
    "the CSV options delimiter, header, skip, null, encoding and dateformat may help";

// The length of the UTF-8 sequence `lead` starts, 0 if none may start so.
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Text after `label` up to the end of its line, if `label` occurs.
std::optional<std::string> AfterLabel(std::string_view text, std::string_view label) {
  const size_t at = text.find(label);
  if (at == std::string_view::npos) return std::nullopt;
  const size_t start = at + label.size();
  return std::string(text.substr(start, text.find('\n', start) - start));
}

// DuckDB's own description of the problem: the line after "Original Line:",
// else the first line less its "... Error: " prefix.
std::string Description(std::string_view error) {
  if (size_t original = error.find("Original Line:"); original != std::string_view::npos) {
    const size_t start = error.find('\n', original);
    if (start != std::string_view::npos) {
      return std::string(error.substr(start + 1, error.find('\n', start + 1) - start - 1));
    }
  }
  std::string first(error.substr(0, error.find('\n')));
  if (size_t prefix = first.find(" Error: "); prefix != std::string::npos && prefix < 40) {
    first.erase(0, prefix + 8);
  }
  return first;
}

// `Could not convert string "abc" to 'BIGINT'` in column "pay": the value,
// the type, and the option a person would reach for.
std::optional<std::string> Conversion(const std::string& description) {
  auto column = AfterLabel(description, "converting column \"");
  auto value = AfterLabel(description, "Could not convert string \"");
  if (!column || !value) return std::nullopt;
  const std::string name = column->substr(0, column->find('"'));
  const size_t value_end = value->rfind("\" to '");
  if (value_end == std::string::npos) return std::nullopt;
  const std::string raw = value->substr(0, value_end);
  const std::string type = value->substr(value_end + 6, value->size() - value_end - 7);
  std::string message = "column \"" + name + "\" holds \"" + raw + "\", which is not a " + type;
  if (type == "DATE" || type.starts_with("TIMESTAMP")) {
    message += "; send dateformat (or timestampformat) with the file's pattern, such as %d/%m/%Y";
  } else {
    message += "; if \"" + raw + "\" stands for a missing value, send null=" + raw;
  }
  return message;
}

std::string Utf8Message(const InvalidUtf8& bad) {
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02X", bad.byte);
  return "line " + std::to_string(bad.line) + ", byte " + std::to_string(bad.column) + " (" + byte +
         ") is not UTF-8; the file looks like Latin-1 or Windows-1252: send encoding=latin-1 "
         "or encoding=windows-1252";
}

}  // namespace

std::optional<InvalidUtf8> FindInvalidUtf8(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buffer(1 << 16);
  InvalidUtf8 at;
  size_t need = 0;  // continuation bytes still expected
  InvalidUtf8 lead;
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      const auto c = static_cast<unsigned char>(buffer[static_cast<size_t>(i)]);
      if (need > 0) {
        if ((c & 0xC0) != 0x80) return lead;
        --need;
      } else if (size_t length = SequenceLength(c); length == 0) {
        at.byte = c;
        return at;
      } else {
        need = length - 1;
        lead = at;
        lead.byte = c;
      }
      if (c == '\n') {
        ++at.line;
        at.column = 1;
      } else {
        ++at.column;
      }
    }
  }
  if (need > 0) return lead;
  return std::nullopt;
}

std::string RetellCsvError(std::string_view error, const std::string& path,
                           const IngestRequest& request) {
  if (error.find("Invalid unicode") != std::string_view::npos) {
    if (auto bad = FindInvalidUtf8(path)) {
      bad->line += request.skip_lines;
      return Utf8Message(*bad);
    }
  }
  std::string where;
  if (auto line = AfterLabel(error, "CSV Error on Line: ")) {
    char* end = nullptr;
    const unsigned long long number = std::strtoull(line->c_str(), &end, 10);
    if (end != line->c_str()) where = "line " + std::to_string(number + request.skip_lines) + ": ";
  }
  const std::string description = Description(error);
  if (auto conversion = Conversion(description)) return where + *conversion;
  if (error.find("sniffing file") != std::string_view::npos) {
    return "its layout (delimiter, quoting, header) could not be worked out; send delimiter= "
           "and header=true|false, and skip=N if lines of notes come before the header";
  }
  return where + description + " (" + std::string(kOptions) + ")";
}

}  // namespace lakehouse::ingest
