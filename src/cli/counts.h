// How the client writes counts for people: "1 row", "2 rows", "1,000".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lakehouse::cli {

// `n` and the noun, singular only when n is 1: "1 row", "0 rows", "2 rows".
// `plural` is for nouns not made plural by an "s" ("1 index", "2 indexes").
std::string Counted(uint64_t n, std::string_view noun, std::string_view plural = {});

// `n` with a comma between each group of three digits: "1,234,567".
std::string GroupDigits(uint64_t n);

}  // namespace lakehouse::cli
