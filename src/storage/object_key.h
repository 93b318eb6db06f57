// The rules for object keys and their form on the wire (docs/design.md, Storage).
//
// A key is 1..1024 bytes of UTF-8 with no NUL, no leading '/', and no empty,
// "." or ".." segment between slashes. On the wire (a URL path) each segment is
// percent-encoded; "%2F" inside a segment decodes to '/', so "a%2Fb" and "a/b"
// name the same key.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse::storage {

inline constexpr size_t kMaxKeyBytes = 1024;

// OK when `key` is a valid literal key; otherwise kInvalidKey naming the rule.
Status ValidateKey(std::string_view key);

// A prefix for List: like a key, but may be empty and may end with '/'.
Status ValidatePrefix(std::string_view prefix);

// The system's own key spaces: the catalog's manifests, the datasets' data
// files, the erasure log, the datasets' Iceberg tables, vector indexes, and the process bookkeeping
// under `_lakehouse/` (the vectord writer claim, the S3 conditional-put probe). Only the services
// write them, through their storage client; the public object API refuses them to every token.
// Sorted, each ending in '/'.
std::span<const std::string_view> SystemKeyPrefixes();

// The system prefix `key` lies under, or empty when it is a user's key.
std::string_view SystemPrefixOf(std::string_view key);
inline bool IsSystemKey(std::string_view key) { return !SystemPrefixOf(key).empty(); }

// OK for a user's key; kPermissionDenied naming the reserved prefix for a
// system key. `key` must already be decoded: this compares literal bytes.
Status CheckUserKey(std::string_view key);

// A List prefix that lies inside a system space is kPermissionDenied; one
// that merely overlaps one (such as "" or "_") is OK, and its listing must
// leave the system keys out.
Status CheckUserPrefix(std::string_view prefix);

// A List start_after that skips the keys under `prefix`: `prefix` followed
// by U+10FFFF, the greatest code point. Every key under `prefix` sorts before
// it except one whose rest itself begins with U+10FFFF, which the system never
// writes (a caller that meets one must skip it by itself).
std::string PastPrefix(std::string_view prefix);

// Percent-encodes every segment of `key` for use in a URL path; the
// encoding itself (and the one for query values) is common/percent_encoding.h.
std::string EncodeKeyForPath(std::string_view key);

// Decodes a URL path tail ("seg/seg%2Fmore") into the literal key and
// validates it. Malformed escapes are kInvalidKey.
Result<std::string> DecodeKeyFromPath(std::string_view path);

}  // namespace lakehouse::storage
