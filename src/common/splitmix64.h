// splitmix64: a tiny generator whose sequence is the same on every platform
// and standard library (std::mt19937 is portable too, but the distributions
// over it are not). Generated data sets and hashed features depend on it
// staying bit-for-bit the same.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace lakehouse {

// The finaliser alone: a 64-bit avalanche, so low bits are usable as
// bucket indexes.
inline uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() { return Mix64(state_ += 0x9E3779B97F4A7C15ull); }
  // Uniform in [0, n), n > 0.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  // True with probability percent / 100.
  bool Chance(int percent) { return Below(100) < static_cast<uint64_t>(percent); }
  // Uniform in (0, 1).
  double Uniform() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Below(N)];
  }
  const char* Pick(const char* const* items, size_t n) { return items[Below(n)]; }

 private:
  uint64_t state_;
};

}  // namespace lakehouse
