// LHD1 delta objects: framing, checksum and the delta key layout.
#include "vector/lhd1.h"

#include <bit>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/sha256.h"
#include "vector/lhv1.h"

namespace lakehouse::vector::lhd1 {
namespace {

using nlohmann::json;

constexpr size_t kHeadBytes = 16;
constexpr size_t kSumBytes = 64;
constexpr std::string_view kFolder = "_vectors/";

static_assert(std::endian::native == std::endian::little,
              "LHD1 stores float32 little-endian by copying memory");

Status Bad(const std::string& why) { return Status::Unprocessable("LHD1: " + why); }

void PutBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

uint64_t GetBigEndian(std::string_view in, size_t at, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(in[at + i]);
  return value;
}

json HeaderOf(const Delta& delta) {
  json changes = json::array();
  bool texts = false;
  for (const auto& change : delta.changes) {
    json upserts = json::array();
    for (const auto& item : change.upserts) {
      upserts.push_back({{"id", item.id},
                         {"metadata", item.metadata.is_null() ? json::object() : item.metadata}});
      if (item.text) {
        upserts.back()["text"] = *item.text;
        texts = true;
      }
    }
    json one = {{"upserts", std::move(upserts)}, {"removals", change.removals}};
    if (change.source) one["source"] = lhv1::EncodeSource(*change.source);
    changes.push_back(std::move(one));
  }
  // Version 1 readers would drop the texts: a delta holding any is version 2.
  return {{"format_version", texts ? kFormatVersion : 1},
          {"index", delta.index},
          {"seq", delta.seq},
          {"dim", delta.dim},
          {"changes", std::move(changes)}};
}

// Reads the changes of a parsed header, taking each upsert's vector from
// `vectors` in order; `used` counts the floats taken.
Result<std::vector<Change>> ChangesOf(const json& header, uint32_t dim, std::string_view vectors) {
  auto changes = header.find("changes");
  if (changes == header.end() || !changes->is_array()) return Bad("\"changes\" must be an array");
  std::vector<Change> out;
  size_t at = 0;
  const size_t stride = size_t{dim} * sizeof(float);
  for (const auto& one : *changes) {
    Change change;
    auto upserts = one.find("upserts");
    auto removals = one.find("removals");
    if (!one.is_object() || upserts == one.end() || !upserts->is_array() || removals == one.end() ||
        !removals->is_array()) {
      return Bad("a change lacks \"upserts\" or \"removals\"");
    }
    for (const auto& item : *upserts) {
      auto id = item.find("id");
      auto metadata = item.find("metadata");
      if (!item.is_object() || id == item.end() || !id->is_string() || metadata == item.end() ||
          !metadata->is_object()) {
        return Bad("an upsert lacks a string \"id\" or an object \"metadata\"");
      }
      if (vectors.size() - at < stride) return Bad("fewer vectors than upserts");
      std::vector<float> vector(dim);
      std::memcpy(vector.data(), vectors.data() + at, stride);
      at += stride;
      std::optional<std::string> text;
      if (auto t = item.find("text"); t != item.end()) {
        if (!t->is_string()) return Bad("an upsert's \"text\" is not a string");
        text = t->get<std::string>();
      }
      change.upserts.emplace_back(id->get<std::string>(), std::move(vector), *metadata,
                                  std::move(text));
    }
    for (const auto& id : *removals) {
      if (!id.is_string()) return Bad("a removal is not a string");
      change.removals.push_back(id.get<std::string>());
    }
    if (auto source = one.find("source"); source != one.end()) {
      auto decoded = lhv1::DecodeSource(*source);
      if (!decoded.ok()) return Bad(decoded.status().message());
      change.source = std::move(*decoded);
    }
    out.push_back(std::move(change));
  }
  if (at != vectors.size()) return Bad("more vectors than upserts");
  return out;
}

}  // namespace

Result<std::string> Encode(const Delta& delta) {
  std::string header = HeaderOf(delta).dump();
  uint64_t vector_bytes = 0;
  for (const auto& change : delta.changes) {
    vector_bytes += change.upserts.size() * size_t{delta.dim} * sizeof(float);
  }
  std::string out(kMagic);
  out.reserve(kHeadBytes + header.size() + vector_bytes + kSumBytes);
  PutBigEndian(out, header.size(), 4);
  PutBigEndian(out, vector_bytes, 8);
  out += header;
  for (const auto& change : delta.changes) {
    for (const auto& item : change.upserts) {
      out.append(reinterpret_cast<const char*>(item.vector.data()),
                 item.vector.size() * sizeof(float));
    }
  }
  LH_ASSIGN_OR_RETURN(std::string sum, Sha256Hex(out));
  return out + sum;
}

Result<Delta> Decode(std::string_view bytes) {
  if (bytes.size() < kHeadBytes + kSumBytes) return Bad("shorter than its header and checksum");
  if (bytes.substr(0, 4) != kMagic) return Bad("wrong magic");
  const uint64_t h = GetBigEndian(bytes, 4, 4);
  const uint64_t v = GetBigEndian(bytes, 8, 8);
  const uint64_t room = bytes.size() - kHeadBytes - kSumBytes;
  if (h > room || v > room - h || h + v != room) {
    return Bad("lengths " + std::to_string(h) + " + " + std::to_string(v) + " do not match the " +
               std::to_string(bytes.size()) + "-byte object (truncated?)");
  }
  const size_t body = kHeadBytes + h + v;
  LH_ASSIGN_OR_RETURN(std::string sum, Sha256Hex(bytes.substr(0, body)));
  if (sum != bytes.substr(body)) {
    return Bad("checksum mismatch (damaged)");
  }
  json header = json::parse(bytes.substr(kHeadBytes, h), nullptr, /*allow_exceptions=*/false);
  if (!header.is_object()) return Bad("the header is not a JSON object");
  Delta delta;
  try {
    const int version = header.at("format_version").get<int>();
    if (version < 1 || version > kFormatVersion) {
      return Bad("format version is not supported");
    }
    delta.index = header.at("index").get<std::string>();
    delta.seq = header.at("seq").get<uint64_t>();
    delta.dim = header.at("dim").get<uint32_t>();
  } catch (const json::exception& e) {
    return Bad(std::string("header: ") + e.what());
  }
  if (delta.dim == 0) return Bad("dim 0");
  LH_ASSIGN_OR_RETURN(delta.changes, ChangesOf(header, delta.dim, bytes.substr(kHeadBytes + h, v)));
  return delta;
}

std::string DeltaPrefix(std::string_view index) {
  return std::string(kFolder) + std::string(index) + "/";
}

std::string DeltaKey(std::string_view index, uint64_t seq) {
  char digits[21];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(seq));
  return DeltaPrefix(index) + "d/" + digits + std::string(kSuffix);
}

std::optional<uint64_t> ParseDeltaKey(std::string_view index, std::string_view key) {
  std::string prefix = DeltaPrefix(index) + "d/";
  if (!key.starts_with(prefix) || !key.ends_with(kSuffix)) return std::nullopt;
  std::string_view digits = key.substr(prefix.size(), key.size() - prefix.size() - kSuffix.size());
  if (digits.size() != 20) return std::nullopt;
  uint64_t seq = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    seq = seq * 10 + static_cast<uint64_t>(c - '0');
  }
  return seq;
}

}  // namespace lakehouse::vector::lhd1
