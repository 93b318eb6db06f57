// UTF-8 decoding, character classes and normal forms for the Hugging Face tokenizer, via utf8proc.
#include "embed/hf_unicode.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace lakehouse::embed::hf {
namespace {

utf8proc_category_t Category(char32_t c) {
  return utf8proc_category(static_cast<utf8proc_int32_t>(c));
}

bool InRange(char32_t c, char32_t low, char32_t high) { return c >= low && c <= high; }

// Most text is ASCII; answering its classes here spares a utf8proc table lookup per character.
bool IsAscii(char32_t c) { return c < 0x80; }
bool IsAsciiLetter(char32_t c) { return InRange(c, 'a', 'z') || InRange(c, 'A', 'Z'); }
bool IsAsciiDigit(char32_t c) { return InRange(c, '0', '9'); }

}  // namespace

std::u32string DecodeUtf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  auto left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t c = 0;
    utf8proc_ssize_t used = utf8proc_iterate(bytes, left, &c);
    if (used <= 0) {
      c = 0xFFFD;
      used = 1;
    }
    out.push_back(static_cast<char32_t>(c));
    bytes += used;
    left -= used;
  }
  return out;
}

void AppendUtf8(char32_t c, std::string& out) {
  utf8proc_uint8_t buffer[4];
  utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), buffer);
  out.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
}

std::string EncodeUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) AppendUtf8(c, out);
  return out;
}

bool IsWhitespace(char32_t c) {
  if (InRange(c, 0x09, 0x0D) || c == 0x85 || c == ' ') return true;
  if (IsAscii(c)) return false;
  utf8proc_category_t category = Category(c);
  return category == UTF8PROC_CATEGORY_ZS || category == UTF8PROC_CATEGORY_ZL ||
         category == UTF8PROC_CATEGORY_ZP;
}

bool IsPunctuation(char32_t c) {
  if (InRange(c, 0x21, 0x2F) || InRange(c, 0x3A, 0x40) || InRange(c, 0x5B, 0x60) ||
      InRange(c, 0x7B, 0x7E)) {
    return true;
  }
  if (IsAscii(c)) return false;
  utf8proc_category_t category = Category(c);
  return category >= UTF8PROC_CATEGORY_PC && category <= UTF8PROC_CATEGORY_PO;
}

bool IsLetter(char32_t c) {
  if (IsAscii(c)) return IsAsciiLetter(c);
  utf8proc_category_t category = Category(c);
  return category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO;
}

bool IsNumeric(char32_t c) {
  if (IsAscii(c)) return IsAsciiDigit(c);
  utf8proc_category_t category = Category(c);
  return category >= UTF8PROC_CATEGORY_ND && category <= UTF8PROC_CATEGORY_NO;
}

bool IsWordChar(char32_t c) {
  if (IsAscii(c)) return IsAsciiLetter(c) || IsAsciiDigit(c) || c == '_';
  utf8proc_category_t category = Category(c);
  return (category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_ME) ||
         category == UTF8PROC_CATEGORY_ND || category == UTF8PROC_CATEGORY_PC;
}

bool IsOther(char32_t c) {
  if (IsAscii(c)) return c < 0x20 || c == 0x7F;
  utf8proc_category_t category = Category(c);
  return category == UTF8PROC_CATEGORY_CN || category == UTF8PROC_CATEGORY_CC ||
         category == UTF8PROC_CATEGORY_CF || category == UTF8PROC_CATEGORY_CS ||
         category == UTF8PROC_CATEGORY_CO;
}

bool IsMarkNonspacing(char32_t c) { return !IsAscii(c) && Category(c) == UTF8PROC_CATEGORY_MN; }

bool IsChineseChar(char32_t c) {
  return InRange(c, 0x4E00, 0x9FFF) || InRange(c, 0x3400, 0x4DBF) || InRange(c, 0x20000, 0x2A6DF) ||
         InRange(c, 0x2A700, 0x2B73F) || InRange(c, 0x2B740, 0x2B81F) ||
         InRange(c, 0x2B920, 0x2CEAF) || InRange(c, 0xF900, 0xFAFF) || InRange(c, 0x2F800, 0x2FA1F);
}

char32_t ToLower(char32_t c) {
  if (IsAscii(c)) return InRange(c, 'A', 'Z') ? c + ('a' - 'A') : c;
  return static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
}

std::u32string Normalize(const std::u32string& text, NormalForm form) {
  // ASCII is the same in every normal form.
  if (std::all_of(text.begin(), text.end(), IsAscii)) return text;
  int options = UTF8PROC_STABLE;
  switch (form) {
    case NormalForm::kNfc:
      options |= UTF8PROC_COMPOSE;
      break;
    case NormalForm::kNfd:
      options |= UTF8PROC_DECOMPOSE;
      break;
    case NormalForm::kNfkc:
      options |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
      break;
    case NormalForm::kNfkd:
      options |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT;
      break;
  }
  const std::string utf8 = EncodeUtf8(text);
  utf8proc_uint8_t* mapped = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()),
                                    static_cast<utf8proc_ssize_t>(utf8.size()), &mapped,
                                    static_cast<utf8proc_option_t>(options));
  // Our own encoding is valid UTF-8, so utf8proc fails only for want of memory; the text is
  // then left as it was rather than dropped.
  if (n < 0) return text;
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(mapped, &std::free);
  return DecodeUtf8(
      std::string_view(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n)));
}

}  // namespace lakehouse::embed::hf
