// Tokenize: UTF-8 repair, utf8proc normalisation, the term rules and Snowball stemming.
#include "text/tokenizer.h"

#include <libstemmer.h>
#include <utf8proc.h>

#include <cstdlib>
#include <memory>
#include <new>

namespace lakehouse::text {
namespace {

using CodePoints = std::vector<utf8proc_int32_t>;

constexpr utf8proc_int32_t kReplacement = 0xFFFD;

// Invalid sequences become U+FFFD one byte at a time, so utf8proc_map below
// never meets input it refuses.
std::string RepairUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_uint8_t encoded[4];
  size_t at = 0;
  while (at < text.size()) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t used =
        utf8proc_iterate(bytes + at, static_cast<utf8proc_ssize_t>(text.size() - at), &cp);
    if (used < 1) {
      cp = kReplacement;
      used = 1;
    }
    utf8proc_ssize_t n = utf8proc_encode_char(cp, encoded);
    out.append(reinterpret_cast<const char*>(encoded), static_cast<size_t>(n));
    at += static_cast<size_t>(used);
  }
  return out;
}

// NFKC, case folded, marks stripped, ignorables removed, punctuation lumped.
CodePoints Normalize(std::string_view text) {
  const std::string valid = RepairUtf8(text);
  utf8proc_uint8_t* mapped = nullptr;
  const auto options = static_cast<utf8proc_option_t>(
      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
      UTF8PROC_STRIPMARK | UTF8PROC_IGNORE | UTF8PROC_LUMP);
  utf8proc_ssize_t length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(valid.data()),
                   static_cast<utf8proc_ssize_t>(valid.size()), &mapped, options);
  // The input was repaired above, so only memory can run out here.
  if (length < 0) throw std::bad_alloc();
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(mapped, &std::free);
  CodePoints out;
  out.reserve(static_cast<size_t>(length));
  utf8proc_ssize_t at = 0;
  while (at < length) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t used = utf8proc_iterate(mapped + at, length - at, &cp);
    if (used < 1) throw std::bad_alloc();  // utf8proc's own output is valid UTF-8
    out.push_back(cp);
    at += used;
  }
  return out;
}

bool IsLetter(utf8proc_int32_t cp) {
  const auto category = utf8proc_category(cp);
  return category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO;
}

bool IsAlnum(utf8proc_int32_t cp) {
  const auto category = utf8proc_category(cp);
  return IsLetter(cp) || (category >= UTF8PROC_CATEGORY_ND && category <= UTF8PROC_CATEGORY_NO);
}

// Marks that STRIPMARK keeps (spacing marks of Indic scripts) belong to the word.
bool IsWordPart(utf8proc_int32_t cp) {
  const auto category = utf8proc_category(cp);
  return IsAlnum(cp) || (category >= UTF8PROC_CATEGORY_MN && category <= UTF8PROC_CATEGORY_ME);
}

bool StartsTerm(const CodePoints& cps, size_t i) {
  if (IsAlnum(cps[i])) return true;
  return cps[i] == '.' && i + 1 < cps.size() && IsLetter(cps[i + 1]) &&
         (i == 0 || !IsWordPart(cps[i - 1]));
}

// Where the term starting at `start` ends (one past its last code point).
size_t EndOfTerm(const CodePoints& cps, size_t start) {
  size_t end = start + 1;
  while (end < cps.size()) {
    if (IsWordPart(cps[end])) {
      ++end;
    } else if ((cps[end] == '-' || cps[end] == '.') && end + 1 < cps.size() &&
               IsAlnum(cps[end + 1]) && IsWordPart(cps[end - 1])) {
      end += 2;
    } else {
      break;
    }
  }
  if (end == cps.size() || !IsLetter(cps[end - 1])) return end;
  size_t with_symbols = end;
  if (cps[end] == '#') {
    with_symbols = end + 1;
  } else if (cps[end] == '+') {
    with_symbols = end + 1;
    if (with_symbols < cps.size() && cps[with_symbols] == '+') ++with_symbols;
  }
  // "a+b" is arithmetic, not a language name: symbols count only at a term's end.
  if (with_symbols < cps.size() && IsAlnum(cps[with_symbols])) return end;
  return with_symbols;
}

std::string Encode(const CodePoints& cps, size_t from, size_t to) {
  std::string out;
  utf8proc_uint8_t encoded[4];
  for (size_t i = from; i < to; ++i) {
    utf8proc_ssize_t n = utf8proc_encode_char(cps[i], encoded);
    out.append(reinterpret_cast<const char*>(encoded), static_cast<size_t>(n));
  }
  return out;
}

struct StemmerDelete {
  void operator()(sb_stemmer* stemmer) const { sb_stemmer_delete(stemmer); }
};

// Snowball stemmers keep per-call state, so each thread owns one.
std::string StemEnglish(const std::string& term) {
  thread_local std::unique_ptr<sb_stemmer, StemmerDelete> stemmer(
      sb_stemmer_new("english", "UTF_8"));
  if (!stemmer) throw std::bad_alloc();
  const sb_symbol* stem =
      sb_stemmer_stem(stemmer.get(), reinterpret_cast<const sb_symbol*>(term.data()),
                      static_cast<int>(term.size()));
  if (stem == nullptr) throw std::bad_alloc();
  return {reinterpret_cast<const char*>(stem),
          static_cast<size_t>(sb_stemmer_length(stemmer.get()))};
}

bool HasSymbol(std::string_view term) {
  return term.find_first_of("+#.-") != std::string_view::npos;
}

void Emit(std::string term, Stemming stemming, std::vector<std::string>& out) {
  if (term.size() > kMaxTermBytes) return;
  if (stemming != Stemming::kEnglish || HasSymbol(term)) {
    out.push_back(std::move(term));
    return;
  }
  std::string stem = StemEnglish(term);
  if (stem == term) {
    out.push_back(std::move(term));
    return;
  }
  out.push_back(std::move(stem));
  out.push_back(kExactFormMark + term);
}

void EmitWithParts(std::string term, Stemming stemming, std::vector<std::string>& out) {
  if (term.find('-') == std::string::npos) {
    Emit(std::move(term), stemming, out);
    return;
  }
  std::vector<std::string> parts;
  size_t from = 0;
  for (size_t dash = term.find('-'); dash != std::string::npos; dash = term.find('-', from)) {
    parts.push_back(term.substr(from, dash - from));
    from = dash + 1;
  }
  parts.push_back(term.substr(from));
  Emit(std::move(term), stemming, out);
  for (auto& part : parts) Emit(std::move(part), stemming, out);
}

}  // namespace

std::optional<size_t> InvalidUtf8At(std::string_view text) {
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  size_t at = 0;
  while (at < text.size()) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t used =
        utf8proc_iterate(bytes + at, static_cast<utf8proc_ssize_t>(text.size() - at), &cp);
    if (used < 1) return at;
    at += static_cast<size_t>(used);
  }
  return std::nullopt;
}

std::string_view StemmingName(Stemming stemming) {
  return stemming == Stemming::kEnglish ? "english" : "none";
}

Result<Stemming> ParseStemming(std::string_view name) {
  if (name == "english") return Stemming::kEnglish;
  if (name == "none") return Stemming::kNone;
  return Status::InvalidArgument("stemming must be \"english\" or \"none\", not \"" +
                                 std::string(name) + "\"");
}

std::vector<std::string> Tokenize(std::string_view text, Stemming stemming) {
  const CodePoints cps = Normalize(text);
  std::vector<std::string> out;
  size_t i = 0;
  while (i < cps.size()) {
    if (!StartsTerm(cps, i)) {
      ++i;
      continue;
    }
    const size_t end = EndOfTerm(cps, i);
    EmitWithParts(Encode(cps, i, end), stemming, out);
    i = end;
  }
  return out;
}

}  // namespace lakehouse::text
