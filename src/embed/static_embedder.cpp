// Loads a static embedding model from its folder and embeds texts by averaging token rows.
#include "embed/static_embedder.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <utility>

#include "embed/static_model_files.h"

namespace lakehouse::embed {
namespace {

namespace fs = std::filesystem;

std::string BaseName(const std::string& folder) {
  // Absolute first, so "." or "models/x/" still name the folder itself.
  std::error_code ec;
  fs::path path = fs::absolute(folder, ec).lexically_normal();
  if (path.filename().empty()) path = path.parent_path();
  return path.filename().string();
}

Status RequireFile(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return Status::NotFound("static model file " + path.string() + " does not exist");
  }
  return Status::Ok();
}

}  // namespace

StaticEmbedder::StaticEmbedder(std::string name, HfTokenizer tokenizer, FloatMatrix embeddings)
    : name_(std::move(name)),
      tokenizer_(std::move(tokenizer)),
      embeddings_(std::move(embeddings)) {}

Result<std::unique_ptr<StaticEmbedder>> StaticEmbedder::Load(const std::string& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    return Status::NotFound("static model folder " + folder + " does not exist");
  }
  const fs::path dir(folder);
  const std::string model_path = (dir / "model.safetensors").string();
  const std::string tokenizer_path = (dir / "tokenizer.json").string();
  LH_RETURN_IF_ERROR(RequireFile(model_path));
  LH_RETURN_IF_ERROR(RequireFile(tokenizer_path));
  LH_ASSIGN_OR_RETURN(SafetensorsFile file, SafetensorsFile::Open(model_path));
  LH_ASSIGN_OR_RETURN(FloatMatrix embeddings, file.Matrix("embeddings"));
  if (embeddings.rows == 0 || embeddings.cols == 0) {
    return Status::InvalidArgument(model_path + ": tensor \"embeddings\" is empty");
  }
  LH_ASSIGN_OR_RETURN(HfTokenizer tokenizer, HfTokenizer::Load(tokenizer_path));
  std::unique_ptr<StaticEmbedder> embedder(new StaticEmbedder(
      "static:" + BaseName(folder), std::move(tokenizer), std::move(embeddings)));
  LH_RETURN_IF_ERROR(embedder->LoadExtras(file, model_path));
  LH_RETURN_IF_ERROR(embedder->CheckIds(tokenizer_path, model_path));
  { LH_ASSIGN_OR_RETURN(embedder->normalize_, ReadNormalizeFlag((dir / "config.json").string())); }
  embedder->max_chars_ = kMaxTokens * MedianTokenChars(embedder->tokenizer_.Vocabulary());
  return embedder;
}

Status StaticEmbedder::LoadExtras(const SafetensorsFile& file, const std::string& path) {
  if (file.Has("weights")) {
    LH_ASSIGN_OR_RETURN(weights_, file.FloatVector("weights"));
  }
  if (file.Has("mapping")) {
    LH_ASSIGN_OR_RETURN(mapping_, file.IntVector("mapping"));
  }
  for (int64_t row : mapping_) {
    if (row < 0 || static_cast<uint64_t>(row) >= embeddings_.rows) {
      return Status::InvalidArgument(path + ": tensor \"mapping\" names row " +
                                     std::to_string(row) + " of " +
                                     std::to_string(embeddings_.rows));
    }
  }
  return Status::Ok();
}

// Every id the tokenizer can give must have a row (through the mapping if there is one), and a
// weight if there are weights, so Embed never reads out of bounds.
Status StaticEmbedder::CheckIds(const std::string& tokenizer_path,
                                const std::string& model_path) const {
  const size_t rows = mapping_.empty() ? embeddings_.rows : mapping_.size();
  const char* what = mapping_.empty() ? "rows in \"embeddings\"" : "entries in \"mapping\"";
  for (const auto& [token, id] : tokenizer_.Vocabulary()) {
    const auto index = static_cast<size_t>(id);
    if (index >= rows) {
      return Status::InvalidArgument(tokenizer_path + ": token \"" + token + "\" has id " +
                                     std::to_string(id) + " but " + model_path + " has only " +
                                     std::to_string(rows) + " " + what);
    }
    if (!weights_.empty() && index >= weights_.size()) {
      return Status::InvalidArgument(tokenizer_path + ": token \"" + token + "\" has id " +
                                     std::to_string(id) + " but " + model_path + " has only " +
                                     std::to_string(weights_.size()) + " \"weights\"");
    }
  }
  return Status::Ok();
}

size_t StaticEmbedder::Row(int32_t id) const {
  const auto index = static_cast<size_t>(id);
  return mapping_.empty() ? index : static_cast<size_t>(mapping_[index]);
}

Result<std::vector<int32_t>> StaticEmbedder::TokenIds(std::string_view text) const {
  LH_ASSIGN_OR_RETURN(std::vector<int32_t> ids, tokenizer_.Encode(FirstChars(text, max_chars_)));
  if (const auto unk = tokenizer_.unk_id()) std::erase(ids, *unk);
  if (ids.size() > kMaxTokens) ids.resize(kMaxTokens);
  return ids;
}

Result<std::vector<float>> StaticEmbedder::EmbedOne(std::string_view text) const {
  LH_ASSIGN_OR_RETURN(std::vector<int32_t> ids, TokenIds(text));
  const size_t dim = embeddings_.cols;
  // Float sums, as model2vec's numpy mean of float32 rows: at most kMaxTokens terms.
  std::vector<float> out(dim, 0.0f);
  for (int32_t id : ids) {
    const float weight = weights_.empty() ? 1.0f : weights_[static_cast<size_t>(id)];
    const float* row = embeddings_.Row(Row(id));
    for (size_t i = 0; i < dim; ++i) out[i] += weight * row[i];
  }
  if (ids.empty()) return out;
  double norm = 0;
  for (float& x : out) {
    x /= static_cast<float>(ids.size());
    norm += static_cast<double>(x) * x;
  }
  // model2vec divides by the norm plus 1e-32, so a zero mean stays zero.
  const auto scale = static_cast<float>(normalize_ ? 1.0 / (std::sqrt(norm) + 1e-32) : 1.0);
  for (float& x : out) x *= scale;
  return out;
}

Result<std::vector<std::vector<float>>> StaticEmbedder::Embed(std::span<const std::string> texts) {
  std::vector<std::vector<float>> out;
  out.reserve(texts.size());
  for (const std::string& text : texts) {
    LH_ASSIGN_OR_RETURN(std::vector<float> vector, EmbedOne(text));
    out.push_back(std::move(vector));
  }
  return out;
}

}  // namespace lakehouse::embed
