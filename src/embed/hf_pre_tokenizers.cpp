// Builds tokenizer.json's pre-tokenizers as functions that cut pieces into words.
#include "embed/hf_pre_tokenizers.h"

#include <utility>
#include <vector>

#include "embed/hf_byte_level.h"
#include "embed/hf_unicode.h"

namespace lakehouse::embed::hf {
namespace {

using nlohmann::json;

// A pre-tokenizer that cuts each piece on its own; `first` is true for a text's first piece.
using PieceSplitter = std::function<Pieces(const std::u32string& piece, bool first)>;

PreTokenizer EachPiece(PieceSplitter split) {
  return [split = std::move(split)](const Pieces& pieces, bool at_text_start) {
    Pieces out;
    for (size_t i = 0; i < pieces.size(); ++i) {
      for (std::u32string& word : split(pieces[i], at_text_start && i == 0)) {
        out.push_back(std::move(word));
      }
    }
    return out;
  };
}

PreTokenizer CharSplit(bool (*matches)(char32_t), SplitBehavior behavior) {
  return EachPiece([=](const std::u32string& piece, bool) {
    return SplitAt(piece, CharMatches(piece, matches), behavior);
  });
}

PreTokenizer Bert() {
  PreTokenizer on_spaces = CharSplit(IsWhitespace, SplitBehavior::kRemoved);
  PreTokenizer on_punctuation = CharSplit(IsPunctuation, SplitBehavior::kIsolated);
  return [=](const Pieces& pieces, bool at_text_start) {
    return on_punctuation(on_spaces(pieces, at_text_start), at_text_start);
  };
}

// \w+|[^\w\s]+ kept, whitespace dropped.
Pieces WordsAndSymbols(const std::u32string& piece) {
  Pieces out;
  size_t at = 0;
  while (at < piece.size()) {
    if (IsWhitespace(piece[at])) {
      ++at;
      continue;
    }
    const bool word = IsWordChar(piece[at]);
    size_t end = at;
    while (end < piece.size() && !IsWhitespace(piece[end]) && IsWordChar(piece[end]) == word) {
      ++end;
    }
    out.push_back(piece.substr(at, end - at));
    at = end;
  }
  return out;
}

Result<PreTokenizer> Punctuation(const json& spec) {
  LH_ASSIGN_OR_RETURN(SplitBehavior behavior,
                      ParseSplitBehavior(spec.value("behavior", std::string("Isolated"))));
  return CharSplit(IsPunctuation, behavior);
}

Result<PreTokenizer> CharDelimiter(const json& spec) {
  const std::u32string delimiter = DecodeUtf8(spec.at("delimiter").get<std::string>());
  if (delimiter.size() != 1) {
    return Status::InvalidArgument("pre_tokenizer CharDelimiterSplit needs one character");
  }
  return EachPiece([c = delimiter[0]](const std::u32string& piece, bool) {
    return SplitAt(piece, StringMatches(piece, std::u32string(1, c)), SplitBehavior::kRemoved);
  });
}

enum class Prepend { kAlways, kFirst, kNever };

Result<Prepend> MetaspacePrepend(const json& spec) {
  if (spec.contains("add_prefix_space") && spec["add_prefix_space"].is_boolean() &&
      !spec.contains("prepend_scheme")) {
    return spec["add_prefix_space"].get<bool>() ? Prepend::kAlways : Prepend::kNever;
  }
  const std::string scheme = spec.value("prepend_scheme", std::string("always"));
  if (scheme == "always") return Prepend::kAlways;
  if (scheme == "first") return Prepend::kFirst;
  if (scheme == "never") return Prepend::kNever;
  return Status::InvalidArgument("pre_tokenizer Metaspace prepend_scheme \"" + scheme +
                                 "\" is not supported");
}

Result<PreTokenizer> Metaspace(const json& spec) {
  const std::u32string replacement = DecodeUtf8(spec.value("replacement", std::string("\u2581")));
  if (replacement.size() != 1) {
    return Status::InvalidArgument("pre_tokenizer Metaspace needs a one-character replacement");
  }
  LH_ASSIGN_OR_RETURN(Prepend prepend, MetaspacePrepend(spec));
  const bool split = spec.value("split", true);
  const char32_t mark = replacement[0];
  return EachPiece([=](std::u32string piece, bool first) {
    for (char32_t& c : piece) c = c == U' ' ? mark : c;
    const bool wanted = prepend == Prepend::kAlways || (prepend == Prepend::kFirst && first);
    if (wanted && !piece.empty() && piece[0] != mark) piece.insert(piece.begin(), mark);
    if (!split) return Pieces{piece};
    return SplitAt(piece, StringMatches(piece, replacement), SplitBehavior::kMergedWithNext);
  });
}

PreTokenizer ByteLevel(const json& spec) {
  const bool prefix_space = spec.value("add_prefix_space", true);
  const bool use_regex = spec.value("use_regex", true);
  return EachPiece([=](std::u32string piece, bool) {
    if (prefix_space && !piece.empty() && piece[0] != U' ') piece.insert(piece.begin(), U' ');
    Pieces words = use_regex ? SplitAt(piece, ByteLevelMatches(piece), SplitBehavior::kIsolated)
                             : Pieces{piece};
    for (std::u32string& word : words) word = BytesToChars(word);
    return words;
  });
}

PreTokenizer Digits(const json& spec) {
  return CharSplit(IsNumeric, spec.value("individual_digits", false) ? SplitBehavior::kIsolated
                                                                     : SplitBehavior::kContiguous);
}

Result<PreTokenizer> Split(const json& spec) {
  const json& pattern = spec.at("pattern");
  if (!pattern.contains("String")) {
    return Status::InvalidArgument(
        "pre_tokenizer Split with a Regex pattern is not supported (only a String pattern)");
  }
  const std::u32string text = DecodeUtf8(pattern["String"].get<std::string>());
  LH_ASSIGN_OR_RETURN(SplitBehavior behavior,
                      ParseSplitBehavior(spec.at("behavior").get<std::string>()));
  const bool invert = spec.value("invert", false);
  return EachPiece([=](const std::u32string& piece, bool) {
    return SplitAt(piece, StringMatches(piece, text), behavior, invert);
  });
}

Result<PreTokenizer> Sequence(const json& spec) {
  std::vector<PreTokenizer> steps;
  for (const json& step : spec.at("pretokenizers")) {
    LH_ASSIGN_OR_RETURN(PreTokenizer pre_tokenizer, MakePreTokenizer(step));
    steps.push_back(std::move(pre_tokenizer));
  }
  return PreTokenizer([steps = std::move(steps)](const Pieces& pieces, bool at_text_start) {
    Pieces out = pieces;
    for (const PreTokenizer& step : steps) out = step(out, at_text_start);
    return out;
  });
}

}  // namespace

Result<PreTokenizer> MakePreTokenizer(const json& spec) {
  if (spec.is_null()) return PreTokenizer([](const Pieces& pieces, bool) { return pieces; });
  const std::string type = spec.at("type").get<std::string>();
  if (type == "BertPreTokenizer") return Bert();
  if (type == "Whitespace") {
    return EachPiece([](const std::u32string& piece, bool) { return WordsAndSymbols(piece); });
  }
  if (type == "WhitespaceSplit") return CharSplit(IsWhitespace, SplitBehavior::kRemoved);
  if (type == "Punctuation") return Punctuation(spec);
  if (type == "CharDelimiterSplit") return CharDelimiter(spec);
  if (type == "Metaspace") return Metaspace(spec);
  if (type == "ByteLevel") return ByteLevel(spec);
  if (type == "Digits") return Digits(spec);
  if (type == "Split") return Split(spec);
  if (type == "Sequence") return Sequence(spec);
  return Status::InvalidArgument("pre_tokenizer type \"" + type + "\" is not supported");
}

}  // namespace lakehouse::embed::hf
