// Replacing the server's directories in messages (path_scrubber.h).
#include "query/path_scrubber.h"

#include <algorithm>
#include <filesystem>

namespace lakehouse::query {

void PathScrubber::Add(const std::string& directory, const std::string& placeholder) {
  if (directory.empty()) return;
  std::vector<std::string> forms = {directory};
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(std::filesystem::absolute(directory, ec), ec);
  if (!ec) forms.push_back(canonical.string());
  for (std::string form : forms) {
    while (form.size() > 1 && form.back() == '/') form.pop_back();
    // "/" or "." alone would rewrite every message.
    if (form.size() < 2) continue;
    replacements_.emplace_back(form, placeholder);
  }
  std::stable_sort(replacements_.begin(), replacements_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

std::string PathScrubber::Scrub(std::string message) const {
  for (const auto& [from, to] : replacements_) {
    for (size_t at = message.find(from); at != std::string::npos;
         at = message.find(from, at + to.size())) {
      message.replace(at, from.size(), to);
    }
  }
  return message;
}

Status PathScrubber::Scrub(const Status& status) const {
  if (status.ok()) return status;
  return Status(status.code(), Scrub(status.message()));
}

}  // namespace lakehouse::query
