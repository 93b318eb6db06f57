// Reads a .safetensors file: an 8-byte little-endian header length, a JSON header naming each
// tensor's dtype, shape and byte range, then the raw little-endian data.
//
// Open checks the whole file before anything is read from it: the header length is bounded
// (kMaxHeaderBytes) and lies inside the file, the header is a JSON object, every tensor has a known
// dtype, a shape of non-negative integers and a byte range whose size is exactly elements x dtype
// size, and the ranges tile the data with no gap or overlap to its very end (as the format
// requires; a truncated file fails here). Every error is kInvalidArgument (kNotFound for a missing
// file) and names the file and what is wrong.
//
// A SafetensorsFile holds the file's bytes; what its accessors return are copies. Its const
// methods may be called from any number of threads.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace lakehouse::embed {

struct FloatMatrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<float> values;  // row-major, rows * cols
  const float* Row(size_t row) const { return values.data() + row * cols; }
};

class SafetensorsFile {
 public:
  static constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // what the safetensors library allows

  static Result<SafetensorsFile> Open(const std::string& path);
  // The same checks on bytes already in memory; `path` only names them in errors.
  static Result<SafetensorsFile> Parse(std::string bytes, const std::string& path);

  bool Has(const std::string& name) const { return tensors_.count(name) > 0; }
  // A 2-D tensor of F32, F16, BF16 or F64, converted to float; kInvalidArgument naming the file
  // and tensor if it is missing, not 2-D or of another dtype.
  Result<FloatMatrix> Matrix(const std::string& name) const;
  // A 1-D tensor of the same dtypes, converted to float.
  Result<std::vector<float>> FloatVector(const std::string& name) const;
  // A 1-D tensor of I64, I32, U32, I16 or U16, widened to int64.
  Result<std::vector<int64_t>> IntVector(const std::string& name) const;

 private:
  struct Tensor {
    std::string dtype;
    std::vector<uint64_t> shape;
    uint64_t begin = 0;  // within the data, which starts after the header
    uint64_t end = 0;
  };
  SafetensorsFile(std::string path, std::string bytes, uint64_t data_start,
                  std::map<std::string, Tensor> tensors);
  Result<const Tensor*> Find(const std::string& name, size_t rank) const;
  Result<std::vector<float>> Floats(const std::string& name, const Tensor& tensor) const;
  Status Error(const std::string& what) const;

  std::string path_;
  std::string bytes_;
  uint64_t data_start_ = 0;
  std::map<std::string, Tensor> tensors_;
};

}  // namespace lakehouse::embed
