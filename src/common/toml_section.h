// SectionReader: typed, range-checked reads of one TOML [section], with unknown keys refused.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse {

// "source:line:column" of a TOML node, for error messages.
std::string Where(std::string_view source, const toml::source_region& region);

// Reads one [section] and remembers which keys it consumed, so whatever is
// left over is reported as unknown by Finish(). Each read leaves *out as it
// was when the key is absent, and on a wrong type or value returns
// InvalidArgument naming source:line:column and section.key. `table` must
// outlive the reader. Not thread-safe.
class SectionReader {
 public:
  SectionReader(const toml::table& table, std::string section, std::string_view source)
      : table_(table), section_(std::move(section)), source_(source) {}

  Status String(std::string_view key, std::string* out);
  Status Integer(std::string_view key, int64_t min, int64_t max, int64_t* out);
  Status Int(std::string_view key, int64_t min, int64_t max, int* out);
  Status OneOf(std::string_view key, std::span<const std::string_view> allowed, std::string* out);
  Status Listen(std::string_view key, std::string* out);  // host:port
  Status Bool(std::string_view key, bool* out);
  Status Url(std::string_view key, bool allow_empty, std::string* out);  // http(s)://
  // A string that `valid` accepts; else an error saying it must be `rule`.
  Status Checked(std::string_view key, bool (*valid)(std::string_view), std::string_view rule,
                 std::string* out);
  Status Finish() const;  // no unknown keys

 private:
  const toml::node* Find(std::string_view key);
  Status WrongType(const toml::node& node, std::string_view key, std::string_view expected) const;
  Status Bad(const toml::node& node, std::string_view key, const std::string& why) const;

  const toml::table& table_;
  std::string section_;
  std::string_view source_;
  std::set<std::string> used_;
};

}  // namespace lakehouse
