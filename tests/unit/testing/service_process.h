// Runs a real `lakehouse` service process on a free loopback port for the
// length of a test, so HTTP clients are tested against the real thing.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lakehouse::testing {

// A free loopback TCP port (bound then released; fine for tests).
int FreePort();

class ServiceProcess {
 public:
  // Starts LAKEHOUSE_BINARY with `args` and waits until GET /healthz answers
  // on `port`. Aborts the test binary if it never comes up.
  ServiceProcess(std::vector<std::string> args, int port);
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void Kill();  // SIGKILL and reap

 private:
  pid_t pid_ = -1;
  int port_;
};

// `lakehouse storaged` over a fresh config in `dir` with its objects in
// dir/objects.
class StoragedProcess {
 public:
  explicit StoragedProcess(const std::string& dir, uint64_t max_object_bytes = 64ull << 20);
  std::string url() const { return process_->url(); }
  std::string root() const { return root_; }
  void Kill() { process_->Kill(); }

 private:
  std::string root_;
  std::unique_ptr<ServiceProcess> process_;
};

}  // namespace lakehouse::testing
