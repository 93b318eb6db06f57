// A task queue for httplib that runs every task at once: an idle thread
// takes it, or a new thread is made. Connections are tasks, so a connection
// that waits on a slow client holds one thread and never delays another;
// how many run at once is bounded by ConnectionServer's connection caps,
// which refuse a task over them as soon as it starts.
//
// Up to `idle_threads` threads wait for work; threads beyond them end after
// a while without any. Thread-safe. shutdown() runs what is queued, then
// joins every thread; no task may be queued after it.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

namespace lakehouse::server {

class ConnectionThreads final : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(size_t idle_threads);
  ~ConnectionThreads() override;
  ConnectionThreads(const ConnectionThreads&) = delete;
  ConnectionThreads& operator=(const ConnectionThreads&) = delete;

  void enqueue(std::function<void()> task) override;
  void shutdown() override;

 private:
  void Work();
  void JoinFinished();  // REQUIRES: mu_ held

  const size_t idle_threads_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  std::list<std::thread> threads_;
  std::vector<std::thread::id> finished_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace lakehouse::server
