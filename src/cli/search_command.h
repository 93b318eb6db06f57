// `lakehouse search INDEX TEXT`: search a text index by meaning without SQL
// or curl (POST /v1/indexes/{name}/search with "text"), printed as a table,
// CSV or the server's JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cli/client_commands.h"

namespace lakehouse::cli {

struct SearchCommand {
  std::string index;
  std::string text;
  uint32_t k = 10;
  std::optional<std::string> filter;  // a JSON object, checked before any request
  std::optional<std::string> mode;    // sent as given; the server decides what it knows
  bool highlight = false;             // ask for each hit's matched terms
  std::string format = "table";       // table, csv, json
};

// 0 with the hits printed; 2 for a --filter that is not a JSON object (no
// request is made); otherwise as the other client commands.
int RunSearch(const ClientOptions& client, const SearchCommand& command);

}  // namespace lakehouse::cli
