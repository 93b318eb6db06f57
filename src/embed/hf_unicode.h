// Unicode helpers of the Hugging Face tokenizer: UTF-8 <-> code points, the character classes
// that tokenizers' Rust code asks of `char`, and normal forms, all through utf8proc.
//
// Texts are handled as std::u32string of code points. Invalid UTF-8 in an input becomes U+FFFD
// (what Python or Rust would have refused before tokenizing), so a bad byte never aborts a batch.
// Every function is pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace lakehouse::embed::hf {

std::u32string DecodeUtf8(std::string_view text);
std::string EncodeUtf8(std::u32string_view text);
void AppendUtf8(char32_t c, std::string& out);

// Rust's char::is_whitespace: the White_Space property.
bool IsWhitespace(char32_t c);
// char::is_ascii_punctuation() || the general categories P*: what BERT and Punctuation split on.
bool IsPunctuation(char32_t c);
bool IsLetter(char32_t c);   // L*
bool IsNumeric(char32_t c);  // Nd, Nl, No: Rust's char::is_numeric
// The regex class \w of tokenizers' Whitespace pre-tokenizer: letters, marks, decimal digits and
// connector punctuation.
bool IsWordChar(char32_t c);
// The unicode_categories "is_other" test: Cc, Cf, Cn, Co, Cs.
bool IsOther(char32_t c);
bool IsMarkNonspacing(char32_t c);  // Mn
// BERT's "Chinese character": the CJK Unified Ideograph blocks.
bool IsChineseChar(char32_t c);
char32_t ToLower(char32_t c);

enum class NormalForm { kNfc, kNfd, kNfkc, kNfkd };
std::u32string Normalize(const std::u32string& text, NormalForm form);

}  // namespace lakehouse::embed::hf
