// DuckDB column types to Iceberg types, and schemas to table-metadata JSON.
#include "iceberg/schema_mapping.h"

#include <array>
#include <regex>
#include <utility>

namespace lakehouse::iceberg {
namespace {

// DuckDB writes each of these to Parquet as a physical type the Iceberg
// type on the right reads (the small integers as INT32, UINTEGER as INT64).
constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kPrimitive{{
    {"BOOLEAN", "boolean"},
    {"TINYINT", "int"},
    {"SMALLINT", "int"},
    {"INTEGER", "int"},
    {"UTINYINT", "int"},
    {"USMALLINT", "int"},
    {"BIGINT", "long"},
    {"UINTEGER", "long"},
    {"FLOAT", "float"},
    {"DOUBLE", "double"},
    {"DATE", "date"},
    {"TIME", "time"},
    {"TIMESTAMP", "timestamp"},
    {"TIMESTAMP WITH TIME ZONE", "timestamptz"},
    {"VARCHAR", "string"},
    {"BLOB", "binary"},
}};

}  // namespace

Result<std::string> IcebergTypeOf(std::string_view duckdb_type) {
  for (const auto& [duck, ice] : kPrimitive) {
    if (duckdb_type == duck) return std::string(ice);
  }
  if (duckdb_type == "UUID") return std::string("uuid");
  static const std::regex kDecimal(R"(DECIMAL\((\d+),\s*(\d+)\))");
  std::match_results<std::string_view::const_iterator> m;
  if (std::regex_match(duckdb_type.begin(), duckdb_type.end(), m, kDecimal)) {
    return "decimal(" + m[1].str() + ", " + m[2].str() + ")";
  }
  return Status::InvalidArgument("a column of type " + std::string(duckdb_type) +
                                 " has no Iceberg type that reads DuckDB's Parquet encoding of it");
}

nlohmann::json SchemaToJson(const Schema& schema) {
  nlohmann::json fields = nlohmann::json::array();
  for (const Field& f : schema.fields) {
    fields.push_back({{"id", f.id}, {"name", f.name}, {"required", f.required}, {"type", f.type}});
  }
  return {{"type", "struct"}, {"schema-id", schema.schema_id}, {"fields", std::move(fields)}};
}

}  // namespace lakehouse::iceberg
