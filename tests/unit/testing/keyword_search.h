// The ids a keyword-mode search of a VectorService index answers, in order;
// an error fails the test and answers none.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vector/vector_service.h"

namespace lakehouse::testing {

inline std::vector<std::string> KeywordIds(vector::VectorService& service, const std::string& index,
                                           const std::string& query) {
  vector::SearchRequest request;
  request.text = query;
  request.mode = vector::SearchMode::kKeyword;
  auto result = service.Search(index, request);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  std::vector<std::string> ids;
  if (result.ok()) {
    for (const auto& hit : result->hits) ids.push_back(hit.id);
  }
  return ids;
}

}  // namespace lakehouse::testing
