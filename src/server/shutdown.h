// Turns SIGINT/SIGTERM into a clean stop: the signals are blocked in every
// thread and one watcher thread waits for them, so the stop runs as ordinary
// code rather than inside a signal handler.
#pragma once

#include <functional>
#include <thread>

namespace lakehouse::server {

class ShutdownWatcher {
 public:
  // Must be created before any other thread so they all inherit the mask.
  ShutdownWatcher();
  ~ShutdownWatcher();
  // Calls `on_signal` once, from the watcher thread, at the first signal.
  void Start(std::function<void()> on_signal);

 private:
  std::thread thread_;
};

}  // namespace lakehouse::server
