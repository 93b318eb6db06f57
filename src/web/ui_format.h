// How the UI's pages show values: counts, sizes, durations, times, a version's source and changes.
#pragma once

#include <cstdint>
#include <string>

#include "catalog/catalog.h"
#include "web/templates.h"

namespace lakehouse::web {

std::string FormatCount(uint64_t n);      // 1234567 -> "1,234,567"
std::string FormatBytes(uint64_t bytes);  // 1536 -> "1.5 KB"; binary units
std::string FormatMs(double ms);          // "12.3 ms"

// How long before `now_ms` the time `unix_ms` was, as people say it: "just
// now" within a minute either way, then "3 minutes ago", "1 hour ago",
// "2 days ago", "5 months ago", "1 year ago" (whole units, rounded down;
// a month is 30 days, a year 365), or "in 2 hours" for a time ahead of
// `now_ms`. web/static/time.js keeps the same words up to date in the page.
std::string FormatAgo(int64_t unix_ms, int64_t now_ms);

// A time as web/templates/time.mustache shows it: {iso} (RFC 3339, for
// <time datetime>), {exact} ("2026-11-25 04:13:00 UTC", the tooltip until
// time.js puts the browser's local time there) and {ago} (FormatAgo).
Data TimeData(int64_t unix_ms, int64_t now_ms);
// The same against the clock.
Data TimeData(int64_t unix_ms);

// Where a version's rows came from: "file.csv (1.5 KB)", the size alone for
// an upload without a name, "" for a version not made from an upload.
std::string SourceText(const catalog::Manifest& m);

// What a version changed, e.g. "+3 inserted · 2 updated · 1 deleted"; zero
// parts are left out, so a version that changed nothing reads as nothing.
std::string CountsText(const catalog::ChangeCounts& counts);

}  // namespace lakehouse::web
