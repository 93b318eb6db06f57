// Loads tokenizer.json into its stages and runs them: added tokens, normalizer, pre-tokenizer,
// model, truncation.
#include "embed/hf_tokenizer.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "embed/hf_unicode.h"

namespace lakehouse::embed {
namespace {

using nlohmann::json;

// A stage's error, prefixed with the file it came from.
Status InFile(const std::string& source, const Status& status) {
  return Status(status.code(), source + ": " + status.message());
}

Status ReadTruncation(const json& spec, std::optional<size_t>& max_length, bool& left) {
  if (spec.is_null()) return Status::Ok();
  const int64_t length = spec.at("max_length").get<int64_t>();
  if (length < 0) return Status::InvalidArgument("truncation max_length must not be negative");
  max_length = static_cast<size_t>(length);
  const std::string direction = spec.value("direction", std::string("Right"));
  if (direction != "Right" && direction != "Left") {
    return Status::InvalidArgument("truncation direction \"" + direction + "\" is not supported");
  }
  left = direction == "Left";
  return Status::Ok();
}

}  // namespace

Result<HfTokenizer> HfTokenizer::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::FromErrno(errno, "cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError("cannot read " + path);
  return FromJson(text.str(), path);
}

Result<HfTokenizer> HfTokenizer::FromJson(std::string_view json_text, const std::string& source) {
  json root = json::parse(json_text, nullptr, false);
  if (root.is_discarded() || !root.is_object()) {
    return Status::InvalidArgument(source + ": not a JSON object");
  }
  HfTokenizer tokenizer;
  // The stages read their options with nlohmann's typed getters, which throw on a value of the
  // wrong type; here, at the boundary, that becomes an error naming the file.
  try {
    auto stage = [&](const char* key) { return root.contains(key) ? root[key] : json(); };
    auto normalizer = hf::MakeNormalizer(stage("normalizer"));
    if (!normalizer.ok()) return InFile(source, normalizer.status());
    auto added = hf::AddedTokens::FromJson(stage("added_tokens"), *normalizer);
    if (!added.ok()) return InFile(source, added.status());
    auto pre_tokenizer = hf::MakePreTokenizer(stage("pre_tokenizer"));
    if (!pre_tokenizer.ok()) return InFile(source, pre_tokenizer.status());
    auto model = hf::MakeModel(stage("model"));
    if (!model.ok()) return InFile(source, model.status());
    Status truncation =
        ReadTruncation(stage("truncation"), tokenizer.max_length_, tokenizer.truncate_left_);
    if (!truncation.ok()) return InFile(source, truncation);
    tokenizer.added_ = std::move(added).value();
    tokenizer.normalizer_ = std::move(normalizer).value();
    tokenizer.pre_tokenizer_ = std::move(pre_tokenizer).value();
    tokenizer.model_ = std::move(model).value();
  } catch (const json::exception& e) {
    return Status::InvalidArgument(source + ": " + e.what());
  }
  return tokenizer;
}

Result<std::vector<int32_t>> HfTokenizer::Encode(std::string_view text) const {
  std::vector<int32_t> ids;
  bool at_text_start = true;
  for (const hf::Segment& raw : added_.Split(hf::DecodeUtf8(text), false)) {
    if (raw.id >= 0) {
      ids.push_back(raw.id);
    } else {
      LH_RETURN_IF_ERROR(EncodeSegment(raw.text, at_text_start, ids));
    }
    at_text_start = false;
  }
  Truncate(ids);
  return ids;
}

Status HfTokenizer::EncodeSegment(const std::u32string& text, bool at_text_start,
                                  std::vector<int32_t>& ids) const {
  for (const hf::Segment& part : added_.Split(normalizer_(text), true)) {
    if (part.id >= 0) {
      ids.push_back(part.id);
    } else {
      LH_RETURN_IF_ERROR(EncodeWords(part.text, at_text_start, ids));
    }
    at_text_start = false;
  }
  return Status::Ok();
}

Status HfTokenizer::EncodeWords(const std::u32string& normalized, bool at_text_start,
                                std::vector<int32_t>& ids) const {
  for (const std::u32string& word : pre_tokenizer_({normalized}, at_text_start)) {
    LH_RETURN_IF_ERROR(model_->Tokenize(hf::EncodeUtf8(word), ids));
  }
  return Status::Ok();
}

void HfTokenizer::Truncate(std::vector<int32_t>& ids) const {
  if (!max_length_ || ids.size() <= *max_length_) return;
  const auto cut = static_cast<std::ptrdiff_t>(ids.size() - *max_length_);
  if (truncate_left_) {
    ids.erase(ids.begin(), ids.begin() + cut);
  } else {
    ids.resize(*max_length_);
  }
}

std::vector<std::pair<std::string, int32_t>> HfTokenizer::Vocabulary() const {
  std::vector<std::pair<std::string, int32_t>> out(model_->vocab().begin(), model_->vocab().end());
  for (const auto& token : added_.tokens())
    out.emplace_back(hf::EncodeUtf8(token.content), token.id);
  return out;
}

}  // namespace lakehouse::embed
