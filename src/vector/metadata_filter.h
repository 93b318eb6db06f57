// A filter on the metadata of a vector index's items, for search:
//
//   {"state": "TX", "rate": {"lte": 80}, "remote": true, "level": {"in": ["junior", "mid"]}}
//
// Every field's condition must hold. A bare value means equality; an object
// holds operators: eq, ne, lt, lte, gt, gte, in. Ranges compare numbers with
// numbers and strings with strings; an item without the field, or with a
// value of another type, does not match (ne included).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakehouse::vector {

class MetadataFilter {
 public:
  // kInvalidArgument naming the field and what is wrong.
  static Result<MetadataFilter> Parse(const nlohmann::json& filter);
  // The same from a JSON object's text, as SQL's vector_search(..., filter
  // := '{...}') hands it over; empty text is no filter.
  static Result<MetadataFilter> ParseText(std::string_view text);

  bool Matches(const nlohmann::json& metadata) const;
  bool empty() const { return conditions_.empty(); }

 private:
  enum class Op { kEq, kNe, kLt, kLte, kGt, kGte, kIn };
  struct Condition {
    std::string field;
    Op op;
    nlohmann::json value;
  };
  std::vector<Condition> conditions_;
};

}  // namespace lakehouse::vector
