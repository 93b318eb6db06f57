// embed::Embedder — turns texts into vectors (DESIGN.md, Local AI).
//
// Promises of every implementation:
//  - Embed returns one vector per text, in order, each of dim() floats, or
//    an error for the whole batch (never a partial answer).
//  - The same text gives the same vector for the lifetime of the embedder.
//  - name() identifies the model, so an index records what built it and a
//    query is embedded the same way.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakehouse::embed {

class Embedder {
 public:
  virtual ~Embedder() = default;
  virtual std::string name() const = 0;
  virtual size_t dim() const = 0;
  virtual Result<std::vector<std::vector<float>>> Embed(std::span<const std::string> texts) = 0;
};

}  // namespace lakehouse::embed
