// An anonymous in-memory file (memfd) for libraries that read and write through a file name only.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse::vector {

// hnswlib saves and loads through a file name only; an anonymous in-memory
// file gives it one without touching a disk. The name, /proc/self/fd/N, is
// valid while the object lives. Not safe to share between threads.
class MemoryFile {
 public:
  static Result<MemoryFile> Create();
  MemoryFile(MemoryFile&& other) noexcept;
  MemoryFile& operator=(MemoryFile&&) = delete;
  ~MemoryFile();

  std::string path() const;
  Status Write(std::string_view bytes);
  Result<std::string> ReadAll() const;

 private:
  explicit MemoryFile(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace lakehouse::vector
