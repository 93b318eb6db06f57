// The full-text fields of an index-creating request ("full_text", "stemmer",
// "k1", "b"), shared by POST /v1/indexes and POST /v1/datasets/{name}/indexes,
// and how an index's full-text part is shown.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "text/bm25_index.h"
#include "vector/dataset_indexer.h"

namespace lakehouse::server {

inline constexpr std::string_view kFullTextFields[] = {"full_text", "stemmer", "k1", "b"};

// Unset when the request names none of the fields. "full_text": false with
// any parameter, a stemmer other than "english" or "none", or k1 / b out of
// range: kInvalidArgument naming the field.
Result<std::optional<vector::FullTextChoice>> ParseFullTextChoice(const nlohmann::json& request);

// {"k1", "b", "stemmer"}, or null for an index without a full-text part.
nlohmann::json FullTextJson(const std::optional<text::Bm25Params>& params);

}  // namespace lakehouse::server
