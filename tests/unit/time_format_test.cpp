#include "common/time_format.h"

#include <gtest/gtest.h>

namespace lakehouse {
namespace {

TEST(TimeFormatTest, Rfc3339RoundTripsMilliseconds) {
  int64_t ms = 1795000000123;
  EXPECT_EQ(FormatRfc3339Ms(ms), "2026-11-18T11:06:40.123Z");
  EXPECT_EQ(ParseRfc3339Ms(FormatRfc3339Ms(ms)), ms);
  EXPECT_FALSE(ParseRfc3339Ms("yesterday").has_value());
}

TEST(TimeFormatTest, HttpDateRoundTripsSeconds) {
  int64_t ms = 1795000000123;
  EXPECT_EQ(FormatHttpDate(ms), "Wed, 18 Nov 2026 11:06:40 GMT");
  EXPECT_EQ(ParseHttpDateMs(FormatHttpDate(ms)), 1795000000000);
  EXPECT_FALSE(ParseHttpDateMs("").has_value());
}

}  // namespace
}  // namespace lakehouse
