// Timestamps on the wire: RFC 3339 (UTC, milliseconds) in JSON, HTTP-date in
// Last-Modified headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lakehouse {

std::string FormatRfc3339Ms(int64_t unix_ms);  // 2026-11-25T04:13:00.123Z
std::optional<int64_t> ParseRfc3339Ms(std::string_view text);
std::string FormatHttpDate(int64_t unix_ms);  // Wed, 25 Nov 2026 04:13:00 GMT
std::optional<int64_t> ParseHttpDateMs(std::string_view text);

}  // namespace lakehouse
