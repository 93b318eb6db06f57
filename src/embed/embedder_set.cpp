// EmbedderSet: a mutex-guarded map of embedders by name, seeded with the built-in hashing one.
#include "embed/embedder_set.h"

#include "embed/hashing_embedder.h"

namespace lakehouse::embed {

EmbedderSet::EmbedderSet() {
  auto builtin = std::make_shared<HashingEmbedder>();
  default_name_ = builtin->name();
  embedders_.emplace(default_name_, std::move(builtin));
}

Status EmbedderSet::Add(std::shared_ptr<Embedder> embedder) {
  std::lock_guard lock(mu_);
  std::string name = embedder->name();
  if (!embedders_.emplace(name, std::move(embedder)).second) {
    return Status::Conflict("an embedder named \"" + name + "\" exists");
  }
  return Status::Ok();
}

Result<std::shared_ptr<Embedder>> EmbedderSet::Find(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = embedders_.find(name.empty() ? default_name_ : name);
  if (it != embedders_.end()) return it->second;
  std::string known;
  for (const auto& [n, e] : embedders_) known += (known.empty() ? "" : ", ") + n;
  return Status::InvalidArgument("no embedder \"" + name + "\"; known: " + known);
}

std::vector<std::string> EmbedderSet::Names() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> names;
  for (const auto& [n, e] : embedders_) names.push_back(n);
  return names;
}

}  // namespace lakehouse::embed
