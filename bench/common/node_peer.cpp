// LancePeerMissing and RunJsonLinesPeer: node peers spawned with a pipe, their JSON lines read.
#include "bench/common/node_peer.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "bench/common/bench_common.h"

namespace lakehouse::bench {
namespace {

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  const std::string dirs = path;
  for (size_t start = 0; start <= dirs.size();) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    if (::access((dirs.substr(start, end - start) + "/" + program).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

double ChildrenCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

std::string LancePeerMissing(const std::string& modules) {
  if (!OnPath("node")) return "node is not on PATH; run scripts/bootstrap.sh";
  if (!std::filesystem::exists(modules + "/node_modules/@lancedb/lancedb/package.json")) {
    return "LanceDB is not installed in " + modules + "; run scripts/bootstrap.sh";
  }
  return "";
}

PeerExit RunJsonLinesPeer(
    std::vector<std::string> args, const std::string& stderr_path,
    const std::function<void(const nlohmann::json& record, const std::string& line)>& on_record) {
  PeerExit exit;
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) FailErrno("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (spawned != 0) {
    ::close(out[0]);
    exit.error = "cannot start " + args[0] + ": " + std::string(std::strerror(spawned));
    return exit;
  }
  exit.started = true;
  FILE* lines = ::fdopen(out[0], "r");
  char* line = nullptr;
  size_t capacity = 0;
  while (::getline(&line, &capacity, lines) > 0) {
    nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_object()) on_record(record, line);
  }
  std::free(line);
  std::fclose(lines);
  const double cpu_before = ChildrenCpuSeconds();
  int status = 0;
  ::waitpid(pid, &status, 0);
  exit.cpu_s = ChildrenCpuSeconds() - cpu_before;
  if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    exit.error =
        "the peer exited with status " + std::to_string(status) + " (see " + stderr_path + ")";
  }
  return exit;
}

}  // namespace lakehouse::bench
