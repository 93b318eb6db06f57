// DistanceSpace: AVX-512F or AVX2+FMA L2 and 1 - dot kernels picked by a CPU check, else hnswlib's.
#include "vector/distance.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace lakehouse::vector {
namespace {

#if defined(__x86_64__)
// Each kernel carries its own target attribute, so the rest of the binary
// stays baseline x86-64 and runs anywhere; the CPU check below picks one.
__attribute__((target("avx2,fma"))) float Sum256(__m256 v) {
  const __m128 half = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 pair = _mm_add_ps(half, _mm_movehl_ps(half, half));
  return _mm_cvtss_f32(_mm_add_ss(pair, _mm_shuffle_ps(pair, pair, 1)));
}

// Through memory: GCC 12 warns (-Wuninitialized, its bug 105593) inside
// _mm512_reduce_add_ps and the 512-to-256-bit extracts.
__attribute__((target("avx512f,avx2,fma"))) float Sum512(__m512 v) {
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, v);
  return Sum256(_mm256_add_ps(_mm256_load_ps(lanes), _mm256_load_ps(lanes + 8)));
}

__attribute__((target("avx512f,avx2,fma"))) float L2Avx512(const void* a, const void* b,
                                                           const void* param) {
  const auto* x = static_cast<const float*>(a);
  const auto* y = static_cast<const float*>(b);
  const size_t dim = *static_cast<const size_t*>(param);
  __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= dim; i += 32) {
    const __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i));
    const __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16));
    s0 = _mm512_fmadd_ps(d0, d0, s0);
    s1 = _mm512_fmadd_ps(d1, d1, s1);
  }
  for (; i + 16 <= dim; i += 16) {
    const __m512 d = _mm512_sub_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i));
    s0 = _mm512_fmadd_ps(d, d, s0);
  }
  float sum = Sum512(_mm512_add_ps(s0, s1));
  for (; i < dim; ++i) sum += (x[i] - y[i]) * (x[i] - y[i]);
  return sum;
}

__attribute__((target("avx512f,avx2,fma"))) float IpAvx512(const void* a, const void* b,
                                                           const void* param) {
  const auto* x = static_cast<const float*>(a);
  const auto* y = static_cast<const float*>(b);
  const size_t dim = *static_cast<const size_t*>(param);
  __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= dim; i += 32) {
    s0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), s0);
    s1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16), s1);
  }
  for (; i + 16 <= dim; i += 16) {
    s0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), s0);
  }
  float sum = Sum512(_mm512_add_ps(s0, s1));
  for (; i < dim; ++i) sum += x[i] * y[i];
  return 1.0f - sum;
}

__attribute__((target("avx2,fma"))) float L2Avx2(const void* a, const void* b, const void* param) {
  const auto* x = static_cast<const float*>(a);
  const auto* y = static_cast<const float*>(b);
  const size_t dim = *static_cast<const size_t*>(param);
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= dim; i += 16) {
    const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
    const __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8));
    s0 = _mm256_fmadd_ps(d0, d0, s0);
    s1 = _mm256_fmadd_ps(d1, d1, s1);
  }
  float sum = Sum256(_mm256_add_ps(s0, s1));
  for (; i < dim; ++i) sum += (x[i] - y[i]) * (x[i] - y[i]);
  return sum;
}

__attribute__((target("avx2,fma"))) float IpAvx2(const void* a, const void* b, const void* param) {
  const auto* x = static_cast<const float*>(a);
  const auto* y = static_cast<const float*>(b);
  const size_t dim = *static_cast<const size_t*>(param);
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= dim; i += 16) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), s1);
  }
  float sum = Sum256(_mm256_add_ps(s0, s1));
  for (; i < dim; ++i) sum += x[i] * y[i];
  return 1.0f - sum;
}
#endif

}  // namespace

DistanceSpace::DistanceSpace(Metric metric, size_t dim) : dim_(dim) {
  const bool l2 = metric == Metric::kL2;
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f")) {
    func_ = l2 ? L2Avx512 : IpAvx512;
    kernel_ = "avx512f";
    return;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    func_ = l2 ? L2Avx2 : IpAvx2;
    kernel_ = "avx2+fma";
    return;
  }
#endif
  if (l2) {
    fallback_ = std::make_unique<hnswlib::L2Space>(dim);
  } else {
    fallback_ = std::make_unique<hnswlib::InnerProductSpace>(dim);
  }
  func_ = fallback_->get_dist_func();
  kernel_ = "hnswlib";
}

}  // namespace lakehouse::vector
