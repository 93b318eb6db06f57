// StaticEmbedder: a model2vec-style static embedding model, read from a folder, that needs no
// model server: a text's vector is the mean of its tokens' rows of one matrix.
//
// The folder holds what Hugging Face model repositories such as minishlab/potion-base-8M ship:
//  - model.safetensors: tensor "embeddings" (vocabulary x dim; F32, F16, BF16 or F64), and
//    optionally "weights" (one float per token id, scaling its row) and "mapping" (one integer per
//    token id: the row it uses), which newer model2vec models carry;
//  - tokenizer.json: the tokenizer (hf_tokenizer.h says what is supported);
//  - config.json, optional: {"normalize": bool}, default true (model2vec's own default is false,
//    but its published models all say true, and the indexes here compare unit vectors).
//
// Embedding follows model2vec's StaticModel.encode: the text is tokenized without special
// tokens, unknown tokens are dropped, at most kMaxTokens ids are kept (the text is first cut to
// kMaxTokens x the median token length in characters, as model2vec does, which bounds the work of
// a long text), their rows are averaged and, if normalize, scaled to unit length. A text with no
// known token (an empty one, say) is the zero vector, as in model2vec: it is near nothing, which
// is what a user searching by it should see, rather than an arbitrary direction.
//
// Load fails with an error naming the file: kNotFound for a missing folder or file,
// kInvalidArgument for a truncated or inconsistent one (a matrix that is not 2-D, a tokenizer id
// beyond the matrix rows, a mapping or weights too short, an unsupported tokenizer component).
// Threads: immutable after Load; name(), dim() and Embed() may run concurrently.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "embed/embedder.h"
#include "embed/hf_tokenizer.h"
#include "embed/safetensors.h"

namespace lakehouse::embed {

class StaticEmbedder final : public Embedder {
 public:
  // model2vec's default max_length: beyond it a mean of more tokens changes little and costs more.
  static constexpr size_t kMaxTokens = 512;

  static Result<std::unique_ptr<StaticEmbedder>> Load(const std::string& folder);

  std::string name() const override { return name_; }  // "static:<folder's base name>"
  size_t dim() const override { return embeddings_.cols; }
  Result<std::vector<std::vector<float>>> Embed(std::span<const std::string> texts) override;

  Result<std::vector<float>> EmbedOne(std::string_view text) const;
  // The ids that are averaged for `text`: tokenized, unknowns dropped, bounded.
  Result<std::vector<int32_t>> TokenIds(std::string_view text) const;
  bool normalizes() const { return normalize_; }

 private:
  StaticEmbedder(std::string name, HfTokenizer tokenizer, FloatMatrix embeddings);
  Status LoadExtras(const SafetensorsFile& file, const std::string& path);
  Status CheckIds(const std::string& tokenizer_path, const std::string& model_path) const;
  size_t Row(int32_t id) const;

  std::string name_;
  HfTokenizer tokenizer_;
  FloatMatrix embeddings_;
  std::vector<float> weights_;    // empty: every row weighs 1
  std::vector<int64_t> mapping_;  // empty: id i uses row i
  bool normalize_ = true;
  size_t max_chars_ = 0;
};

}  // namespace lakehouse::embed
