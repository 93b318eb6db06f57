// Private to the query part: the thread that interrupts queries past their deadline.
//
// DuckDB has no per-query time limit of its own, so one thread holds every
// running query's deadline and calls duckdb_interrupt() on the connection of
// any query that outlives it.
#pragma once

#include <duckdb.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace lakehouse::query {

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;

  Watchdog();
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  uint64_t Watch(duckdb_connection connection, Clock::time_point deadline);
  // Returns true when the watchdog interrupted this query.
  bool Unwatch(uint64_t id);

 private:
  struct Entry {
    duckdb_connection connection;
    Clock::time_point deadline;
  };

  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, Entry> entries_;
  std::set<uint64_t> fired_;
  uint64_t next_id_ = 1;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace lakehouse::query
