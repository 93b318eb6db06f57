// 128 random bits as 32 hex digits: names that no other writer picks, for
// data files, deletion vectors and scratch directories.
#pragma once

#include <cstdio>
#include <random>
#include <string>

namespace lakehouse::ingest {

inline std::string RandomId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buffer;
}

}  // namespace lakehouse::ingest
