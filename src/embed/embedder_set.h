// The embedders a process offers by name (POST /v1/embed's "model"): the
// built-in one, always there and the default, and any configured clients of
// local model servers.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "embed/embedder.h"

namespace lakehouse::embed {

// Thread-safe: Add, Find and Names may race; an embedder found stays valid
// (shared) after the set is gone.
class EmbedderSet {
 public:
  EmbedderSet();  // with the built-in embedder as the default

  // kConflict if the name is taken.
  Status Add(std::shared_ptr<Embedder> embedder);
  // The named embedder, or the default for an empty name; kInvalidArgument
  // naming the known ones otherwise.
  Result<std::shared_ptr<Embedder>> Find(const std::string& name) const;
  std::vector<std::string> Names() const;
  const std::string& default_name() const { return default_name_; }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Embedder>> embedders_;
  std::string default_name_;
};

}  // namespace lakehouse::embed
