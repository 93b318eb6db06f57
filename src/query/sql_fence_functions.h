// The functions the query fence lets SQL call, decided name by name over
// every function DuckDB registers (duckdb_functions()), plus our own.
//
// Every name DuckDB 1.4.4 registers is on exactly one of two lists: allowed,
// or denied with the reason. A function reaches the allow list only when it
// computes from its arguments alone: no file, network, configuration, log,
// catalog or session state. A DuckDB upgrade that adds a function fails
// sql_fence_test until someone decides which list it belongs on; until then
// the fence refuses it, because only allowed names pass.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace lakehouse::query {

struct DeniedFunctions {
  std::string_view reason;  // why, as the fence's refusal says it
  std::span<const std::string_view> names;
};

// Every allowed name, lower case: DuckDB's scalar, aggregate, table and macro
// functions that only compute, window functions, unlist, and our
// vector_search, text_search, hybrid_search and embed.
std::span<const std::string_view> AllowedFunctions();
// The denied names, grouped by reason.
std::span<const DeniedFunctions> DeniedFunctionGroups();

// Whether SQL may call `lower_case_name`.
bool IsAllowedFunction(std::string_view lower_case_name);
// Why a denied name is denied; nullopt for a name on neither list.
std::optional<std::string_view> DenialReason(std::string_view lower_case_name);

}  // namespace lakehouse::query
