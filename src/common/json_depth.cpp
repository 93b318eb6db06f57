// The streaming JSON shape check: a byte loop that follows strings and
// brackets and nothing else.
#include "common/json_depth.h"

#include <algorithm>

namespace lakehouse {
namespace {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
constexpr uint64_t kFnvPrime = 0x100000001b3ull;

}  // namespace

std::string JsonShapeViolation::ToString() const {
  return what + " at line " + std::to_string(line) + ", byte " + std::to_string(byte);
}

JsonShapeChecker::JsonShapeChecker(JsonShapeLimits limits) : limits_(limits) {
  // The stack never holds more than max_depth brackets: one more is refused.
  in_object_.reserve(std::min<size_t>(limits_.max_depth, 1024));
}

void JsonShapeChecker::Fail(std::string what, uint64_t line, uint64_t byte) {
  violation_ = JsonShapeViolation{std::move(what), line, byte};
}

void JsonShapeChecker::Open(char bracket) {
  if (in_object_.size() >= limits_.max_depth) {
    deepest_ = in_object_.size() + 1;
    Fail("JSON nested deeper than " + std::to_string(limits_.max_depth) + " levels", line_, byte_);
    return;
  }
  in_object_.push_back(bracket == '{');
  deepest_ = std::max(deepest_, in_object_.size());
  expect_key_ = bracket == '{';
}

void JsonShapeChecker::Close() {
  if (!in_object_.empty()) in_object_.pop_back();
  expect_key_ = false;
}

void JsonShapeChecker::StartString() {
  in_string_ = true;
  string_is_key_ = expect_key_ && !in_object_.empty() && in_object_.back();
  expect_key_ = false;
  if (string_is_key_) {
    key_hash_ = kFnvOffset;
    key_bytes_ = 0;
    key_line_ = line_;
    key_byte_ = byte_;
  }
}

bool JsonShapeChecker::AddKeyByte(char c) {
  key_hash_ = (key_hash_ ^ static_cast<unsigned char>(c)) * kFnvPrime;
  if (++key_bytes_ <= limits_.max_key_bytes) return true;
  Fail("a JSON key longer than " + std::to_string(limits_.max_key_bytes) + " bytes", key_line_,
       key_byte_);
  return false;
}

void JsonShapeChecker::EndString() {
  in_string_ = false;
  if (!string_is_key_ || limits_.max_distinct_keys == std::numeric_limits<size_t>::max()) return;
  keys_.insert(key_hash_);
  if (keys_.size() > limits_.max_distinct_keys) {
    Fail("JSON with more than " + std::to_string(limits_.max_distinct_keys) + " distinct keys",
         key_line_, key_byte_);
  }
}

bool JsonShapeChecker::Feed(std::string_view text) {
  for (size_t i = 0; i < text.size() && !violation_; ++i) {
    const char c = text[i];
    ++byte_;
    if (in_string_) {
      if (!escaped_ && c == '"') {
        EndString();
        continue;
      }
      escaped_ = !escaped_ && c == '\\';  // whatever is escaped cannot end the string
      if (string_is_key_ && !AddKeyByte(c)) break;
    } else if (c == '"') {
      StartString();
    } else if (c == '[' || c == '{') {
      Open(c);
    } else if (c == ']' || c == '}') {
      Close();
    } else if (c == ',') {
      expect_key_ = !in_object_.empty() && in_object_.back();
    }
    if (c == '\n') ++line_;
  }
  return !violation_;
}

size_t JsonNestingDepth(std::string_view text, size_t limit) {
  JsonShapeLimits limits;
  limits.max_depth = limit;
  JsonShapeChecker checker(limits);
  checker.Feed(text);
  return checker.deepest();
}

}  // namespace lakehouse
