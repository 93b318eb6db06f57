// embed::Embedder — turns texts into vectors (docs/local-ai.md).
//
// Promises of every implementation:
//  - Embed returns one vector per text, in order, each of dim() floats, or
//    an error for the whole batch (never a partial answer).
//  - The same text gives the same vector for the lifetime of the embedder.
//  - name() identifies the model, so an index records what built it and a
//    query is embedded the same way.
//
// Threads: name(), dim() and Embed() may be called from any number of
// threads at once (DuckDB's workers call Embed in parallel for SQL's
// embed()); an implementation's own setters, such as HashingEmbedder::Fit,
// run only before the embedder is shared. Lifetimes: embedders are shared
// by shared_ptr; what FittedTo or WithLearnedState returns is independent
// of the embedder that made it.
#pragma once

#include <memory>
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

  // An embedder that learns from the texts it indexes (the built-in one
  // learns IDF) returns a copy fitted to `corpus`, leaving itself as it was;
  // one whose vectors do not depend on the corpus returns null.
  virtual std::shared_ptr<Embedder> FittedTo(std::span<const std::string> /*corpus*/) const {
    return nullptr;
  }
  // What a fitted copy learned, kept with its index so queries are embedded
  // as its texts were, and a copy of this embedder restored from it.
  virtual std::string LearnedState() const { return {}; }
  virtual Result<std::shared_ptr<Embedder>> WithLearnedState(std::string_view /*state*/) const {
    return Status::InvalidArgument("model \"" + name() + "\" learns nothing from its texts");
  }
};

}  // namespace lakehouse::embed
