// Bounds the shape of JSON text before it is parsed: nesting depth, key
// length and the number of distinct keys. nlohmann parses and frees deep
// documents iteratively but serialises them recursively, and DuckDB's JSON
// reader recurses once per level while it infers a schema, so a deeply nested
// value could exhaust the stack; it also slows down superlinearly in depth
// and in the number of distinct keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace lakehouse {

inline constexpr size_t kMaxJsonDepth = 64;

struct JsonShapeLimits {
  size_t max_depth = kMaxJsonDepth;
  size_t max_key_bytes = std::numeric_limits<size_t>::max();
  // Memory grows with this bound (one hash per distinct key), never with the
  // size of the text.
  size_t max_distinct_keys = std::numeric_limits<size_t>::max();
};

// Where the text first broke a limit. Positions count from 1, over all the
// text fed so far: `line` is one more than the newlines before the offending
// byte, `byte` its position in the whole text.
struct JsonShapeViolation {
  std::string what;  // e.g. "JSON nested deeper than 64 levels"
  uint64_t line = 1;
  uint64_t byte = 1;
  std::string ToString() const;  // "<what> at line L, byte B"
};

// Checks JSON text fed in pieces of any size, in one pass. Only brackets and
// strings are followed (quotes and escapes may straddle pieces); anything
// else about the text, valid or not, is the parser's to judge. Not
// thread-safe; one checker per text.
class JsonShapeChecker {
 public:
  explicit JsonShapeChecker(JsonShapeLimits limits = {});

  // Reads the next piece of text. Returns false once a limit has been
  // passed; violation() then says which and where, and further text is
  // ignored.
  bool Feed(std::string_view text);
  const std::optional<JsonShapeViolation>& violation() const { return violation_; }
  // The deepest nesting seen, at most max_depth + 1.
  size_t deepest() const { return deepest_; }

 private:
  void Open(char bracket);
  void Close();
  void StartString();
  bool AddKeyByte(char c);
  void EndString();
  void Fail(std::string what, uint64_t line, uint64_t byte);

  JsonShapeLimits limits_;
  std::optional<JsonShapeViolation> violation_;
  std::vector<bool> in_object_;  // per open bracket: '{' (true) or '['
  size_t deepest_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;     // the previous byte was a backslash in a string
  bool expect_key_ = false;  // the next string in this object is a key
  bool string_is_key_ = false;
  uint64_t key_hash_ = 0;
  size_t key_bytes_ = 0;
  uint64_t key_line_ = 0;
  uint64_t key_byte_ = 0;
  std::unordered_set<uint64_t> keys_;
  uint64_t line_ = 1;
  uint64_t byte_ = 0;  // bytes read so far
};

// The deepest nesting of arrays and objects in `text`, counting only
// brackets outside strings. Stops counting once past `limit`.
size_t JsonNestingDepth(std::string_view text, size_t limit);

}  // namespace lakehouse
