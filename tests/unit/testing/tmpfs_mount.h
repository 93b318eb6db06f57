// A small tmpfs mounted over a directory for the life of the object, to see
// a real full disk. Mounting needs CAP_SYS_ADMIN; without it nothing is
// mounted and error() says why, so a test can skip.
#pragma once

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

namespace lakehouse::testing {

class TmpfsMount {
 public:
  TmpfsMount(std::string dir, uint64_t bytes) : dir_(std::move(dir)) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    const std::string options = "size=" + std::to_string(bytes) + ",mode=0700";
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::string("cannot mount a tmpfs (needs CAP_SYS_ADMIN): ") + std::strerror(errno);
    }
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

}  // namespace lakehouse::testing
