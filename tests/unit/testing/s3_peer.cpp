#include "testing/s3_peer.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include "testing/service_process.h"

extern char** environ;

namespace lakehouse::testing {
namespace {

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string dirs = path;
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

S3Peer::S3Peer(const std::string& data_dir, std::string bucket)
    : data_dir_(data_dir), bucket_(std::move(bucket)) {
  const std::string modules = LAKEHOUSE_S3RVER_DIR;
  if (!OnPath("node")) {
    reason_ = "node is not installed; run scripts/bootstrap.sh (make test does)";
    return;
  }
  if (!std::filesystem::exists(modules + "/node_modules/s3rver/package.json")) {
    reason_ =
        "s3rver is not installed in " + modules + "; run scripts/bootstrap.sh (make test does)";
    return;
  }
  std::filesystem::create_directories(data_dir_);
  port_ = FreePort();
  std::vector<std::string> args = {"node",
                                   "--openssl-legacy-provider",  // see peer.mjs
                                   LAKEHOUSE_S3_PEER_SCRIPT,
                                   "--modules",
                                   modules,
                                   "--port",
                                   std::to_string(port_),
                                   "--dir",
                                   data_dir_,
                                   "--bucket",
                                   bucket_,
                                   "--access-key",
                                   kAccessKey,
                                   "--secret-key",
                                   kSecretKey};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (posix_spawnp(&pid_, "node", nullptr, nullptr, argv.data(), environ) != 0) {
    pid_ = -1;
    reason_ = "cannot start node";
    return;
  }
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(0, 200000);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto res = client.Get("/__peer/health"); res && res->status == 200) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      reason_ = "the S3 peer exited at start (status " + std::to_string(status) + ")";
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  reason_ = "the S3 peer did not answer on port " + std::to_string(port_);
}

S3Peer::~S3Peer() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

storage::S3Options S3Peer::Options() const {
  storage::S3Options options;
  options.endpoint = endpoint();
  options.bucket = bucket_;
  options.region = "us-east-1";
  options.path_style = true;
  options.access_key_id = kAccessKey;
  options.secret_access_key = kSecretKey;
  options.part_bytes = 5ull << 20;
  options.initial_backoff_ms = 10;
  return options;
}

bool S3Peer::Control(const std::string& what) const {
  httplib::Client client("127.0.0.1", port_);
  auto res = client.Get("/__peer/" + what);
  return res && res->status == 200;
}

}  // namespace lakehouse::testing
