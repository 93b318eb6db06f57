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
};

int RunIndex(const ClientOptions& client, const IndexCommand& command);

}  // namespace lakehouse::cli
