// Key and prefix validation (UTF-8, segments), reserved system prefixes, and path encoding of keys.
#include "storage/object_key.h"

#include <cstdint>

#include "common/percent_encoding.h"

namespace lakehouse::storage {
namespace {

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

// Checks the segments of a key or prefix; a prefix may end in '/'.
Status ValidateSegments(std::string_view text, bool allow_trailing_slash) {
  if (text.size() > kMaxKeyBytes) {
    return Status::InvalidKey("key is " + std::to_string(text.size()) + " bytes; the limit is " +
                              std::to_string(kMaxKeyBytes));
  }
  if (text.find('\0') != std::string_view::npos) {
    return Status::InvalidKey("key contains a NUL byte at offset " +
                              std::to_string(text.find('\0')));
  }
  if (!IsValidUtf8(text)) return Status::InvalidKey("key is not valid UTF-8");
  if (text.front() == '/') return Status::InvalidKey("key must not start with '/'");
  size_t start = 0;
  int index = 0;
  while (start <= text.size()) {
    size_t slash = text.find('/', start);
    size_t end = slash == std::string_view::npos ? text.size() : slash;
    std::string_view segment = text.substr(start, end - start);
    bool last = slash == std::string_view::npos;
    if (segment.empty() && !(last && allow_trailing_slash && index > 0)) {
      return Status::InvalidKey("key has an empty segment at position " + std::to_string(index));
    }
    if (segment == "." || segment == "..") {
      return Status::InvalidKey("key segment " + std::to_string(index) + " is \"" +
                                std::string(segment) + "\"");
    }
    if (last) break;
    start = slash + 1;
    ++index;
  }
  return Status::Ok();
}

}  // namespace

std::span<const std::string_view> SystemKeyPrefixes() {
  static constexpr std::string_view kPrefixes[] = {"_catalog/",   "_erasures/", "_iceberg/",
                                                   "_lakehouse/", "_vectors/",  "data/"};
  return kPrefixes;
}

std::string_view SystemPrefixOf(std::string_view key) {
  for (std::string_view prefix : SystemKeyPrefixes()) {
    if (key.starts_with(prefix)) return prefix;
  }
  return {};
}

Status CheckUserKey(std::string_view key) {
  std::string_view reserved = SystemPrefixOf(key);
  if (reserved.empty()) return Status::Ok();
  return Status::PermissionDenied("keys under \"" + std::string(reserved) +
                                  "\" are reserved for the system and cannot be used through "
                                  "the object API; use the datasets and indexes APIs");
}

Status CheckUserPrefix(std::string_view prefix) { return CheckUserKey(prefix); }

std::string PastPrefix(std::string_view prefix) { return std::string(prefix) + "\xF4\x8F\xBF\xBF"; }

Status ValidateKey(std::string_view key) {
  if (key.empty()) return Status::InvalidKey("key is empty");
  return ValidateSegments(key, false);
}

Status ValidatePrefix(std::string_view prefix) {
  if (prefix.empty()) return Status::Ok();
  return ValidateSegments(prefix, true);
}

std::string EncodeKeyForPath(std::string_view key) { return PercentEncodePath(key); }

Result<std::string> DecodeKeyFromPath(std::string_view path) {
  // Segments are decoded one by one and joined with '/': an encoded %2F is
  // therefore indistinguishable from a literal slash, as the contract says.
  auto decoded = PercentDecode(path, false);
  if (!decoded.ok()) return Status::InvalidKey(decoded.status().message());
  LH_RETURN_IF_ERROR(ValidateKey(*decoded));
  return decoded;
}

}  // namespace lakehouse::storage
