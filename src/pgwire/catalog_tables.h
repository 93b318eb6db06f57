// Private to pgwire: the SQL that builds the catalog answerer's tables and fills them from
// datasets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lakehouse::pgwire {

// Datasets are pg_class rows numbered from here, in name order, as
// PostgreSQL numbers user objects.
inline constexpr int32_t kFirstDatasetOid = 16384;

struct CatalogColumn {
  std::string name;
  int32_t type_oid = 25;  // as pgwire announces the column (pg_types.h)
};

struct CatalogDataset {
  std::string name;
  uint64_t rows = 0;
  uint64_t bytes = 0;  // data and delete files, what pg_table_size answers
  std::vector<CatalogColumn> columns;
};

// The tables, macros and fixed rows, run once when the side database opens.
std::string FixedCatalogSql(const std::string& database);

// Replaces the rows that come from datasets (pg_class, pg_attribute,
// pg_tables, information_schema.tables and columns) with `datasets`'.
std::string DatasetCatalogSql(const std::string& database,
                              const std::vector<CatalogDataset>& datasets);

}  // namespace lakehouse::pgwire
