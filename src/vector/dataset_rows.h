// Reads the rows of a dataset version that a text index holds, through queryd, a page at a time.
//
// Private to src/vector. A usable row has a non-NULL id and a non-blank
// text; its id and text are read as text, then its metadata columns in the
// order the source names them.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "query/sql_reader.h"
#include "vector/dataset_indexer.h"
#include "vector/index.h"

namespace lakehouse::vector {

// Rows come in pages so a large dataset never makes one huge answer (or one
// query that runs into queryd's time limit).
inline constexpr size_t kPageRows = 10'000;
// The names of a usable row's id and text in the SELECT that reads them.
inline constexpr std::string_view kIdAlias = "__lakehouse_id";
inline constexpr std::string_view kTextAlias = "__lakehouse_text";

// `dataset@version`, quoted as an identifier: what queryd reads a version by.
std::string VersionRef(const std::string& dataset, uint64_t version);

struct DatasetRow {
  std::string id;
  std::string text;
  nlohmann::json metadata;
};

// Reads through `source`, which must outlive it; its columns may still be
// settled after the reader is made, as long as that is before Usable.
class DatasetRowReader {
 public:
  DatasetRowReader(query::SqlReader& reader, const DatasetSource& source)
      : reader_(reader), source_(source) {}

  Result<query::SqlAnswer> Run(const std::string& sql, size_t limit = kPageRows);

  // The rows an index holds, as a SELECT over one version: id and text cast
  // to text, then the metadata columns.
  std::string Usable(uint64_t version) const;

  // Every row of `select` (whose first column is the id, unique), in id
  // order, a page at a time; `progress` hears of each page under `phase`.
  Status ForEachRow(const std::string& select, size_t total, const std::string& phase,
                    const ProgressCallback& progress,
                    const std::function<void(nlohmann::json&)>& visit);

  // A row of Usable's, its values moved out of `values`.
  DatasetRow ToRow(nlohmann::json& values) const;

 private:
  query::SqlReader& reader_;
  const DatasetSource& source_;
};

}  // namespace lakehouse::vector
