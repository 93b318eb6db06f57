// The watchdog thread: interrupts the connection of each query past its deadline.
#include "query/query_watchdog.h"

#include <algorithm>

namespace lakehouse::query {

Watchdog::Watchdog() : thread_([this] { Run(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

uint64_t Watchdog::Watch(duckdb_connection connection, Clock::time_point deadline) {
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  entries_[id] = {connection, deadline};
  cv_.notify_all();
  return id;
}

bool Watchdog::Unwatch(uint64_t id) {
  std::lock_guard lock(mu_);
  bool fired = fired_.erase(id) > 0;
  entries_.erase(id);
  return fired;
}

void Watchdog::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    auto next = Clock::now() + std::chrono::seconds(1);
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.deadline <= Clock::now()) {
        duckdb_interrupt(it->second.connection);
        fired_.insert(it->first);
        it = entries_.erase(it);
      } else {
        next = std::min(next, it->second.deadline);
        ++it;
      }
    }
    cv_.wait_until(lock, next);
  }
}

}  // namespace lakehouse::query
