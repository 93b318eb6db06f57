// CheckEntries: a saved image's id table against the live elements of its graph.
#include "vector/index_image_check.h"

#include <cmath>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace lakehouse::vector {

// Checks an image's item table against its graph: every live element has
// exactly one entry and every entry a live element, ids and labels unique.
// Labels are unique among deleted elements too (they are never reused), and
// hnswlib's label table would otherwise point at whichever came last.
Status CheckEntries(const IndexImage& image, const hnsw_format::GraphFacts& graph) {
  struct Slot {
    bool deleted;
    bool claimed = false;
  };
  std::unordered_map<uint64_t, Slot> by_label;
  size_t live = 0;
  for (size_t i = 0; i < graph.elements.size(); ++i) {
    const auto& element = graph.elements[i];
    if (element.label >= image.next_label) {
      return Status::Unprocessable("graph element " + std::to_string(i) + " has label " +
                                   std::to_string(element.label) + " beyond next_label");
    }
    if (!by_label.emplace(element.label, Slot{element.deleted}).second) {
      return Status::Unprocessable("graph label " + std::to_string(element.label) +
                                   " appears twice");
    }
    if (!element.deleted) ++live;
  }
  if (live != image.entries.size()) {
    return Status::Unprocessable("the graph has " + std::to_string(live) +
                                 " live elements but there are " +
                                 std::to_string(image.entries.size()) + " ids");
  }
  std::unordered_set<std::string_view> ids;
  for (size_t i = 0; i < image.entries.size(); ++i) {
    const auto& entry = image.entries[i];
    const std::string where = "entry " + std::to_string(i);
    if (entry.id.empty() || entry.id.size() > kMaxIdBytes) {
      return Status::Unprocessable(where + ": bad id");
    }
    if (!ids.insert(entry.id).second) return Status::Unprocessable(where + ": id repeated");
    auto it = by_label.find(entry.label);
    if (it == by_label.end() || it->second.deleted || it->second.claimed) {
      return Status::Unprocessable(where + ": label is not one live graph element");
    }
    it->second.claimed = true;
    if (!std::isfinite(entry.norm) || entry.norm <= 0) {
      return Status::Unprocessable(where + ": norm must be a positive number");
    }
    if (!entry.metadata.is_object())
      return Status::Unprocessable(where + ": metadata not an object");
  }
  return Status::Ok();
}
}  // namespace lakehouse::vector
