// Writes tiny model folders in the formats StaticEmbedder reads (model.safetensors,
// tokenizer.json, config.json), so tests build their models instead of downloading any.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lakehouse::testing {

// One tensor to write: its dtype, shape and raw little-endian bytes.
struct RawTensor {
  std::string name;
  std::string dtype;
  std::vector<uint64_t> shape;
  std::string bytes;
};

inline std::string F32Bytes(const std::vector<float>& values) {
  std::string out(values.size() * 4, '\0');
  std::memcpy(out.data(), values.data(), out.size());  // the test machines are little-endian
  return out;
}

inline std::string U16Bytes(const std::vector<uint16_t>& values) {
  std::string out(values.size() * 2, '\0');
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

inline std::string I64Bytes(const std::vector<int64_t>& values) {
  std::string out(values.size() * 8, '\0');
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

inline std::string LengthPrefix(uint64_t n) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return out;
}

// The safetensors bytes of `tensors`, laid out one after another in the order given.
inline std::string SafetensorsBytes(const std::vector<RawTensor>& tensors) {
  nlohmann::json header = nlohmann::json::object();
  header["__metadata__"] = {{"format", "pt"}};
  std::string data;
  for (const RawTensor& tensor : tensors) {
    header[tensor.name] = {{"dtype", tensor.dtype},
                           {"shape", tensor.shape},
                           {"data_offsets", {data.size(), data.size() + tensor.bytes.size()}}};
    data += tensor.bytes;
  }
  std::string text = header.dump();
  return LengthPrefix(text.size()) + text + data;
}

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// A rows x cols F32 matrix named "embeddings".
inline RawTensor Embeddings(size_t rows, size_t cols, const std::vector<float>& values) {
  return {"embeddings", "F32", {rows, cols}, F32Bytes(values)};
}

}  // namespace lakehouse::testing
