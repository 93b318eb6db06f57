// Inspect: walks hnswlib's graph bytes, checking header, layout, link lists and levels.
#include "vector/hnsw_format.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace lakehouse::vector::hnsw_format {
namespace {

// hnswlib's graph header, field by field as saveIndex writes them on x86-64.
struct Header {
  uint64_t offset_level0;
  uint64_t max_elements;
  uint64_t element_count;
  uint64_t size_data_per_element;
  uint64_t label_offset;
  uint64_t offset_data;
  int32_t max_level;
  uint32_t entry_point;
  uint64_t max_m;
  uint64_t max_m0;
  uint64_t m;
  double mult;
  uint64_t ef_construction;
};

// Sequential little-endian reads that fail instead of running off the end.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  template <typename T>
  bool Read(T* out) {
    if (bytes_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(out, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  // A view of the next `n` bytes.
  bool Take(uint64_t n, std::string_view* out) {
    if (bytes_.size() - pos_ < n) return false;
    *out = bytes_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  size_t remaining() const { return bytes_.size() - pos_; }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

Status Bad(const std::string& why) { return Status::Unprocessable("graph bytes: " + why); }

uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// One link list: a count (low 16 bits of the first word) then the ids.
Status CheckLinks(const char* list, uint64_t capacity, uint64_t element_count, uint64_t element,
                  int level) {
  uint32_t count = Load32(list) & 0xffff;
  if (count > capacity) {
    return Bad("element " + std::to_string(element) + " has " + std::to_string(count) +
               " links at level " + std::to_string(level) + "; at most " +
               std::to_string(capacity) + " fit");
  }
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t neighbour = Load32(list + 4 + 4 * i);
    if (neighbour >= element_count) {
      return Bad("element " + std::to_string(element) + " links to " + std::to_string(neighbour) +
                 " of " + std::to_string(element_count));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<GraphFacts> Inspect(std::string_view bytes, uint32_t dim, uint32_t m,
                           uint32_t ef_construction) {
  Reader in(bytes);
  Header h{};
  bool header_ok = in.Read(&h.offset_level0) && in.Read(&h.max_elements) &&
                   in.Read(&h.element_count) && in.Read(&h.size_data_per_element) &&
                   in.Read(&h.label_offset) && in.Read(&h.offset_data) && in.Read(&h.max_level) &&
                   in.Read(&h.entry_point) && in.Read(&h.max_m) && in.Read(&h.max_m0) &&
                   in.Read(&h.m) && in.Read(&h.mult) && in.Read(&h.ef_construction);
  if (!header_ok) return Bad("shorter than the graph header");

  // Every layout field follows from dim and M; anything else is damage.
  const uint64_t links0 = 2ull * m * 4 + 4;
  const uint64_t links_upper = uint64_t{m} * 4 + 4;
  const uint64_t data_size = uint64_t{dim} * 4;
  if (h.m != m || h.max_m != m || h.max_m0 != 2ull * m) return Bad("M does not match the index");
  // Later inserts draw levels with mult and search with ef_construction: a
  // damaged value there would surface only then, as a huge allocation.
  const double mult = 1 / std::log(static_cast<double>(m));
  if (!(std::fabs(h.mult - mult) <= 1e-12 * mult)) return Bad("level multiplier does not match M");
  if (h.ef_construction != std::max<uint64_t>(ef_construction, m)) {
    return Bad("ef_construction does not match the index");
  }
  if (h.offset_level0 != 0 || h.offset_data != links0 || h.label_offset != links0 + data_size ||
      h.size_data_per_element != links0 + data_size + 8) {
    return Bad("element layout does not match dimension " + std::to_string(dim));
  }
  if (h.element_count > h.max_elements) return Bad("more elements than capacity");
  if (h.element_count > in.remaining() / h.size_data_per_element) {
    return Bad("claims " + std::to_string(h.element_count) + " elements; the bytes hold fewer");
  }
  if (h.element_count == 0) {
    if (in.remaining() != 0) return Bad("bytes after an empty graph");
    return GraphFacts{};
  }
  if (h.entry_point >= h.element_count) return Bad("entry point out of range");
  // Levels are drawn as -ln(u)/ln(M); beyond 64 only damage gets there.
  if (h.max_level < 0 || h.max_level > 64) return Bad("top level out of range");

  std::string_view level0;
  in.Take(h.element_count * h.size_data_per_element, &level0);
  GraphFacts facts;
  facts.elements.resize(h.element_count);
  for (uint64_t i = 0; i < h.element_count; ++i) {
    const char* element = level0.data() + i * h.size_data_per_element;
    LH_RETURN_IF_ERROR(CheckLinks(element, 2ull * m, h.element_count, i, 0));
    facts.elements[i].deleted = (static_cast<unsigned char>(element[2]) & 0x01) != 0;
    std::memcpy(&facts.elements[i].label, element + h.label_offset, 8);
  }
  // Upper levels: a link at level L must reach an element that has level L,
  // or a search would read past that element's lists. Levels first, then links.
  std::vector<std::string_view> upper(h.element_count);
  std::vector<uint8_t> levels(h.element_count);
  for (uint64_t i = 0; i < h.element_count; ++i) {
    uint32_t size = 0;
    if (!in.Read(&size)) return Bad("cut short in the link lists of element " + std::to_string(i));
    if (size % links_upper != 0 || size / links_upper > static_cast<uint64_t>(h.max_level)) {
      return Bad("element " + std::to_string(i) + " has a bad upper link list size");
    }
    if (!in.Take(size, &upper[i])) return Bad("cut short in element " + std::to_string(i));
    levels[i] = static_cast<uint8_t>(size / links_upper);
  }
  if (levels[h.entry_point] != h.max_level) return Bad("the entry point is not on the top level");
  for (uint64_t i = 0; i < h.element_count; ++i) {
    for (uint64_t level = 1; level <= levels[i]; ++level) {
      const char* list = upper[i].data() + (level - 1) * links_upper;
      LH_RETURN_IF_ERROR(CheckLinks(list, m, h.element_count, i, static_cast<int>(level)));
      uint32_t count = Load32(list) & 0xffff;
      for (uint32_t n = 0; n < count; ++n) {
        if (levels[Load32(list + 4 + 4 * n)] < level) {
          return Bad("element " + std::to_string(i) + " links at level " + std::to_string(level) +
                     " to an element below it");
        }
      }
    }
  }
  if (in.remaining() != 0) return Bad(std::to_string(in.remaining()) + " bytes after the graph");
  return facts;
}

}  // namespace lakehouse::vector::hnsw_format
