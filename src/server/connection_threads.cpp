// ConnectionThreads: a thread for every task, idle ones reused.
#include "server/connection_threads.h"

#include <algorithm>
#include <chrono>

namespace lakehouse::server {
namespace {
constexpr std::chrono::seconds kSpareThreadLinger{10};
}

ConnectionThreads::ConnectionThreads(size_t idle_threads) : idle_threads_(idle_threads) {}

ConnectionThreads::~ConnectionThreads() { shutdown(); }

void ConnectionThreads::JoinFinished() {
  for (auto it = threads_.begin(); it != threads_.end() && !finished_.empty();) {
    auto done = std::find(finished_.begin(), finished_.end(), it->get_id());
    if (done == finished_.end()) {
      ++it;
      continue;
    }
    finished_.erase(done);
    it->join();  // it has left Work(): the join does not wait
    it = threads_.erase(it);
  }
}

void ConnectionThreads::enqueue(std::function<void()> task) {
  std::lock_guard lock(mu_);
  JoinFinished();
  tasks_.push_back(std::move(task));
  if (idle_ < tasks_.size()) {
    threads_.emplace_back([this] { Work(); });
  } else {
    wake_.notify_one();
  }
}

void ConnectionThreads::Work() {
  std::unique_lock lock(mu_);
  while (true) {
    ++idle_;
    const bool spare = threads_.size() > idle_threads_;
    const bool woken =
        wake_.wait_for(lock, kSpareThreadLinger, [this] { return stopping_ || !tasks_.empty(); });
    --idle_;
    if (!tasks_.empty()) {
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
      continue;
    }
    if (stopping_) return;
    if (!woken && spare) {
      // A later enqueue (or shutdown) joins this thread; it only returns.
      finished_.push_back(std::this_thread::get_id());
      return;
    }
  }
}

void ConnectionThreads::shutdown() {
  std::list<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    wake_.notify_all();
    threads.swap(threads_);
    finished_.clear();
  }
  for (auto& thread : threads) thread.join();
}

}  // namespace lakehouse::server
