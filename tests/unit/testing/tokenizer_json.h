// A tokenizer built from a tokenizer.json the test writes inline, and the ids
// of a text through it, each failing the test (not crashing it) when it errs.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "embed/hf_tokenizer.h"

namespace lakehouse::testing {

inline embed::HfTokenizer TokenizerFrom(const nlohmann::json& spec) {
  auto tokenizer = embed::HfTokenizer::FromJson(spec.dump(), "tokenizer.json");
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  return std::move(tokenizer).value();
}

inline std::vector<int32_t> EncodedIds(const embed::HfTokenizer& tokenizer,
                                       const std::string& text) {
  auto ids = tokenizer.Encode(text);
  EXPECT_TRUE(ids.ok()) << ids.status().ToString();
  return ids.ok() ? *ids : std::vector<int32_t>{};
}

}  // namespace lakehouse::testing
