// The named vector indexes of one process (vectord's state in memory).
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "vector/index.h"

namespace lakehouse::vector {

class IndexRegistry {
 public:
  // kConflict if the name is taken; kInvalidArgument for bad parameters.
  Result<std::shared_ptr<Index>> Create(const IndexParams& params);
  // kNotFound for an unknown name. The index stays usable by holders even
  // after Drop.
  Result<std::shared_ptr<Index>> Find(std::string_view name) const;
  Status Drop(std::string_view name);
  std::vector<std::shared_ptr<Index>> List() const;  // by name

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<Index>, std::less<>> indexes_;
};

}  // namespace lakehouse::vector
