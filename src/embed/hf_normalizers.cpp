// Builds tokenizer.json's normalizers as functions over code points.
#include "embed/hf_normalizers.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "embed/hf_split.h"
#include "embed/hf_unicode.h"

namespace lakehouse::embed::hf {
namespace {

using nlohmann::json;

std::u32string Lowercase(std::u32string text) {
  for (char32_t& c : text) c = ToLower(c);
  return text;
}

std::u32string StripAccents(std::u32string text) {
  std::erase_if(text, IsMarkNonspacing);
  return text;
}

// BERT's cleaning: drop NUL, U+FFFD and control characters, and make all whitespace a space.
std::u32string CleanText(const std::u32string& text) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    const bool tab_or_newline = c == '\t' || c == '\n' || c == '\r';
    if (c == 0 || c == 0xFFFD || (!tab_or_newline && IsOther(c))) continue;
    out.push_back(IsWhitespace(c) ? U' ' : c);
  }
  return out;
}

std::u32string PadChineseChars(const std::u32string& text) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    if (IsChineseChar(c)) {
      out += U' ';
      out += c;
      out += U' ';
    } else {
      out += c;
    }
  }
  return out;
}

Normalizer Bert(const json& spec) {
  const bool clean = spec.value("clean_text", true);
  const bool chinese = spec.value("handle_chinese_chars", true);
  const bool lowercase = spec.value("lowercase", true);
  // strip_accents null follows lowercase, as in BERT's uncased models.
  const json& strip = spec.contains("strip_accents") ? spec["strip_accents"] : json();
  const bool strip_accents = strip.is_null() ? lowercase : strip.get<bool>();
  return [=](std::u32string text) {
    if (clean) text = CleanText(text);
    if (chinese) text = PadChineseChars(text);
    if (strip_accents) text = StripAccents(Normalize(text, NormalForm::kNfd));
    if (lowercase) text = Lowercase(std::move(text));
    return text;
  };
}

Normalizer Strip(const json& spec) {
  const bool left = spec.value("strip_left", true);
  const bool right = spec.value("strip_right", true);
  return [=](std::u32string text) {
    size_t begin = 0;
    size_t end = text.size();
    while (left && begin < end && IsWhitespace(text[begin])) ++begin;
    while (right && end > begin && IsWhitespace(text[end - 1])) --end;
    return text.substr(begin, end - begin);
  };
}

Result<Normalizer> Replace(const json& spec) {
  const json& pattern = spec.at("pattern");
  if (!pattern.contains("String")) {
    return Status::InvalidArgument(
        "normalizer Replace with a Regex pattern is not supported (only a String pattern)");
  }
  const std::u32string from = DecodeUtf8(pattern["String"].get<std::string>());
  const std::u32string to = DecodeUtf8(spec.at("content").get<std::string>());
  return Normalizer([=](const std::u32string& text) {
    std::u32string out;
    size_t at = 0;
    for (const Span& match : StringMatches(text, from)) {
      out.append(text, at, match.begin - at);
      out += to;
      at = match.end;
    }
    out.append(text, at);
    return out;
  });
}

Normalizer Prepend(const json& spec) {
  const std::u32string prefix = DecodeUtf8(spec.at("prepend").get<std::string>());
  return [=](const std::u32string& text) { return text.empty() ? text : prefix + text; };
}

Normalizer Form(NormalForm form) {
  return [form](const std::u32string& text) { return Normalize(text, form); };
}

Result<Normalizer> MakeSequence(const json& spec) {
  std::vector<Normalizer> steps;
  for (const json& step : spec.at("normalizers")) {
    LH_ASSIGN_OR_RETURN(Normalizer normalizer, MakeNormalizer(step));
    steps.push_back(std::move(normalizer));
  }
  return Normalizer([steps = std::move(steps)](std::u32string text) {
    for (const Normalizer& step : steps) text = step(std::move(text));
    return text;
  });
}

}  // namespace

Result<Normalizer> MakeNormalizer(const json& spec) {
  if (spec.is_null()) return Normalizer([](std::u32string text) { return text; });
  const std::string type = spec.at("type").get<std::string>();
  if (type == "BertNormalizer") return Bert(spec);
  if (type == "Lowercase") return Normalizer(Lowercase);
  if (type == "StripAccents") return Normalizer(StripAccents);
  if (type == "NFC") return Form(NormalForm::kNfc);
  if (type == "NFD") return Form(NormalForm::kNfd);
  if (type == "NFKC" || type == "Precompiled") return Form(NormalForm::kNfkc);
  if (type == "NFKD") return Form(NormalForm::kNfkd);
  if (type == "Strip") return Strip(spec);
  if (type == "Replace") return Replace(spec);
  if (type == "Prepend") return Prepend(spec);
  if (type == "Sequence") return MakeSequence(spec);
  return Status::InvalidArgument("normalizer type \"" + type + "\" is not supported");
}

}  // namespace lakehouse::embed::hf
