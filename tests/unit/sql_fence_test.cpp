// The query fence's function lists against DuckDB's own catalog: every
// function DuckDB registers has a decision, and no allowed macro reaches a
// denied function through its definition.
#include "common/sql_quote.h"
#include "query/sql_fence_functions.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "query/duckdb_handles.h"
#include "testing/embedded_lakehouse.h"

namespace lakehouse::query {
namespace {

using nlohmann::json;
using testing::EmbeddedLakehouse;

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Rows of a query the fence lets through, as JSON arrays.
json Rows(EmbeddedLakehouse& lake, const std::string& sql) {
  auto rows = lake.QueryJson(sql, 1'000'000);
  EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status().ToString();
  return rows.ok() ? json::parse(*rows) : json::array();
}

TEST(SqlFenceFunctionsTest, EveryDuckDbFunctionIsAllowedOrDeniedWithAReason) {
  EmbeddedLakehouse lake;
  json functions = Rows(lake,
                        "SELECT DISTINCT function_name, function_type FROM duckdb_functions() "
                        "ORDER BY ALL");
  ASSERT_GT(functions.size(), 500u);
  std::vector<std::string> undecided;
  for (const auto& row : functions) {
    std::string name = Lower(row[0].get<std::string>());
    if (!IsAllowedFunction(name) && !DenialReason(name)) {
      undecided.push_back(name + " (" + row[1].get<std::string>() + ")");
    }
  }
  EXPECT_TRUE(undecided.empty())
      << "DuckDB has functions the fence has no decision for; put each on the allow list "
         "or a deny list with its reason (src/query/sql_fence_functions.cpp): "
      << json(undecided).dump();
}

TEST(SqlFenceFunctionsTest, NoNameIsBothAllowedAndDenied) {
  for (const auto& group : DeniedFunctionGroups()) {
    EXPECT_FALSE(group.reason.empty());
    for (auto name : group.names) EXPECT_FALSE(IsAllowedFunction(name)) << name;
  }
  EXPECT_TRUE(IsAllowedFunction("vector_search"));
  EXPECT_TRUE(IsAllowedFunction("text_search"));
  EXPECT_TRUE(IsAllowedFunction("hybrid_search"));
  EXPECT_TRUE(IsAllowedFunction("embed"));
  EXPECT_FALSE(IsAllowedFunction("enable_logging"));
  EXPECT_TRUE(DenialReason("enable_logging").has_value());
}

// A macro expands when bound, after the fence has looked: what an allowed
// macro calls must be allowed too.
TEST(SqlFenceFunctionsTest, AllowedMacrosCallOnlyAllowedFunctions) {
  EmbeddedLakehouse lake;
  json macros =
      Rows(lake,
           "SELECT function_name, function_type, macro_definition FROM duckdb_functions() "
           "WHERE function_type IN ('macro', 'table_macro') ORDER BY ALL");
  ASSERT_GT(macros.size(), 50u);
  for (const auto& macro : macros) {
    std::string name = Lower(macro[0].get<std::string>());
    if (!IsAllowedFunction(name) || !macro[2].is_string()) continue;
    std::string definition = macro[2].get<std::string>();
    std::string select = macro[1] == "macro" ? "SELECT " + definition : definition;
    json parsed = Rows(lake, "SELECT json_serialize_sql(" + SqlString(select) + ")");
    ASSERT_EQ(parsed.size(), 1u) << name;
    // JSON comes back as JSON, not as its text.
    json tree =
        parsed[0][0].is_string() ? json::parse(parsed[0][0].get<std::string>()) : parsed[0][0];
    ASSERT_FALSE(tree.value("error", true)) << name << ": " << definition;
    std::vector<const json*> pending = {&tree};
    while (!pending.empty()) {
      const json& node = *pending.back();
      pending.pop_back();
      if (node.is_object() && node.contains("function_name")) {
        std::string called = Lower(node["function_name"].get<std::string>());
        EXPECT_TRUE(IsAllowedFunction(called)) << name << " calls " << called;
      }
      if (node.is_object() && node.contains("type") && node["type"] == "BASE_TABLE") {
        ADD_FAILURE() << name << " reads table " << node["table_name"];
      }
      if (node.is_structured()) {
        for (const auto& child : node) pending.push_back(&child);
      }
    }
  }
}

}  // namespace
}  // namespace lakehouse::query
