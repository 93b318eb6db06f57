// iceberg::TableSource — what the read-only Iceberg REST catalog serves:
// the live datasets as tables of one namespace, each with the location and
// content of its current table metadata.
//
// Errors: kNotFound for a dataset that does not exist or was deleted
// (`dataset "x" does not exist`); kUnavailable when storage does not answer
// or the table's metadata could not be written (the dataset's versions are
// untouched: metadata is written again on the next commit or load).
// Threads: every method may be called from any number of threads at once.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakehouse::iceberg {

struct LoadedTable {
  std::string metadata_location;  // full location of the table metadata JSON file
  nlohmann::json metadata;        // that file's content
};

class TableSource {
 public:
  virtual ~TableSource() = default;
  // The live datasets' names, ascending.
  virtual Result<std::vector<std::string>> ListTables() = 0;
  // The current table metadata of dataset `name`, written first if the
  // stored one is missing or stale.
  virtual Result<LoadedTable> LoadTable(std::string_view name) = 0;
};

}  // namespace lakehouse::iceberg
