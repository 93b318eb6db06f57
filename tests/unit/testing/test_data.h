// Where the real public data sets are, and what a test does when they are absent.
//
// The data sets live outside the repository (SOURCES.md beside them says where
// each comes from). A clone of the repository alone still passes `make test`:
// a test that needs a missing file skips and says how to provide it, unless
// LAKEHOUSE_REQUIRE_TEST_DATA=1 (set by CI), where a missing set fails, so a
// broken checkout can never pass by skipping.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace lakehouse::testing {

// LAKEHOUSE_TEST_DATA when set, else ../shared/data beside the repository.
inline std::string TestDataDir() {
  const char* env = std::getenv("LAKEHOUSE_TEST_DATA");
  if (env != nullptr && *env != '\0') return env;
  return LAKEHOUSE_DEFAULT_TEST_DATA;
}

inline std::string SharedData(const std::string& relative) {
  return TestDataDir() + "/" + relative;
}

inline bool TestDataRequired() {
  const char* env = std::getenv("LAKEHOUSE_REQUIRE_TEST_DATA");
  return env != nullptr && std::string(env) == "1";
}

inline std::string MissingTestDataMessage(const std::string& relative) {
  return "data set file " + SharedData(relative) +
         " is missing; set LAKEHOUSE_TEST_DATA to the folder holding the public data sets "
         "(default ../shared/data beside the repository)";
}

}  // namespace lakehouse::testing

// Skips the current test (or fails it under LAKEHOUSE_REQUIRE_TEST_DATA=1) when
// a data-set file is absent. A macro because GTEST_SKIP returns from the test body.
#define LAKEHOUSE_NEED_TEST_DATA(relative)                                      \
  do {                                                                          \
    if (!std::filesystem::exists(::lakehouse::testing::SharedData(relative))) { \
      if (::lakehouse::testing::TestDataRequired()) {                           \
        FAIL() << ::lakehouse::testing::MissingTestDataMessage(relative)        \
               << " (LAKEHOUSE_REQUIRE_TEST_DATA=1)";                           \
      }                                                                         \
      GTEST_SKIP() << ::lakehouse::testing::MissingTestDataMessage(relative);   \
    }                                                                           \
  } while (0)
