// `lakehouse vectors ...`: the client side of the Vectors routes (docs/api.md).
#pragma once

#include <optional>
#include <string>

#include "cli/client_commands.h"

namespace lakehouse::cli {

struct VectorsCommand {
  std::string action;  // list, create, show, add, get, search, delete
  std::string index;
  std::optional<std::string> id;  // get, delete: one item
  // create
  uint32_t dim = 0;
  std::string metric = "cosine";
  std::optional<uint32_t> m, ef_construction, ef_search;
  // add: NDJSON, one {"id","vector","metadata"} per line ("-" = stdin)
  std::string file;
  size_t batch = 1000;
  // search
  std::string vector;  // a JSON array
  uint32_t k = 10;
  std::optional<uint32_t> ef;
  std::string format = "table";  // table, json
};

int RunVectors(const ClientOptions& client, const VectorsCommand& command);

}  // namespace lakehouse::cli
