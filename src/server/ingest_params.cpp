// Reads the ingest route's query parameters: format, mode, schema, key and the CSV options.
#include "server/ingest_params.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"

namespace lakehouse::server {
namespace {

constexpr std::array<std::string_view, 13> kParams = {
    "file_name", "format", "mode",       "schema",          "key",  "delimiter", "header", "null",
    "encoding",  "skip",   "dateformat", "timestampformat", "force"};

Status OnlyKnownParams(const httplib::Request& request) {
  for (const auto& [name, value] : request.params) {
    if (std::find(kParams.begin(), kParams.end(), name) != kParams.end()) continue;
    std::string list;
    for (std::string_view known : kParams) {
      if (!list.empty()) list += ", ";
      list += known;
    }
    return Status::InvalidArgument("unknown parameter \"" + name + "\"; accepted: " + list);
  }
  return Status::Ok();
}

Result<bool> ParseBool(const httplib::Request& request, const char* name) {
  const std::string text = request.get_param_value(name);
  if (text != "true" && text != "false") {
    return Status::InvalidArgument(std::string(name) + " must be true or false, got \"" + text +
                                   "\"");
  }
  return text == "true";
}

Result<char> ParseDelimiter(const std::string& text) {
  if (text == "\\t" || text == "tab") return '\t';
  if (text.size() == 1) return text[0];
  return Status::InvalidArgument("delimiter must be one character (or tab), got \"" + text + "\"");
}

Result<uint64_t> ParseSkip(const std::string& text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument("skip must be a non-negative integer, got \"" + text + "\"");
  }
  return value;
}

// `key=id` or `key=region,id`: required for an upsert, refused otherwise.
Result<std::vector<std::string>> ParseKey(const httplib::Request& request, bool upsert) {
  if (!upsert) {
    if (request.has_param("key")) {
      return Status::InvalidArgument("key is for mode=upsert only");
    }
    return std::vector<std::string>();
  }
  const std::string text = request.get_param_value("key");
  if (text.empty()) {
    return Status::InvalidArgument(
        "mode=upsert needs key=COLUMN[,COLUMN...]: the columns that "
        "identify a row");
  }
  std::vector<std::string> key;
  for (size_t at = 0; at <= text.size();) {
    size_t comma = std::min(text.find(',', at), text.size());
    std::string column = text.substr(at, comma - at);
    if (column.empty()) return Status::InvalidArgument("key has an empty column name: " + text);
    if (std::find(key.begin(), key.end(), column) != key.end()) {
      return Status::InvalidArgument("key names column \"" + column + "\" twice");
    }
    key.push_back(std::move(column));
    at = comma + 1;
  }
  return key;
}

// format (else the file name's extension), mode and schema.
Status ReadShape(const httplib::Request& request, ingest::IngestRequest& ingest,
                 std::string& mode) {
  if (request.has_param("format")) {
    LH_ASSIGN_OR_RETURN(ingest.format, ingest::ParseFormat(request.get_param_value("format")));
  } else if (auto guessed = ingest::FormatFromFileName(ingest.file_name)) {
    ingest.format = *guessed;
  }
  mode = request.has_param("mode") ? request.get_param_value("mode") : "append";
  if (mode != "append" && mode != "overwrite" && mode != "upsert") {
    return Status::InvalidArgument("mode must be append, overwrite or upsert, got \"" + mode +
                                   "\"");
  }
  ingest.mode = mode == "overwrite" ? catalog::WriteMode::kOverwrite : catalog::WriteMode::kAppend;
  if (!request.has_param("schema")) return Status::Ok();
  const std::string schema = request.get_param_value("schema");
  if (schema != "evolve" && schema != "strict") {
    return Status::InvalidArgument("schema must be evolve or strict, got \"" + schema + "\"");
  }
  if (schema == "evolve" && mode == "overwrite") {
    return Status::InvalidArgument(
        "schema=evolve is for append and upsert: an overwrite replaces the schema anyway");
  }
  ingest.evolve_schema = schema == "evolve";
  return Status::Ok();
}

Status ReadCsvOptions(const httplib::Request& request, ingest::IngestRequest& ingest) {
  if (request.has_param("delimiter")) {
    LH_ASSIGN_OR_RETURN(ingest.delimiter, ParseDelimiter(request.get_param_value("delimiter")));
  }
  if (request.has_param("header")) {
    LH_ASSIGN_OR_RETURN(ingest.header, ParseBool(request, "header"));
  }
  if (request.has_param("null")) ingest.null_string = request.get_param_value("null");
  if (request.has_param("encoding")) ingest.encoding = request.get_param_value("encoding");
  if (request.has_param("skip")) {
    LH_ASSIGN_OR_RETURN(ingest.skip_lines, ParseSkip(request.get_param_value("skip")));
  }
  if (request.has_param("dateformat")) ingest.date_format = request.get_param_value("dateformat");
  if (request.has_param("timestampformat")) {
    ingest.timestamp_format = request.get_param_value("timestampformat");
  }
  return Status::Ok();
}

}  // namespace

Result<ingest::IngestRequest> IngestRequestFromQuery(const httplib::Request& request,
                                                     const std::string& dataset) {
  LH_RETURN_IF_ERROR(OnlyKnownParams(request));
  ingest::IngestRequest ingest;
  ingest.dataset = dataset;
  LH_RETURN_IF_ERROR(catalog::ValidateDatasetName(ingest.dataset));
  ingest.file_name = request.get_param_value("file_name");
  std::string mode;
  LH_RETURN_IF_ERROR(ReadShape(request, ingest, mode));
  LH_ASSIGN_OR_RETURN(ingest.key, ParseKey(request, mode == "upsert"));
  LH_RETURN_IF_ERROR(ReadCsvOptions(request, ingest));
  if (request.has_param("force")) {
    LH_ASSIGN_OR_RETURN(ingest.force, ParseBool(request, "force"));
  }
  // Checked here too, so a bad option is refused before the body is read.
  return ingest::ValidateCsvOptions(std::move(ingest));
}

}  // namespace lakehouse::server
