// The CSV options a request may set: validation, the encodings accepted, and their read_csv form.
#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "common/sql_quote.h"
#include "ingest/csv_options.h"
#include "ingest/ingestor.h"

namespace lakehouse::ingest {
namespace {

// Single-byte encodings spreadsheet programs and older ATS exports write,
// and UTF-16 (a BOM tells its byte order).
constexpr std::array<std::string_view, 7> kEncodings = {
    "utf-8", "latin-1", "windows-1252", "iso-8859-15", "utf-16", "utf-16le", "utf-16be"};

struct Alias {
  std::string_view alias;
  std::string_view name;
};
constexpr std::array<Alias, 7> kAliases = {{{"utf8", "utf-8"},
                                            {"latin1", "latin-1"},
                                            {"iso-8859-1", "latin-1"},
                                            {"iso8859-1", "latin-1"},
                                            {"cp1252", "windows-1252"},
                                            {"latin-9", "iso-8859-15"},
                                            {"utf16", "utf-16"}}};

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Result<std::string> CanonicalEncoding(std::string_view given) {
  const std::string name = Lower(given);
  for (std::string_view encoding : kEncodings) {
    if (name == encoding) return std::string(encoding);
  }
  for (const Alias& alias : kAliases) {
    if (name == alias.alias) return std::string(alias.name);
  }
  return Status::InvalidArgument(
      "encoding \"" + std::string(given) +
      "\" is not one this server reads; accepted: " + AcceptedEncodings());
}

// The conversion specifiers DuckDB's strptime knows, each after '%' and an
// optional '-' (no padding).
constexpr std::string_view kFormatSpecifiers = "aAwdbBmyYHIpMSfgnzZjUWcxXGVu%";

Status CheckTimeFormat(const char* option, const std::string& format) {
  auto refuse = [&](const std::string& why) {
    return Status::InvalidArgument(std::string(option) + " \"" + format + "\": " + why +
                                   " (a strptime format such as %d/%m/%Y or %Y-%m-%d %H:%M:%S)");
  };
  if (format.empty() || format.size() > kMaxCsvOptionBytes) return refuse("length out of range");
  bool any = false;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    size_t at = i + 1;
    if (at < format.size() && format[at] == '-') ++at;
    if (at >= format.size() || kFormatSpecifiers.find(format[at]) == std::string_view::npos) {
      return refuse("position " + std::to_string(i + 1) + " holds an unknown specifier");
    }
    any = any || format[at] != '%';
    i = at;
  }
  if (!any) return refuse("it has no % specifier");
  return Status::Ok();
}

bool HasLineBreak(const std::string& text) {
  return text.find_first_of("\r\n") != std::string::npos;
}

Status CheckDelimiter(char delimiter) {
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r' || delimiter == '\0') {
    return Status::InvalidArgument(
        "delimiter cannot be a quote, a line break or a NUL byte (try , ; | or tab)");
  }
  return Status::Ok();
}

}  // namespace

std::string AcceptedEncodings() {
  std::string list;
  for (std::string_view encoding : kEncodings) {
    if (!list.empty()) list += ", ";
    list += encoding;
  }
  return list;
}

Result<IngestRequest> ValidateCsvOptions(IngestRequest request) {
  const bool csv_only_set = request.delimiter || request.header || request.null_string ||
                            request.skip_lines || request.date_format || request.timestamp_format;
  if (request.format != Format::kCsv && csv_only_set) {
    return Status::InvalidArgument(
        "delimiter, header, null, skip, dateformat and timestampformat apply to CSV uploads only");
  }
  if (!request.encoding.empty()) {
    LH_ASSIGN_OR_RETURN(request.encoding, CanonicalEncoding(request.encoding));
    if (request.format != Format::kCsv && request.encoding != "utf-8") {
      return Status::InvalidArgument("encoding applies to CSV uploads only (JSON is UTF-8)");
    }
    if (request.encoding == "utf-8") request.encoding.clear();
  }
  if (request.delimiter) LH_RETURN_IF_ERROR(CheckDelimiter(*request.delimiter));
  if (request.null_string &&
      (request.null_string->size() > kMaxCsvOptionBytes || HasLineBreak(*request.null_string))) {
    return Status::InvalidArgument("null must be at most " + std::to_string(kMaxCsvOptionBytes) +
                                   " bytes on one line");
  }
  if (request.skip_lines > kMaxSkipLines) {
    return Status::InvalidArgument("skip must be at most " + std::to_string(kMaxSkipLines));
  }
  if (request.date_format) LH_RETURN_IF_ERROR(CheckTimeFormat("dateformat", *request.date_format));
  if (request.timestamp_format) {
    LH_RETURN_IF_ERROR(CheckTimeFormat("timestampformat", *request.timestamp_format));
  }
  return request;
}

std::string CsvOptionSql(const IngestRequest& request) {
  std::string sql;
  if (request.null_string) sql += ", nullstr = " + SqlString(*request.null_string);
  if (request.date_format) sql += ", dateformat = " + SqlString(*request.date_format);
  if (request.timestamp_format) {
    sql += ", timestampformat = " + SqlString(*request.timestamp_format);
  }
  return sql;
}

}  // namespace lakehouse::ingest
