// MemoryFile: memfd_create, whole writes and whole reads with EINTR retried.
#include "vector/memory_file.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace lakehouse::vector {

Result<MemoryFile> MemoryFile::Create() {
  int fd = memfd_create("lakehouse-hnsw", MFD_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "memfd_create");
  return MemoryFile(fd);
}

MemoryFile::MemoryFile(MemoryFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

MemoryFile::~MemoryFile() {
  if (fd_ >= 0) close(fd_);
}

std::string MemoryFile::path() const { return "/proc/self/fd/" + std::to_string(fd_); }

Status MemoryFile::Write(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "writing an in-memory file");
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Result<std::string> MemoryFile::ReadAll() const {
  struct stat st {};
  if (fstat(fd_, &st) != 0) return Status::FromErrno(errno, "fstat of an in-memory file");
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = pread(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::FromErrno(n < 0 ? errno : EIO, "reading an in-memory file");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

}  // namespace lakehouse::vector
