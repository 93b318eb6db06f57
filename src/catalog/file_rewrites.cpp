// ApplyRewrites: an erasure's replacement of files in one manifest.
#include <algorithm>

#include "catalog/catalog.h"

namespace lakehouse::catalog {

void Summarize(Manifest& m) {
  m.rows = 0;
  m.bytes = 0;
  for (const auto& f : m.files) {
    m.rows += f.live_rows();
    m.bytes += f.bytes;
    for (const auto& d : f.deletes) m.bytes += d.bytes;
  }
}

Result<bool> ApplyRewrites(const FileRewrites& rewrites, Manifest& manifest) {
  std::vector<DataFile> files;
  bool changed = false;
  for (const auto& file : manifest.files) {
    auto replaced = rewrites.files.find(file.key);
    if (replaced == rewrites.files.end()) {
      files.push_back(file);
      continue;
    }
    changed = true;
    DataFile next = replaced->second;
    next.deletes.clear();
    for (const auto& deleted : file.deletes) {
      auto mapped = rewrites.deletes.find(deleted.key);
      if (mapped == rewrites.deletes.end()) {
        return Status::IoError("version " + std::to_string(manifest.version) + " of " +
                               manifest.dataset + " lists deletion vector " + deleted.key + " of " +
                               file.key + ", which erasure " + rewrites.erasure +
                               " did not rewrite");
      }
      if (mapped->second) next.deletes.push_back(*mapped->second);
    }
    files.push_back(std::move(next));
  }
  if (!changed) return false;
  manifest.files = std::move(files);
  Summarize(manifest);
  if (std::find(manifest.erasures.begin(), manifest.erasures.end(), rewrites.erasure) ==
      manifest.erasures.end()) {
    manifest.erasures.push_back(rewrites.erasure);
  }
  return true;
}

}  // namespace lakehouse::catalog
