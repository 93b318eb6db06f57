// The distance kernels the HNSW graph runs: squared L2 and 1 - dot, picked
// for the CPU at run time (AVX-512F, else AVX2+FMA, else hnswlib's own).
//
// hnswlib chooses its kernels at compile time from -m flags, so a portable
// build (no -march) gets only its SSE ones; bench/vectors measured 1.2x the
// search speed on 128-d SIFT and about 2x on 768-d with these.
#pragma once

#include <hnswlib/hnswlib.h>

#include <memory>
#include <string_view>

#include "vector/index.h"

namespace lakehouse::vector {

class DistanceSpace final : public hnswlib::SpaceInterface<float> {
 public:
  // l2: squared Euclidean; cosine (over unit vectors) and ip: 1 - dot.
  DistanceSpace(Metric metric, size_t dim);
  size_t get_data_size() override { return dim_ * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return func_; }
  void* get_dist_func_param() override { return &dim_; }
  // "avx512f", "avx2+fma" or "hnswlib" (its compile-time choice).
  std::string_view kernel() const { return kernel_; }

 private:
  size_t dim_;
  hnswlib::DISTFUNC<float> func_ = nullptr;
  std::string_view kernel_;
  std::unique_ptr<hnswlib::SpaceInterface<float>> fallback_;
};

}  // namespace lakehouse::vector
