// SectionReader's typed reads: each names the file, line, column and key of a value it refuses.
#include "common/toml_section.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "common/config.h"

namespace lakehouse {

std::string Where(std::string_view source, const toml::source_region& region) {
  std::ostringstream out;
  out << source << ":" << region.begin.line << ":" << region.begin.column;
  return out.str();
}

Status SectionReader::String(std::string_view key, std::string* out) {
  const toml::node* node = Find(key);
  if (node == nullptr) return Status::Ok();
  if (!node->is_string()) return WrongType(*node, key, "a string");
  *out = node->as_string()->get();
  return Status::Ok();
}

Status SectionReader::Integer(std::string_view key, int64_t min, int64_t max, int64_t* out) {
  const toml::node* node = Find(key);
  if (node == nullptr) return Status::Ok();
  if (!node->is_integer()) return WrongType(*node, key, "an integer");
  int64_t value = node->as_integer()->get();
  if (value < min || value > max) {
    return Bad(*node, key,
               " must be between " + std::to_string(min) + " and " + std::to_string(max) +
                   ", got " + std::to_string(value));
  }
  *out = value;
  return Status::Ok();
}

Status SectionReader::Int(std::string_view key, int64_t min, int64_t max, int* out) {
  int64_t value = *out;
  LH_RETURN_IF_ERROR(Integer(key, min, max, &value));
  *out = static_cast<int>(value);
  return Status::Ok();
}

Status SectionReader::OneOf(std::string_view key, std::span<const std::string_view> allowed,
                            std::string* out) {
  std::string value = *out;
  LH_RETURN_IF_ERROR(String(key, &value));
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    // Sorted, so the message does not depend on the table's order.
    std::vector<std::string_view> sorted(allowed.begin(), allowed.end());
    std::sort(sorted.begin(), sorted.end());
    std::string choices;
    for (std::string_view a : sorted) choices += (choices.empty() ? "" : ", ") + std::string(a);
    return Bad(*Find(key), key, " must be one of " + choices + ", got \"" + value + "\"");
  }
  *out = value;
  return Status::Ok();
}

Status SectionReader::Listen(std::string_view key, std::string* out) {
  std::string value = *out;
  LH_RETURN_IF_ERROR(String(key, &value));
  if (auto parsed = ParseListenAddress(value); !parsed.ok()) {
    return Bad(*Find(key), key, ": " + parsed.status().message());
  }
  *out = value;
  return Status::Ok();
}

Status SectionReader::Bool(std::string_view key, bool* out) {
  const toml::node* node = Find(key);
  if (node == nullptr) return Status::Ok();
  if (!node->is_boolean()) return WrongType(*node, key, "true or false");
  *out = node->as_boolean()->get();
  return Status::Ok();
}

Status SectionReader::Url(std::string_view key, bool allow_empty, std::string* out) {
  std::string value = *out;
  LH_RETURN_IF_ERROR(String(key, &value));
  bool ok = (allow_empty && value.empty()) || value.starts_with("http://") ||
            value.starts_with("https://");
  if (!ok) {
    return Bad(*Find(key), key,
               std::string(" must be an http:// or https:// URL") +
                   (allow_empty ? " or empty" : "") + ", got \"" + value + "\"");
  }
  *out = value;
  return Status::Ok();
}

Status SectionReader::Checked(std::string_view key, bool (*valid)(std::string_view),
                              std::string_view rule, std::string* out) {
  std::string value = *out;
  LH_RETURN_IF_ERROR(String(key, &value));
  if (!valid(value)) {
    return Bad(*Find(key), key, " must be " + std::string(rule) + ", got \"" + value + "\"");
  }
  *out = value;
  return Status::Ok();
}

Status SectionReader::Finish() const {
  for (const auto& [key, node] : table_) {
    if (!used_.contains(std::string(key.str()))) {
      return Status::InvalidArgument(Where(source_, node.source()) + ": unknown key \"" + section_ +
                                     "." + std::string(key.str()) + "\"");
    }
  }
  return Status::Ok();
}

const toml::node* SectionReader::Find(std::string_view key) {
  used_.insert(std::string(key));
  return table_.get(key);
}

Status SectionReader::WrongType(const toml::node& node, std::string_view key,
                                std::string_view expected) const {
  std::ostringstream type;
  type << node.type();
  return Bad(node, key, " must be " + std::string(expected) + ", got " + type.str());
}

Status SectionReader::Bad(const toml::node& node, std::string_view key,
                          const std::string& why) const {
  return Status::InvalidArgument(Where(source_, node.source()) + ": " + section_ + "." +
                                 std::string(key) + why);
}

}  // namespace lakehouse
