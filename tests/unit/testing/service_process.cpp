#include "testing/service_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

extern char** environ;

namespace {
// Keeps test output readable: the servers under test log at info otherwise.
const bool kQuietLogs = [] {
  spdlog::set_level(spdlog::level::warn);
  // As in main(): a peer hanging up must be an error, not a killed test.
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();
}  // namespace

namespace lakehouse::testing {

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

ServiceProcess::ServiceProcess(std::vector<std::string> args, int port) : port_(port) {
  std::vector<std::string> argv_storage = {LAKEHOUSE_BINARY, "--log-level", "warn"};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (posix_spawn(&pid_, LAKEHOUSE_BINARY, nullptr, nullptr, argv.data(), environ) != 0) {
    std::fprintf(stderr, "cannot start %s\n", LAKEHOUSE_BINARY);
    std::abort();
  }
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(0, 200000);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto res = client.Get("/healthz"); res && res->status == 200) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      std::fprintf(stderr, "service process exited early (status %d)\n", status);
      pid_ = -1;
      std::abort();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::fprintf(stderr, "service process did not become healthy on port %d\n", port_);
  std::abort();
}

ServiceProcess::~ServiceProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

void ServiceProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

StoragedProcess::StoragedProcess(const std::string& dir, uint64_t max_object_bytes)
    : root_(dir + "/objects") {
  int port = FreePort();
  std::string config_path = dir + "/storaged.toml";
  std::ofstream(config_path) << "[storaged]\nlisten = \"127.0.0.1:" << port
                             << "\"\nroot = \"objects\"\nmax_object_bytes = " << max_object_bytes
                             << "\n";
  process_ = std::make_unique<ServiceProcess>(
      std::vector<std::string>{"storaged", "--config", config_path}, port);
}

}  // namespace lakehouse::testing
