// LHV1 encode and decode: magic, envelope length, JSON envelope, graph bytes checked by SHA-256.
#include "vector/lhv1.h"

#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "common/json_depth.h"
#include "common/sha256.h"
#include "text/tokenizer.h"

namespace lakehouse::vector::lhv1 {
namespace {

using nlohmann::json;

constexpr size_t kPrefixBytes = 8;

Status Bad(const std::string& why) { return Status::Unprocessable("LHV1: " + why); }

// Reads `field` of `object` as T, or says which field is wrong.
template <typename T>
Status Field(const json& object, const char* field, T* out) {
  auto it = object.find(field);
  if (it == object.end()) return Bad(std::string("envelope lacks \"") + field + "\"");
  bool fits;
  if constexpr (std::is_same_v<T, std::string>) {
    fits = it->is_string();
  } else if constexpr (std::is_floating_point_v<T>) {
    fits = it->is_number();
  } else {
    fits = it->is_number_unsigned() &&
           it->template get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
  }
  if (!fits) return Bad(std::string("envelope field \"") + field + "\" has the wrong type");
  *out = it->template get<T>();
  return Status::Ok();
}

json EncodeFullTextParams(const text::Bm25Params& p) {
  return {{"k1", p.k1}, {"b", p.b}, {"stemmer", text::StemmingName(p.stemming)}};
}

Result<text::Bm25Params> DecodeFullTextParams(const json& object) {
  if (!object.is_object()) return Bad("\"params.full_text\" must be an object");
  text::Bm25Params p;
  std::string stemmer;
  LH_RETURN_IF_ERROR(Field(object, "k1", &p.k1));
  LH_RETURN_IF_ERROR(Field(object, "b", &p.b));
  LH_RETURN_IF_ERROR(Field(object, "stemmer", &stemmer));
  auto stemming = text::ParseStemming(stemmer);
  if (!stemming.ok()) return Bad(stemming.status().message());
  p.stemming = *stemming;
  return p;
}

Result<IndexParams> DecodeParams(const json& params) {
  if (!params.is_object()) return Bad("\"params\" must be an object");
  IndexParams p;
  std::string metric;
  LH_RETURN_IF_ERROR(Field(params, "name", &p.name));
  LH_RETURN_IF_ERROR(Field(params, "dim", &p.dim));
  LH_RETURN_IF_ERROR(Field(params, "metric", &metric));
  LH_RETURN_IF_ERROR(Field(params, "m", &p.m));
  LH_RETURN_IF_ERROR(Field(params, "ef_construction", &p.ef_construction));
  LH_RETURN_IF_ERROR(Field(params, "ef_search", &p.ef_search));
  if (auto model = params.find("model"); model != params.end()) {
    if (!model->is_string()) return Bad("envelope field \"model\" has the wrong type");
    p.model = model->get<std::string>();
  }
  if (auto full_text = params.find("full_text"); full_text != params.end()) {
    LH_ASSIGN_OR_RETURN(p.full_text, DecodeFullTextParams(*full_text));
  }
  auto parsed = ParseMetric(metric);
  if (!parsed.ok()) return Bad(parsed.status().message());
  p.metric = *parsed;
  if (Status s = ValidateParams(p); !s.ok()) return Bad(s.message());
  return p;
}

}  // namespace

Result<DatasetSource> DecodeSource(const json& source) {
  if (!source.is_object()) return Bad("\"source\" must be an object");
  DatasetSource s;
  LH_RETURN_IF_ERROR(Field(source, "dataset", &s.dataset));
  LH_RETURN_IF_ERROR(Field(source, "version", &s.version));
  LH_RETURN_IF_ERROR(Field(source, "id_column", &s.id_column));
  LH_RETURN_IF_ERROR(Field(source, "text_column", &s.text_column));
  auto columns = source.find("metadata_columns");
  if (columns == source.end() || !columns->is_array()) {
    return Bad("\"source.metadata_columns\" must be an array");
  }
  for (const auto& column : *columns) {
    if (!column.is_string()) return Bad("\"source.metadata_columns\" must hold strings");
    s.metadata_columns.push_back(column.get<std::string>());
  }
  return s;
}

json EncodeSource(const DatasetSource& s) {
  return {{"dataset", s.dataset},
          {"version", s.version},
          {"id_column", s.id_column},
          {"text_column", s.text_column},
          {"metadata_columns", s.metadata_columns}};
}

Result<std::string> EncodePrefix(const IndexImage& image) {
  LH_ASSIGN_OR_RETURN(std::string graph_sha256, Sha256Hex(image.graph));
  const IndexParams& p = image.params;
  json items = json::array();
  for (const auto& entry : image.entries) {
    items.push_back({{"id", entry.id},
                     {"label", entry.label},
                     {"norm", entry.norm},
                     {"metadata", entry.metadata}});
  }
  json params = {{"name", p.name},
                 {"dim", p.dim},
                 {"metric", MetricName(p.metric)},
                 {"m", p.m},
                 {"ef_construction", p.ef_construction},
                 {"ef_search", p.ef_search},
                 {"model", p.model}};
  if (p.full_text) params["full_text"] = EncodeFullTextParams(*p.full_text);
  // Version 1 readers know no full-text part: an index with one is written
  // as version 2, which they refuse rather than load without its words.
  json envelope = {{"format_version", p.full_text ? kFormatVersion : 1},
                   {"engine", "hnswlib 0.8.0"},
                   {"params", std::move(params)},
                   {"next_label", image.next_label},
                   {"seq", image.seq},
                   {"items", std::move(items)},
                   {"graph", {{"bytes", image.graph.size()}, {"sha256", graph_sha256}}}};
  if (image.source) {
    envelope["source"] = EncodeSource(*image.source);
  }
  if (!image.embedder_state.empty()) {
    envelope["embedder_state"] = Base64Encode(image.embedder_state);
  }
  if (p.full_text) envelope["full_text"] = {{"bytes", image.full_text.size()}};
  std::string text = envelope.dump();
  std::string prefix(kMagic);
  const auto n = static_cast<uint32_t>(text.size());
  for (int shift : {24, 16, 8, 0}) prefix.push_back(static_cast<char>((n >> shift) & 0xff));
  return prefix + text;
}

Result<IndexImage> Decode(std::string bytes) {
  if (bytes.size() < kPrefixBytes) return Bad("shorter than its 8-byte header");
  if (std::string_view(bytes).substr(0, 4) != kMagic) return Bad("wrong magic");
  uint32_t n = 0;
  for (int i = 4; i < 8; ++i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  if (n > kMaxEnvelopeBytes) return Bad("envelope length " + std::to_string(n) + " over the limit");
  if (n > bytes.size() - kPrefixBytes) {
    return Bad("envelope length " + std::to_string(n) + " runs past the end of the object");
  }
  std::string_view text = std::string_view(bytes).substr(kPrefixBytes, n);
  if (JsonNestingDepth(text, kMaxJsonDepth) > kMaxJsonDepth) return Bad("envelope nested too deep");
  json envelope = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (envelope.is_discarded() || !envelope.is_object()) return Bad("envelope is not a JSON object");

  int format_version = 0;
  LH_RETURN_IF_ERROR(Field(envelope, "format_version", &format_version));
  if (format_version < 1 || format_version > kFormatVersion) {
    return Bad("format version " + std::to_string(format_version) + " is not supported");
  }
  IndexImage image;
  auto params = envelope.find("params");
  if (params == envelope.end()) return Bad("envelope lacks \"params\"");
  LH_ASSIGN_OR_RETURN(image.params, DecodeParams(*params));
  LH_RETURN_IF_ERROR(Field(envelope, "next_label", &image.next_label));
  // Absent in objects written before deltas existed: they cover no delta.
  if (envelope.contains("seq")) LH_RETURN_IF_ERROR(Field(envelope, "seq", &image.seq));
  if (auto source = envelope.find("source"); source != envelope.end()) {
    LH_ASSIGN_OR_RETURN(image.source, DecodeSource(*source));
  }
  if (auto state = envelope.find("embedder_state"); state != envelope.end()) {
    if (!state->is_string()) return Bad("envelope field \"embedder_state\" has the wrong type");
    auto decoded = Base64Decode(state->get<std::string>());
    if (!decoded.ok()) return Bad("\"embedder_state\": " + decoded.status().message());
    image.embedder_state = std::move(*decoded);
  }

  auto graph = envelope.find("graph");
  if (graph == envelope.end() || !graph->is_object()) return Bad("envelope lacks \"graph\"");
  uint64_t graph_bytes = 0;
  uint64_t full_text_bytes = 0;
  std::string sha256;
  LH_RETURN_IF_ERROR(Field(*graph, "bytes", &graph_bytes));
  LH_RETURN_IF_ERROR(Field(*graph, "sha256", &sha256));
  if (auto full_text = envelope.find("full_text"); full_text != envelope.end()) {
    if (!image.params.full_text) return Bad("a full-text part without full-text parameters");
    if (!full_text->is_object()) return Bad("\"full_text\" must be an object");
    LH_RETURN_IF_ERROR(Field(*full_text, "bytes", &full_text_bytes));
  } else if (image.params.full_text) {
    return Bad("full-text parameters without a full-text part");
  }
  const uint64_t rest = bytes.size() - kPrefixBytes - n;
  if (graph_bytes > rest || full_text_bytes != rest - graph_bytes) {
    return Bad("the graph and full-text part should be " + std::to_string(graph_bytes) + " + " +
               std::to_string(full_text_bytes) + " bytes; " + std::to_string(rest) +
               " follow the envelope (truncated?)");
  }
  LH_ASSIGN_OR_RETURN(std::string actual,
                      Sha256Hex(std::string_view(bytes).substr(kPrefixBytes + n, graph_bytes)));
  if (actual != sha256) {
    return Bad("the graph bytes do not match their sha256");
  }

  auto items = envelope.find("items");
  if (items == envelope.end() || !items->is_array()) return Bad("\"items\" must be an array");
  image.entries.reserve(items->size());
  for (size_t i = 0; i < items->size(); ++i) {
    json& item = (*items)[i];
    if (!item.is_object()) return Bad("item " + std::to_string(i) + " is not an object");
    IndexImage::Entry entry;
    LH_RETURN_IF_ERROR(Field(item, "id", &entry.id));
    LH_RETURN_IF_ERROR(Field(item, "label", &entry.label));
    LH_RETURN_IF_ERROR(Field(item, "norm", &entry.norm));
    auto metadata = item.find("metadata");
    if (metadata == item.end() || !metadata->is_object()) {
      return Bad("item " + std::to_string(i) + " metadata is not an object");
    }
    entry.metadata = std::move(*metadata);
    image.entries.push_back(std::move(entry));
  }
  // The graph moves out of the object's bytes rather than being copied.
  image.full_text = bytes.substr(kPrefixBytes + n + graph_bytes);
  bytes.resize(kPrefixBytes + n + graph_bytes);
  bytes.erase(0, kPrefixBytes + n);
  image.graph = std::move(bytes);
  return image;
}

}  // namespace lakehouse::vector::lhv1
