// Reads config.json and measures token lengths for StaticEmbedder.
#include "embed/static_model_files.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lakehouse::embed {

Result<bool> ReadNormalizeFlag(const std::string& config_path) {
  std::error_code ec;
  if (!std::filesystem::exists(config_path, ec)) return true;
  std::ifstream in(config_path, std::ios::binary);
  if (!in) return Status::FromErrno(errno, "cannot open " + config_path);
  std::ostringstream text;
  text << in.rdbuf();
  auto config = nlohmann::json::parse(text.str(), nullptr, false);
  if (config.is_discarded() || !config.is_object()) {
    return Status::InvalidArgument(config_path + ": not a JSON object");
  }
  if (!config.contains("normalize") || config["normalize"].is_null()) return true;
  if (!config["normalize"].is_boolean()) {
    return Status::InvalidArgument(config_path + ": \"normalize\" must be true or false");
  }
  return config["normalize"].get<bool>();
}

size_t MedianTokenChars(const std::vector<std::pair<std::string, int32_t>>& vocabulary) {
  if (vocabulary.empty()) return 1;
  std::vector<double> lengths;
  lengths.reserve(vocabulary.size());
  for (const auto& [token, id] : vocabulary) {
    lengths.push_back(static_cast<double>(std::count_if(token.begin(), token.end(), [](char c) {
      return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    })));
  }
  std::sort(lengths.begin(), lengths.end());
  const size_t mid = lengths.size() / 2;
  const double median =
      lengths.size() % 2 == 1 ? lengths[mid] : (lengths[mid - 1] + lengths[mid]) / 2;
  return std::max<size_t>(1, static_cast<size_t>(median));
}

std::string_view FirstChars(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  for (size_t at = 0; at < text.size(); ++at) {
    if ((static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) continue;
    if (chars++ == max_chars) return text.substr(0, at);
  }
  return text;
}

}  // namespace lakehouse::embed
