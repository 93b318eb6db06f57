// `lakehouse search`: text search of an index, hits as a table (rank, id, scores, metadata) or CSV.
#include "cli/search_command.h"

#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli/client_support.h"
#include "common/percent_encoding.h"

namespace lakehouse::cli {
namespace {

using nlohmann::json;

// The --filter text as JSON, or a message saying where it stops being JSON.
std::optional<json> ParseFilter(const std::string& text, std::string* problem) {
  json filter;
  // The throwing parse, as only its error says where the text broke.
  try {
    filter = json::parse(text);
  } catch (const json::parse_error& error) {
    std::string_view what = error.what();
    if (size_t tag_end = what.find("] "); what.starts_with("[json.") && tag_end != what.npos) {
      what.remove_prefix(tag_end + 2);
    }
    *problem = "--filter is not JSON: " + std::string(what);
    return std::nullopt;
  }
  if (!filter.is_object()) {
    *problem = std::string("--filter must be a JSON object such as {\"state\": \"TX\"}, not ") +
               filter.type_name();
    return std::nullopt;
  }
  return filter;
}

// A cell as people read it: strings bare, anything else as JSON.
std::string CellText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

// The table's columns: rank, id, the hit's scores (score, distance and the
// two ranks in that order when the server sends them, then any other number
// it adds), the matched terms when highlighted, then every metadata key in
// the order the hits first show it.
struct HitColumns {
  std::vector<std::string> scores;
  bool matched = false;
  std::vector<std::string> metadata;
};

HitColumns ColumnsOf(const json& results) {
  HitColumns out;
  auto add = [](std::vector<std::string>& names, const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  for (const char* known : {"score", "distance", "vector_rank", "keyword_rank"}) {
    for (const auto& hit : results) {
      if (hit.contains(known)) add(out.scores, known);
    }
  }
  for (const auto& hit : results) {
    for (const auto& [key, value] : hit.items()) {
      if (key != "id" && key != "metadata" && value.is_number()) add(out.scores, key);
    }
    out.matched = out.matched || hit.contains("matched");
    if (hit.contains("metadata") && hit["metadata"].is_object()) {
      for (const auto& [key, value] : hit["metadata"].items()) add(out.metadata, key);
    }
  }
  return out;
}

// A score for people: four decimals tell neighbours apart, and a dash marks
// a ranker that did not find the hit; CSV and JSON keep every digit, and
// leave the cell empty.
json ShortScore(const json& value) {
  if (value.is_null()) return "-";
  if (!value.is_number_float()) return value;
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", value.get<double>());
  return text;
}

// The hits as rows of cells, rank first; a missing value is null.
json RowsOf(const json& results, const HitColumns& columns, bool for_people) {
  json rows = json::array();
  uint64_t rank = 0;
  for (const auto& hit : results) {
    json row = json::array({++rank, hit.value("id", json())});
    for (const auto& name : columns.scores) {
      json score = hit.value(name, json());
      row.push_back(for_people ? ShortScore(score) : score);
    }
    if (columns.matched) {
      std::string terms;
      for (const auto& term : hit.value("matched", json::array())) {
        if (term.is_string()) terms += (terms.empty() ? "" : " ") + term.get<std::string>();
      }
      row.push_back(terms);
    }
    const json metadata = hit.value("metadata", json::object());
    for (const auto& name : columns.metadata) {
      row.push_back(metadata.is_object() ? metadata.value(name, json()) : json());
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// One CSV field, quoted when it must be (RFC 4180).
std::string CsvField(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void PrintCsv(const std::vector<std::string>& names, const json& rows) {
  for (size_t c = 0; c < names.size(); ++c) std::cout << (c ? "," : "") << CsvField(names[c]);
  std::cout << "\r\n";
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      std::cout << (c ? "," : "") << CsvField(CellText(row[c]));
    }
    std::cout << "\r\n";
  }
}

void PrintHits(const json& results, const std::string& format) {
  HitColumns columns = ColumnsOf(results);
  json rows = RowsOf(results, columns, format == "table");
  std::vector<std::string> names = {"rank", "id"};
  json table_columns =
      json::array({{{"name", "rank"}, {"type", "BIGINT"}}, {{"name", "id"}, {"type", "VARCHAR"}}});
  for (const auto& name : columns.scores) {
    names.push_back(name);
    table_columns.push_back({{"name", name}, {"type", "DOUBLE"}});
  }
  if (columns.matched) {
    names.emplace_back("matched");
    table_columns.push_back({{"name", "matched"}, {"type", "VARCHAR"}});
  }
  for (const auto& name : columns.metadata) {
    names.push_back(name);
    table_columns.push_back({{"name", name}, {"type", "VARCHAR"}});
  }
  if (format == "csv") return PrintCsv(names, rows);
  PrintTable(table_columns, rows);
}

}  // namespace

int RunSearch(const ClientOptions& options, const SearchCommand& c) {
  json request = {{"text", c.text}, {"k", c.k}};
  if (c.filter) {
    std::string problem;
    auto filter = ParseFilter(*c.filter, &problem);
    if (!filter) {
      std::cerr << "error: " << problem << "\n";
      return 2;
    }
    request["filter"] = std::move(*filter);
  }
  if (c.mode) request["mode"] = *c.mode;
  if (c.highlight) request["highlight"] = true;
  auto client = MakeClient(options);
  auto result = client->Post("/v1/indexes/" + PercentEncode(c.index) + "/search", request.dump(),
                             "application/json");
  if (!result) return ReportTransport(options, result.error());
  if (result->status != 200) return ReportHttp(result->status, result->body);
  if (c.format == "json") {
    std::cout << result->body << "\n";
    return 0;
  }
  json body = json::parse(result->body, nullptr, false);
  if (!body.is_object() || !body["results"].is_array()) {
    std::cerr << "error: the server answered malformed JSON\n";
    return 1;
  }
  PrintHits(body["results"], c.format);
  return 0;
}

}  // namespace lakehouse::cli
