// ShutdownWatcher: blocks SIGINT, SIGTERM and SIGUSR1, and one thread waits for them with sigwait.
#include "server/shutdown.h"

#include <pthread.h>
#include <signal.h>

#include "common/logging.h"

namespace lakehouse::server {
namespace {

sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);  // used only to wake the watcher when exiting normally
  return set;
}

}  // namespace

ShutdownWatcher::ShutdownWatcher() {
  sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ShutdownWatcher::~ShutdownWatcher() {
  if (thread_.joinable()) {
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }
}

void ShutdownWatcher::Start(std::function<void()> on_signal) {
  thread_ = std::thread([on_signal = std::move(on_signal)] {
    sigset_t set = ShutdownSignals();
    int signal = 0;
    sigwait(&set, &signal);
    if (signal == SIGUSR1) return;
    spdlog::info("received {}, stopping", signal == SIGINT ? "SIGINT" : "SIGTERM");
    on_signal();
  });
}

}  // namespace lakehouse::server
