// Takes the server's own directories out of messages before they reach a
// client: DuckDB names the files it failed on, and a query must not learn
// where the data, the scratch space or DuckDB's secrets live.
//
// Each directory is replaced by a placeholder such as <data> or <scratch>,
// longest first, so a directory inside another keeps its own name. Both the
// form a directory was given in and its canonical absolute form are
// replaced. Immutable once built; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace lakehouse::query {

class PathScrubber {
 public:
  // Adds `directory` (empty: ignored), shown as `placeholder`.
  void Add(const std::string& directory, const std::string& placeholder);

  std::string Scrub(std::string message) const;
  // The same code, its message scrubbed.
  Status Scrub(const Status& status) const;

 private:
  std::vector<std::pair<std::string, std::string>> replacements_;  // longest first
};

}  // namespace lakehouse::query
