// DataFileCache: copies named by key hash, fetched once to a temp file, LRU-evicted unless leased.
#include "query/data_file_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <functional>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "common/sha256.h"

namespace lakehouse::query {
namespace {

constexpr std::string_view kSuffix = ".parquet";
constexpr std::string_view kTempMark = ".tmp-";

// Writes a Get's body to a file descriptor, and reports the announced size
// first so the cache can make room before the bytes arrive.
class FileSink final : public storage::ObjectSink {
 public:
  FileSink(int fd, std::function<void(uint64_t)> on_size) : fd_(fd), on_size_(std::move(on_size)) {}
  Status OnInfo(const storage::ObjectInfo& info) override {
    // A retried Get may announce again; reserve once.
    if (!announced_) on_size_(info.size);
    announced_ = true;
    return Status::Ok();
  }
  Status OnData(std::string_view chunk) override {
    const char* data = chunk.data();
    size_t left = chunk.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, data, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::FromErrno(errno, "write to the data file cache");
      data += n;
      left -= static_cast<size_t>(n);
    }
    written_ += chunk.size();
    return Status::Ok();
  }
  uint64_t written() const { return written_; }

 private:
  int fd_;
  std::function<void(uint64_t)> on_size_;
  bool announced_ = false;
  uint64_t written_ = 0;
};

}  // namespace

struct DataFileCache::Flight {
  bool done = false;
  Status status;
};

DataFileCache::Lease& DataFileCache::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    Release();
    cache_ = std::exchange(other.cache_, nullptr);
    name_ = std::move(other.name_);
    path_ = std::move(other.path_);
  }
  return *this;
}

void DataFileCache::Lease::Release() {
  if (cache_ != nullptr) std::exchange(cache_, nullptr)->Unpin(name_);
}

DataFileCache::DataFileCache(const DataFileCacheOptions& options, storage::ObjectStore& store)
    : options_(options), store_(store) {
  counters_.max_bytes = options.max_bytes;
}

DataFileCache::~DataFileCache() = default;

Result<std::unique_ptr<DataFileCache>> DataFileCache::Open(const DataFileCacheOptions& options,
                                                           storage::ObjectStore& store) {
  if (options.dir.empty()) return Status::InvalidArgument("data file cache dir is empty");
  if (options.max_bytes == 0) return Status::InvalidArgument("data file cache bound is 0 bytes");
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Status::FromErrno(ec.value(), "create " + options.dir);
  std::unique_ptr<DataFileCache> cache(new DataFileCache(options, store));
  LH_RETURN_IF_ERROR(cache->Adopt());
  return cache;
}

Status DataFileCache::Adopt() {
  struct Found {
    std::string name;
    uint64_t size;
    std::filesystem::file_time_type mtime;
  };
  std::vector<Found> found;
  std::error_code ec;
  for (const auto& item : std::filesystem::directory_iterator(options_.dir, ec)) {
    std::string name = item.path().filename().string();
    std::error_code item_ec;
    if (!item.is_regular_file(item_ec)) continue;
    if (name.find(kTempMark) != std::string::npos) {
      // A download this process's predecessor did not finish.
      std::filesystem::remove(item.path(), item_ec);
      continue;
    }
    if (!name.ends_with(kSuffix)) continue;
    uint64_t size = item.file_size(item_ec);
    auto mtime = item.last_write_time(item_ec);
    if (item_ec) continue;
    found.push_back({std::move(name), size, mtime});
  }
  if (ec) return Status::FromErrno(ec.value(), "list " + options_.dir);
  // Oldest first, each pushed to the front: the newest ends up most recent.
  std::sort(found.begin(), found.end(),
            [](const Found& a, const Found& b) { return a.mtime < b.mtime; });
  std::lock_guard lock(mu_);
  for (auto& f : found) {
    lru_.push_front(f.name);
    Entry& entry = entries_[f.name];
    entry.size = f.size;
    entry.lru = lru_.begin();
    bytes_held_ += f.size;
  }
  if (!found.empty()) {
    spdlog::info("query: data file cache adopted {} files, {} bytes, in {}", found.size(),
                 bytes_held_, options_.dir);
  }
  EvictFor(0);  // the bound may have shrunk since they were written
  return Status::Ok();
}

std::string DataFileCache::PathOf(const std::string& name) const {
  return options_.dir + "/" + name;
}

DataFileCache::Lease DataFileCache::MakeLease(const std::string& name) {
  Lease lease;
  lease.cache_ = this;
  lease.name_ = name;
  lease.path_ = PathOf(name);
  return lease;
}

Result<DataFileCache::Lease> DataFileCache::Acquire(std::string_view key) {
  if (auto local = store_.LocalPathOf(key)) {
    Lease lease;
    lease.path_ = std::move(*local);
    return lease;
  }
  LH_ASSIGN_OR_RETURN(std::string hash, Sha256Hex(key));
  const std::string name = hash + std::string(kSuffix);
  std::unique_lock lock(mu_);
  if (auto it = entries_.find(name); it != entries_.end()) {
    Entry& entry = it->second;
    ++entry.pins;  // before any wait, so the copy cannot go between its arrival and our use
    ++counters_.hits;
    if (entry.flight) {
      std::shared_ptr<Flight> flight = entry.flight;
      done_cv_.wait(lock, [&] { return flight->done; });
      // A failed download erased the entry, and with it our pin.
      if (!flight->status.ok()) return flight->status;
    } else {
      lru_.splice(lru_.begin(), lru_, entry.lru);
      lock.unlock();
      // The mtime carries recency over a restart; failing to set it only
      // makes the order at the next start less exact.
      ::utimensat(AT_FDCWD, PathOf(name).c_str(), nullptr, 0);
    }
    return MakeLease(name);
  }
  Entry& entry = entries_[name];
  entry.pins = 1;
  entry.flight = std::make_shared<Flight>();
  ++counters_.misses;
  lock.unlock();

  Result<uint64_t> fetched = Download(key, name);

  lock.lock();
  auto it = entries_.find(name);
  std::shared_ptr<Flight> flight = std::move(it->second.flight);
  flight->done = true;
  if (!fetched.ok()) {
    flight->status = fetched.status();
    bytes_held_ -= it->second.size;
    entries_.erase(it);
    ++counters_.fetch_failures;
  } else {
    // The announced size was reserved; hold what actually arrived.
    bytes_held_ = bytes_held_ - it->second.size + *fetched;
    it->second.size = *fetched;
    lru_.push_front(name);
    it->second.lru = lru_.begin();
    counters_.bytes_fetched += *fetched;
  }
  lock.unlock();
  done_cv_.notify_all();
  if (!fetched.ok()) return fetched.status();
  return MakeLease(name);
}

Result<uint64_t> DataFileCache::Download(std::string_view key, const std::string& name) {
  const std::string path = PathOf(name);
  std::string temp;
  {
    std::lock_guard lock(mu_);
    temp = path + std::string(kTempMark) + std::to_string(::getpid()) + "-" +
           std::to_string(temp_counter_++);
  }
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, "create " + temp);
  FileSink sink(fd, [&](uint64_t size) {
    std::lock_guard lock(mu_);
    EvictFor(size);
    entries_[name].size = size;
    bytes_held_ += size;
  });
  Result<storage::ObjectInfo> got = store_.Get(key, sink);
  Status status = got.status();
  // Durable before it is renamed: a copy adopted after a crash must be whole.
  if (status.ok() && ::fsync(fd) != 0) status = Status::FromErrno(errno, "fsync " + temp);
  if (::close(fd) != 0 && status.ok()) status = Status::FromErrno(errno, "close " + temp);
  if (status.ok() && got->size != sink.written()) {
    status = Status::IoError("data file " + std::string(key) + " arrived with " +
                             std::to_string(sink.written()) + " of its " +
                             std::to_string(got->size) + " bytes");
  }
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = Status::FromErrno(errno, "rename " + temp);
  }
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  return sink.written();
}

void DataFileCache::EvictFor(uint64_t incoming) {
  auto it = lru_.end();
  while (bytes_held_ + incoming > options_.max_bytes && it != lru_.begin()) {
    --it;
    auto entry = entries_.find(*it);
    if (entry->second.pins > 0) continue;
    ++it;  // RemoveLocked erases the entry's place in lru_
    RemoveLocked(entry);
    ++counters_.evictions;
  }
}

void DataFileCache::RemoveLocked(std::map<std::string, Entry>::iterator entry) {
  std::error_code ec;
  // Removed under the lock, so a new download of the same key cannot be
  // renamed into place before this removal and then lose its file.
  std::filesystem::remove(PathOf(entry->first), ec);
  if (ec) spdlog::warn("query: cannot remove cached data file {}: {}", entry->first, ec.message());
  bytes_held_ -= entry->second.size;
  lru_.erase(entry->second.lru);
  entries_.erase(entry);
}

void DataFileCache::Forget(std::string_view key) {
  if (store_.LocalPathOf(key)) return;  // nothing was copied
  // Acquire names entries by the same hash, so a key that cannot be hashed
  // was never copied either.
  auto hash = Sha256Hex(key);
  if (!hash.ok()) return;
  std::lock_guard lock(mu_);
  auto it = entries_.find(*hash + std::string(kSuffix));
  if (it == entries_.end()) return;
  if (it->second.pins > 0 || it->second.flight) {
    it->second.forgotten = true;
    return;
  }
  RemoveLocked(it);
}

void DataFileCache::Unpin(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return;
  if (--it->second.pins > 0) return;
  if (it->second.forgotten && !it->second.flight) return RemoveLocked(it);
  if (bytes_held_ > options_.max_bytes) EvictFor(0);
}

DataFileCacheStats DataFileCache::stats() const {
  std::lock_guard lock(mu_);
  DataFileCacheStats stats = counters_;
  stats.bytes_held = bytes_held_;
  stats.files_held = entries_.size();
  for (const auto& [name, entry] : entries_) stats.pinned_files += entry.pins > 0 ? 1 : 0;
  return stats;
}

}  // namespace lakehouse::query
