// Cutting texts at matches with tokenizers' five delimiter behaviours.
#include "embed/hf_split.h"

#include <algorithm>
#include <utility>

namespace lakehouse::embed::hf {
namespace {

struct Segment {
  Span span;
  bool is_match = false;
};

// The whole text as alternating stretches of delimiter and non-delimiter.
std::vector<Segment> Segments(size_t size, const std::vector<Span>& matches, bool invert) {
  std::vector<Segment> out;
  size_t at = 0;
  for (const Span& match : matches) {
    if (match.begin > at) out.push_back({{at, match.begin}, invert});
    if (match.end > match.begin) out.push_back({match, !invert});
    at = match.end;
  }
  if (at < size) out.push_back({{at, size}, invert});
  return out;
}

// Folds a delimiter into the neighbour before it; run on the reversed list, into the one after.
std::vector<Span> MergeDelimiters(const std::vector<Segment>& segments, bool into_next) {
  std::vector<Span> out;
  bool previous_match = false;
  auto visit = [&](const Segment& segment) {
    if (segment.is_match && !previous_match && !out.empty()) {
      (into_next ? out.back().begin : out.back().end) =
          into_next ? segment.span.begin : segment.span.end;
      previous_match = true;
      return;
    }
    out.push_back(segment.span);
    previous_match = segment.is_match;
  };
  if (into_next) {
    std::for_each(segments.rbegin(), segments.rend(), visit);
    std::reverse(out.begin(), out.end());
  } else {
    std::for_each(segments.begin(), segments.end(), visit);
  }
  return out;
}

std::vector<Span> Arrange(const std::vector<Segment>& segments, SplitBehavior behavior) {
  std::vector<Span> out;
  switch (behavior) {
    case SplitBehavior::kRemoved:
      for (const Segment& s : segments) {
        if (!s.is_match) out.push_back(s.span);
      }
      return out;
    case SplitBehavior::kIsolated:
      for (const Segment& s : segments) out.push_back(s.span);
      return out;
    case SplitBehavior::kMergedWithPrevious:
      return MergeDelimiters(segments, false);
    case SplitBehavior::kMergedWithNext:
      return MergeDelimiters(segments, true);
    case SplitBehavior::kContiguous:
      break;
  }
  bool previous_match = false;
  for (const Segment& s : segments) {
    if (previous_match && s.is_match) {
      out.back().end = s.span.end;
    } else {
      out.push_back(s.span);
    }
    previous_match = s.is_match;
  }
  return out;
}

}  // namespace

Result<SplitBehavior> ParseSplitBehavior(std::string_view name) {
  if (name == "Removed") return SplitBehavior::kRemoved;
  if (name == "Isolated") return SplitBehavior::kIsolated;
  if (name == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (name == "Contiguous") return SplitBehavior::kContiguous;
  return Status::InvalidArgument("split behavior \"" + std::string(name) + "\" is not supported");
}

std::vector<Span> CharMatches(const std::u32string& text, bool (*matches)(char32_t)) {
  std::vector<Span> out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (matches(text[i])) out.push_back({i, i + 1});
  }
  return out;
}

std::vector<Span> StringMatches(const std::u32string& text, const std::u32string& pattern) {
  std::vector<Span> out;
  if (pattern.empty()) return out;
  for (size_t at = text.find(pattern); at != std::u32string::npos;
       at = text.find(pattern, at + pattern.size())) {
    out.push_back({at, at + pattern.size()});
  }
  return out;
}

Pieces SplitAt(const std::u32string& text, const std::vector<Span>& matches, SplitBehavior behavior,
               bool invert) {
  Pieces out;
  for (const Span& span : Arrange(Segments(text.size(), matches, invert), behavior)) {
    if (span.end > span.begin) out.push_back(text.substr(span.begin, span.end - span.begin));
  }
  return out;
}

}  // namespace lakehouse::embed::hf
