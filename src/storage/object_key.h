// The rules for object keys and their form on the wire (DESIGN.md, Storage).
//
// A key is 1..1024 bytes of UTF-8 with no NUL, no leading '/', and no empty,
// "." or ".." segment between slashes. On the wire (a URL path) each segment is
// percent-encoded; "%2F" inside a segment decodes to '/', so "a%2Fb" and "a/b"
// name the same key.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse::storage {

inline constexpr size_t kMaxKeyBytes = 1024;

// OK when `key` is a valid literal key; otherwise kInvalidKey naming the rule.
Status ValidateKey(std::string_view key);

// A prefix for List: like a key, but may be empty and may end with '/'.
Status ValidatePrefix(std::string_view prefix);

// Percent-encodes every segment of `key` for use in a URL path.
std::string EncodeKeyForPath(std::string_view key);

// Decodes a URL path tail ("seg/seg%2Fmore") into the literal key and
// validates it. Malformed escapes are kInvalidKey.
Result<std::string> DecodeKeyFromPath(std::string_view path);

// Percent-encodes a whole string for a query parameter value.
std::string EncodeQueryValue(std::string_view value);

// Decodes percent escapes (and '+' as space when `plus_is_space`).
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace lakehouse::storage
