#include "vector/index_registry.h"

#include <mutex>

namespace lakehouse::vector {

Result<std::shared_ptr<Index>> IndexRegistry::Create(const IndexParams& params) {
  LH_ASSIGN_OR_RETURN(std::unique_ptr<Index> index, Index::Create(params));
  std::unique_lock lock(mu_);
  if (indexes_.contains(params.name)) {
    return Status::Conflict("index \"" + params.name + "\" exists");
  }
  std::shared_ptr<Index> shared = std::move(index);
  indexes_.emplace(params.name, shared);
  return shared;
}

Result<std::shared_ptr<Index>> IndexRegistry::Find(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = indexes_.find(name);
  if (it == indexes_.end()) return Status::NotFound("no index named \"" + std::string(name) + "\"");
  return it->second;
}

Status IndexRegistry::Drop(std::string_view name) {
  std::unique_lock lock(mu_);
  auto it = indexes_.find(name);
  if (it == indexes_.end()) return Status::NotFound("no index named \"" + std::string(name) + "\"");
  indexes_.erase(it);
  return Status::Ok();
}

std::vector<std::shared_ptr<Index>> IndexRegistry::List() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<Index>> out;
  for (const auto& [name, index] : indexes_) out.push_back(index);
  return out;
}

}  // namespace lakehouse::vector
