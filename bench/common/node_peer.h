// The benches' peers that run under node (LanceDB's scripts): whether one can
// run here, and running one with its JSON lines read as they come.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lakehouse::bench {

// Why a LanceDB peer script cannot run here (node not on PATH, LanceDB not
// installed in `modules` by scripts/bootstrap.sh); empty when it can.
std::string LancePeerMissing(const std::string& modules);

struct PeerExit {
  bool started = false;  // false: error says why it could not be started
  std::string error;     // empty: it ran and exited 0
  double cpu_s = 0;      // the peer's CPU time, user and system
};

// Runs `args` (args[0] looked up on PATH) with its stderr written to
// `stderr_path`, handing each line of its stdout that is a JSON object to
// `on_record` with the line's text, as the lines come; returns once it has
// exited. An exit status other than 0 is an error naming `stderr_path`.
PeerExit RunJsonLinesPeer(
    std::vector<std::string> args, const std::string& stderr_path,
    const std::function<void(const nlohmann::json& record, const std::string& line)>& on_record);

}  // namespace lakehouse::bench
