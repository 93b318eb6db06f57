// `lakehouse index create|refresh`: dataset text indexes (POST
// /v1/datasets/{name}/indexes), with the server's progress shown as it works.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/client_commands.h"

namespace lakehouse::cli {

struct IndexCommand {
  std::string action;  // create, refresh
  std::string dataset;
  std::string index;
  std::string id_column = "id";
  std::string text_column;
  std::optional<std::string> model;
  std::optional<std::vector<std::string>> metadata_columns;
  bool rebuild = false;
  // The full-text part: off, or its stemmer and BM25 parameters (unset: the
  // server's defaults, or what the index has).
  bool no_full_text = false;
  std::optional<std::string> stemmer;
  std::optional<double> k1;
  std::optional<double> b;
};

int RunIndex(const ClientOptions& client, const IndexCommand& command);

}  // namespace lakehouse::cli
