// Reads and checks .safetensors files and converts their tensors to float or int64.
#include "embed/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>

namespace lakehouse::embed {
namespace {

using nlohmann::json;

constexpr size_t kLengthBytes = 8;

// Bytes per element of every dtype the format defines; 0 for a name it does not.
size_t DtypeBytes(const std::string& dtype) {
  static const std::map<std::string, size_t> kSizes = {
      {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E4M3", 1}, {"F8_E5M2", 1},
      {"I16", 2},  {"U16", 2}, {"F16", 2}, {"BF16", 2},    {"I32", 4},
      {"U32", 4},  {"F32", 4}, {"I64", 8}, {"U64", 8},     {"F64", 8}};
  auto it = kSizes.find(dtype);
  return it == kSizes.end() ? 0 : it->second;
}

uint64_t ReadLittleEndian(const char* bytes, size_t n) {
  uint64_t value = 0;
  for (size_t i = 0; i < n; ++i) value |= uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
  return value;
}

float HalfToFloat(uint16_t half) {
  const uint32_t sign = uint32_t{half & 0x8000u} << 16;
  const uint32_t exponent = (half >> 10) & 0x1Fu;
  const uint32_t mantissa = half & 0x3FFu;
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24
    float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  uint32_t bits = exponent == 0x1F ? sign | 0x7F800000u | (mantissa << 13)
                                   : sign | ((exponent + 112) << 23) | (mantissa << 13);
  return std::bit_cast<float>(bits);
}

float ElementToFloat(const char* p, const std::string& dtype) {
  if (dtype == "F32") return std::bit_cast<float>(static_cast<uint32_t>(ReadLittleEndian(p, 4)));
  if (dtype == "F16") return HalfToFloat(static_cast<uint16_t>(ReadLittleEndian(p, 2)));
  if (dtype == "BF16") {
    return std::bit_cast<float>(static_cast<uint32_t>(ReadLittleEndian(p, 2) << 16));
  }
  return static_cast<float>(std::bit_cast<double>(ReadLittleEndian(p, 8)));  // F64
}

int64_t ElementToInt(const char* p, const std::string& dtype) {
  if (dtype == "I64") return static_cast<int64_t>(ReadLittleEndian(p, 8));
  if (dtype == "I32") return static_cast<int32_t>(ReadLittleEndian(p, 4));
  if (dtype == "U32") return static_cast<int64_t>(ReadLittleEndian(p, 4));
  if (dtype == "I16") return static_cast<int16_t>(ReadLittleEndian(p, 2));
  return static_cast<int64_t>(ReadLittleEndian(p, 2));  // U16
}

bool IsFloatDtype(const std::string& dtype) {
  return dtype == "F32" || dtype == "F16" || dtype == "BF16" || dtype == "F64";
}

bool IsIntDtype(const std::string& dtype) {
  return dtype == "I64" || dtype == "I32" || dtype == "U32" || dtype == "I16" || dtype == "U16";
}

struct ParsedTensor {
  std::string dtype;
  std::vector<uint64_t> shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

bool ReadUnsigned(const json& value, uint64_t* out) {
  if (!value.is_number_unsigned()) return false;
  *out = value.get<uint64_t>();
  return true;
}

// One header entry, or what is wrong with it.
Result<ParsedTensor> ParseEntry(const std::string& name, const json& entry) {
  const std::string where = "tensor \"" + name + "\": ";
  if (!entry.is_object() || !entry.contains("dtype") || !entry["dtype"].is_string() ||
      !entry.contains("shape") || !entry["shape"].is_array() || !entry.contains("data_offsets") ||
      !entry["data_offsets"].is_array() || entry["data_offsets"].size() != 2) {
    return Status::InvalidArgument(where +
                                   "needs a string dtype, a shape array and two "
                                   "data_offsets");
  }
  ParsedTensor tensor;
  tensor.dtype = entry["dtype"].get<std::string>();
  if (DtypeBytes(tensor.dtype) == 0) {
    return Status::InvalidArgument(where + "unknown dtype \"" + tensor.dtype + "\"");
  }
  for (const json& dim : entry["shape"]) {
    uint64_t n = 0;
    if (!ReadUnsigned(dim, &n)) return Status::InvalidArgument(where + "shape must be integers");
    tensor.shape.push_back(n);
  }
  if (!ReadUnsigned(entry["data_offsets"][0], &tensor.begin) ||
      !ReadUnsigned(entry["data_offsets"][1], &tensor.end) || tensor.end < tensor.begin) {
    return Status::InvalidArgument(where + "data_offsets must be two rising integers");
  }
  return tensor;
}

// elements x dtype size, or false on overflow.
bool ExpectedBytes(const ParsedTensor& tensor, uint64_t* out) {
  uint64_t n = DtypeBytes(tensor.dtype);
  for (uint64_t dim : tensor.shape) {
    if (dim != 0 && n > std::numeric_limits<uint64_t>::max() / dim) return false;
    n *= dim;
  }
  *out = n;
  return true;
}

std::string ShapeText(const std::vector<uint64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

Status CheckSize(const std::string& name, const ParsedTensor& tensor) {
  uint64_t expected = 0;
  if (!ExpectedBytes(tensor, &expected) || expected != tensor.end - tensor.begin) {
    return Status::InvalidArgument("tensor \"" + name + "\" of " + tensor.dtype + " " +
                                   ShapeText(tensor.shape) + " needs " + std::to_string(expected) +
                                   " bytes but data_offsets give " +
                                   std::to_string(tensor.end - tensor.begin));
  }
  return Status::Ok();
}

// The ranges must tile [0, data_bytes) exactly: a gap, an overlap or a range past the end means a
// damaged or truncated file.
Status CheckTiling(const std::map<std::string, ParsedTensor>& tensors, uint64_t data_bytes) {
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  ranges.reserve(tensors.size());
  for (const auto& [name, tensor] : tensors) ranges.emplace_back(tensor.begin, tensor.end);
  std::sort(ranges.begin(), ranges.end());
  uint64_t at = 0;
  for (const auto& [begin, end] : ranges) {
    if (begin != at) {
      return Status::InvalidArgument(begin < at ? "tensor data ranges overlap"
                                                : "a gap in the tensor data at byte " +
                                                      std::to_string(at));
    }
    at = end;
  }
  if (at != data_bytes) {
    return Status::InvalidArgument(
        "the tensors need " + std::to_string(at) + " bytes of data but the file holds " +
        std::to_string(data_bytes) + (at > data_bytes ? " (truncated?)" : ""));
  }
  return Status::Ok();
}

Result<std::map<std::string, ParsedTensor>> ParseHeader(std::string_view header,
                                                        uint64_t data_bytes) {
  json parsed = json::parse(header, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Status::InvalidArgument("the header is not a JSON object");
  }
  std::map<std::string, ParsedTensor> tensors;
  for (const auto& [name, entry] : parsed.items()) {
    if (name == "__metadata__") continue;
    LH_ASSIGN_OR_RETURN(ParsedTensor tensor, ParseEntry(name, entry));
    LH_RETURN_IF_ERROR(CheckSize(name, tensor));
    tensors.emplace(name, std::move(tensor));
  }
  LH_RETURN_IF_ERROR(CheckTiling(tensors, data_bytes));
  return tensors;
}

}  // namespace

SafetensorsFile::SafetensorsFile(std::string path, std::string bytes, uint64_t data_start,
                                 std::map<std::string, Tensor> tensors)
    : path_(std::move(path)),
      bytes_(std::move(bytes)),
      data_start_(data_start),
      tensors_(std::move(tensors)) {}

Result<SafetensorsFile> SafetensorsFile::Open(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::FromErrno(errno, "cannot open " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IoError("cannot read " + path);
  return Parse(std::move(buffer).str(), path);
}

Result<SafetensorsFile> SafetensorsFile::Parse(std::string bytes, const std::string& path) {
  auto fail = [&](const std::string& what) { return Status::InvalidArgument(path + ": " + what); };
  if (bytes.size() < kLengthBytes) {
    return fail("shorter than the 8-byte header length (" + std::to_string(bytes.size()) +
                " bytes)");
  }
  const uint64_t header_bytes = ReadLittleEndian(bytes.data(), kLengthBytes);
  if (header_bytes > kMaxHeaderBytes) {
    return fail("header length " + std::to_string(header_bytes) + " is over the limit of " +
                std::to_string(kMaxHeaderBytes));
  }
  if (header_bytes > bytes.size() - kLengthBytes) {
    return fail("header length " + std::to_string(header_bytes) + " runs past the end of the " +
                std::to_string(bytes.size()) + "-byte file");
  }
  const uint64_t data_start = kLengthBytes + header_bytes;
  auto parsed = ParseHeader(std::string_view(bytes).substr(kLengthBytes, header_bytes),
                            bytes.size() - data_start);
  if (!parsed.ok()) return fail(parsed.status().message());
  std::map<std::string, Tensor> tensors;
  for (auto& [name, t] : *parsed) {
    tensors.emplace(name, Tensor{std::move(t.dtype), std::move(t.shape), t.begin, t.end});
  }
  return SafetensorsFile(path, std::move(bytes), data_start, std::move(tensors));
}

Status SafetensorsFile::Error(const std::string& what) const {
  return Status::InvalidArgument(path_ + ": " + what);
}

Result<const SafetensorsFile::Tensor*> SafetensorsFile::Find(const std::string& name,
                                                             size_t rank) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) return Error("no tensor \"" + name + "\"");
  if (it->second.shape.size() != rank) {
    return Error("tensor \"" + name + "\" has shape " + ShapeText(it->second.shape) + ", not the " +
                 std::to_string(rank) + "-D shape expected");
  }
  return &it->second;
}

Result<std::vector<float>> SafetensorsFile::Floats(const std::string& name,
                                                   const Tensor& tensor) const {
  if (!IsFloatDtype(tensor.dtype)) {
    return Error("tensor \"" + name + "\" is " + tensor.dtype + "; F32, F16, BF16 or F64 expected");
  }
  const size_t width = DtypeBytes(tensor.dtype);
  const size_t count = (tensor.end - tensor.begin) / width;
  const char* data = bytes_.data() + data_start_ + tensor.begin;
  std::vector<float> out(count);
  for (size_t i = 0; i < count; ++i) out[i] = ElementToFloat(data + i * width, tensor.dtype);
  return out;
}

Result<FloatMatrix> SafetensorsFile::Matrix(const std::string& name) const {
  const Tensor* tensor = nullptr;
  { LH_ASSIGN_OR_RETURN(tensor, Find(name, 2)); }
  FloatMatrix matrix;
  matrix.rows = tensor->shape[0];
  matrix.cols = tensor->shape[1];
  { LH_ASSIGN_OR_RETURN(matrix.values, Floats(name, *tensor)); }
  return matrix;
}

Result<std::vector<float>> SafetensorsFile::FloatVector(const std::string& name) const {
  const Tensor* tensor = nullptr;
  { LH_ASSIGN_OR_RETURN(tensor, Find(name, 1)); }
  return Floats(name, *tensor);
}

Result<std::vector<int64_t>> SafetensorsFile::IntVector(const std::string& name) const {
  const Tensor* tensor = nullptr;
  { LH_ASSIGN_OR_RETURN(tensor, Find(name, 1)); }
  if (!IsIntDtype(tensor->dtype)) {
    return Error("tensor \"" + name + "\" is " + tensor->dtype + "; an integer dtype expected");
  }
  const size_t width = DtypeBytes(tensor->dtype);
  const size_t count = (tensor->end - tensor->begin) / width;
  const char* data = bytes_.data() + data_start_ + tensor->begin;
  std::vector<int64_t> out(count);
  for (size_t i = 0; i < count; ++i) out[i] = ElementToInt(data + i * width, tensor->dtype);
  return out;
}

}  // namespace lakehouse::embed
