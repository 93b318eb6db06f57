// How the web UI words times: "3 minutes ago", with the exact time beside it.
#include "web/ui_format.h"

#include <gtest/gtest.h>

namespace lakehouse::web {
namespace {

constexpr int64_t kNow = 1795000000000;  // 2026-11-18T11:06:40Z
constexpr int64_t kMinute = 60'000;
constexpr int64_t kDay = 24 * 60 * kMinute;

TEST(FormatAgoTest, SaysHowLongAgoInWholeUnits) {
  EXPECT_EQ(FormatAgo(kNow, kNow), "just now");
  EXPECT_EQ(FormatAgo(kNow - 59'000, kNow), "just now");
  EXPECT_EQ(FormatAgo(kNow - kMinute, kNow), "1 minute ago");
  EXPECT_EQ(FormatAgo(kNow - 3 * kMinute - 59'000, kNow), "3 minutes ago");
  EXPECT_EQ(FormatAgo(kNow - 60 * kMinute, kNow), "1 hour ago");
  EXPECT_EQ(FormatAgo(kNow - 23 * 60 * kMinute, kNow), "23 hours ago");
  EXPECT_EQ(FormatAgo(kNow - 2 * kDay, kNow), "2 days ago");
  EXPECT_EQ(FormatAgo(kNow - 45 * kDay, kNow), "1 month ago");
  EXPECT_EQ(FormatAgo(kNow - 400 * kDay, kNow), "1 year ago");
}

TEST(FormatAgoTest, ATimeAheadOfTheClockSaysIn) {
  EXPECT_EQ(FormatAgo(kNow + 30'000, kNow), "just now");
  EXPECT_EQ(FormatAgo(kNow + 2 * 60 * kMinute, kNow), "in 2 hours");
}

TEST(FormatAgoTest, TimeDataHoldsTheMachineAndExactForms) {
  Data data = TimeData(kNow - 5 * kMinute, kNow);
  EXPECT_EQ(data.get("iso")->string_value(), "2026-11-18T11:01:40.000Z");
  EXPECT_EQ(data.get("exact")->string_value(), "2026-11-18 11:01:40 UTC");
  EXPECT_EQ(data.get("ago")->string_value(), "5 minutes ago");
}

}  // namespace
}  // namespace lakehouse::web
