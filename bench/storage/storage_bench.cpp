// bench/storage: PUT and GET throughput of the object store backends for
// 4 KiB and 1 MiB objects, next to a raw loop on the same disk as the anchor.
//
// Modes, one client thread each, all writing under one fresh directory:
//   raw write+fsync+rename+dirsync  write(2) to a temp file, fsync it, rename
//                                   it to its name, fsync the directory: the
//                                   least an atomic, durable Put must do
//   raw write+fsync+rename          the same without the directory fsync
//   local in-process                LocalObjectStore::Put / Get
//   storaged-http                   HttpObjectStore (keep-alive) to an
//                                   in-process HttpServer serving
//                                   RegisterObjectRoutes over a
//                                   LocalObjectStore on 127.0.0.1
// GET reads back the objects the same case wrote, so every mode reads from
// the page cache alike; the raw GET is open+fstat+read+close.
//
// Each case runs in `--rounds` slices and the mode order rotates per round,
// so slow drift of the disk does not favour one mode over another.
//
// The S3 part (--only s3) starts the unit tests' S3 peer (tests/s3/peer.mjs:
// s3rver under node on loopback) and measures, in the same run:
//   s3 (loopback peer)    S3ObjectStore PUT / GET of 4 KiB and 16 MiB objects
//                         (16 MiB goes up as a multipart upload), against
//   local in-process      LocalObjectStore as the anchor;
//   a query through queryd's data file cache: a QueryEngine over the S3
//   store with a dataset of a few Parquet files, cold (empty cache, a fresh
//   engine) and warm (the same query again), against the same query on the
//   local backend, which reads the files in place.
// Without node or s3rver (scripts/bootstrap.sh) it says so and skips.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/common/bench_common.h"
#include "catalog/store_catalog.h"
#include "common/config.h"
#include "ingest/ingestor.h"
#include "query/query_engine.h"
#include "server/http_server.h"
#include "server/object_routes.h"
#include "storage/http_object_store.h"
#include "storage/local_object_store.h"
#include "storage/s3_object_store.h"
#include "testing/s3_peer.h"

namespace {

namespace bench = lakehouse::bench;
using bench::Check;
using bench::Clock;
using bench::Fail;
using bench::FailErrno;
using bench::g_interrupted;
using lakehouse::Status;
namespace storage = lakehouse::storage;

constexpr const char* kTool = "storage_bench";
constexpr size_t kSizes[] = {4 * 1024, 1024 * 1024};
constexpr uint64_t kMaxObjectBytes = 64ull << 20;
constexpr size_t kMinOpsPerSlice = 3;
constexpr size_t kWarmupOps = 20;

std::string SizeLabel(size_t size) {
  return size >= (1u << 20) ? std::to_string(size >> 20) + " MiB"
                            : std::to_string(size >> 10) + " KiB";
}
std::string SizeTag(size_t size) {
  return size >= (1u << 20) ? std::to_string(size >> 20) + "m" : std::to_string(size >> 10) + "k";
}

// ---------------------------------------------------------------------------
// Targets: one PUT and GET implementation per mode.

// Every object carries its serial number in its first 8 bytes, so a GET can
// tell that it read the object it asked for, not just one of the right size.
class Target {
 public:
  virtual ~Target() = default;
  virtual void Put(const std::string& key, std::string_view bytes) = 0;
  // Reads the object whole; fails unless it has `size` bytes and `serial`.
  virtual void Get(const std::string& key, size_t size, uint64_t serial) = 0;
};

void CheckStamp(const char* head, size_t received, size_t size, uint64_t serial,
                const std::string& key) {
  if (received != size) {
    Fail("GET " + key + " returned " + std::to_string(received) + " bytes, expected " +
         std::to_string(size));
  }
  uint64_t stamp;
  std::memcpy(&stamp, head, sizeof stamp);
  if (stamp != serial) Fail("GET " + key + " returned another object's bytes");
}

int RetryEintr(auto call) {
  int rc;
  do {
    rc = call();
  } while (rc < 0 && errno == EINTR);
  return rc;
}

// write(2) to a temp file, fsync, rename, optionally fsync the directory.
// Keys map to files "<dir of key with '/' as '_'>/<last segment>".
class RawTarget final : public Target {
 public:
  RawTarget(std::string root, bool dir_sync) : root_(std::move(root)), dir_sync_(dir_sync) {
    if (::mkdir(root_.c_str(), 0755) != 0) FailErrno("mkdir " + root_);
    root_fd_ = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd_ < 0) FailErrno("open " + root_);
  }
  ~RawTarget() override {
    for (auto& [dir, fd] : dirs_) ::close(fd);
    ::close(root_fd_);
  }

  void Put(const std::string& key, std::string_view bytes) override {
    const auto& [dir, dir_fd] = Dir(key);
    const std::string path = dir + "/" + key.substr(key.rfind('/') + 1);
    const std::string temp = dir + "/.tmp-" + std::to_string(counter_++);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) FailErrno("create " + temp);
    if (!bench::WriteAll(fd, bytes.data(), bytes.size())) FailErrno("write " + temp);
    if (RetryEintr([&] { return ::fsync(fd); }) != 0) FailErrno("fsync " + temp);
    if (::close(fd) != 0) FailErrno("close " + temp);
    if (::rename(temp.c_str(), path.c_str()) != 0) FailErrno("rename " + path);
    if (dir_sync_ && RetryEintr([&] { return ::fsync(dir_fd); }) != 0) FailErrno("fsync " + dir);
  }

  void Get(const std::string& key, size_t size, uint64_t serial) override {
    const std::string path = Dir(key).first + "/" + key.substr(key.rfind('/') + 1);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) FailErrno("open " + path);
    struct stat st;
    if (::fstat(fd, &st) != 0) FailErrno("fstat " + path);
    const size_t file_size = static_cast<size_t>(st.st_size);
    if (read_buffer_.size() < file_size) read_buffer_.resize(file_size);
    size_t received = 0;
    while (received < file_size) {
      ssize_t n = ::read(fd, read_buffer_.data() + received, file_size - received);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) FailErrno("read " + path);
      if (n == 0) break;
      received += static_cast<size_t>(n);
    }
    ::close(fd);
    CheckStamp(read_buffer_.data(), received, size, serial, key);
  }

 private:
  // The directory of a key's file and an open descriptor on it, made on first use.
  const std::pair<const std::string, int>& Dir(const std::string& key) {
    std::string name = key.substr(0, key.rfind('/'));
    std::replace(name.begin(), name.end(), '/', '_');
    std::string dir = root_ + "/" + name;
    auto it = dirs_.find(dir);
    if (it == dirs_.end()) {
      if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) FailErrno("mkdir " + dir);
      int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0) FailErrno("open " + dir);
      if (dir_sync_ && ::fsync(root_fd_) != 0) FailErrno("fsync " + root_);
      it = dirs_.emplace(dir, fd).first;
    }
    return *it;
  }

  std::string root_;
  bool dir_sync_;
  int root_fd_ = -1;
  uint64_t counter_ = 0;
  std::map<std::string, int> dirs_;
  std::vector<char> read_buffer_;
};

// Discards a GET's bytes, keeping their count and the first 8.
class DiscardSink final : public storage::ObjectSink {
 public:
  void Reset() {
    info_size_ = 0;
    received_ = 0;
  }
  Status OnInfo(const storage::ObjectInfo& info) override {
    info_size_ = info.size;
    return Status::Ok();
  }
  Status OnData(std::string_view chunk) override {
    if (received_ < sizeof head_) {
      std::memcpy(head_ + received_, chunk.data(),
                  std::min(chunk.size(), sizeof head_ - static_cast<size_t>(received_)));
    }
    received_ += chunk.size();
    return Status::Ok();
  }
  uint64_t info_size() const { return info_size_; }
  uint64_t received() const { return received_; }
  const char* head() const { return head_; }

 private:
  uint64_t info_size_ = 0;
  uint64_t received_ = 0;
  char head_[8] = {};
};

// Any ObjectStore: Put with content_length set, Get into a discarding sink.
class StoreTarget final : public Target {
 public:
  explicit StoreTarget(storage::ObjectStore& store) : store_(store) {}

  void Put(const std::string& key, std::string_view bytes) override {
    storage::PutOptions options;
    options.content_length = bytes.size();
    auto info = store_.Put(
        key, [bytes](const storage::ChunkWriter& write) { return write(bytes); }, options);
    Check(info.status(), "PUT " + key);
    if (info->size != bytes.size()) Fail("PUT " + key + " stored a different size");
  }

  void Get(const std::string& key, size_t size, uint64_t serial) override {
    sink_.Reset();
    auto info = store_.Get(key, sink_);
    Check(info.status(), "GET " + key);
    if (sink_.info_size() != size) Fail("GET " + key + " announced a different size");
    CheckStamp(sink_.head(), static_cast<size_t>(sink_.received()), size, serial, key);
  }

 private:
  storage::ObjectStore& store_;
  DiscardSink sink_;
};

// ---------------------------------------------------------------------------
// Measurement.

struct Stats {
  uint64_t ops = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  std::vector<float> latencies_us;

  double ops_per_s() const { return seconds > 0 ? static_cast<double>(ops) / seconds : 0; }
  double mb_per_s() const { return seconds > 0 ? static_cast<double>(bytes) / seconds / 1e6 : 0; }
  double percentile_ms(double p) {
    if (latencies_us.empty()) return 0;
    size_t index = std::min(latencies_us.size() - 1,
                            static_cast<size_t>(p * static_cast<double>(latencies_us.size())));
    std::nth_element(latencies_us.begin(), latencies_us.begin() + static_cast<ptrdiff_t>(index),
                     latencies_us.end());
    return latencies_us[index] / 1000.0;
  }
};

// Runs op(0), op(1), ... until `budget_s` has passed (at least
// kMinOpsPerSlice, at most max_ops times), adding the count, bytes, time and
// latencies to `stats`.
template <typename Op>
void RunTimed(double budget_s, size_t max_ops, size_t size, Stats& stats, Op op) {
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(budget_s));
  auto t = start;
  size_t n = 0;
  while (n < max_ops && (n < kMinOpsPerSlice || t < deadline) && !g_interrupted) {
    op(n);
    const auto done = Clock::now();
    stats.latencies_us.push_back(
        static_cast<float>(std::chrono::duration<double, std::micro>(done - t).count()));
    t = done;
    ++n;
  }
  stats.ops += n;
  stats.bytes += n * size;
  stats.seconds += std::chrono::duration<double>(t - start).count();
}

struct Mode {
  std::string tag;       // for --only
  std::string name;      // PUT label
  std::string get_name;  // GET label; empty: no GET (reads the same as another mode)
  Target* target;
  bool enabled = true;
};

// Whether `item` is one of the comma-separated words of `list`; an empty list
// holds everything.
bool Listed(const std::string& list, const std::string& item) {
  if (list.empty()) return true;
  std::istringstream words(list);
  std::string word;
  while (std::getline(words, word, ',')) {
    if (word == item) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------

struct Options : bench::CommonOptions {
  double seconds_per_case = 3.0;
  int rounds = 4;
  std::string only;              // mode tags to run; empty: all
  std::string sizes;             // size tags to run; empty: all
  uint64_t query_rows = 100000;  // per data file in the S3 part's query
};

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: storage_bench [--dir PARENT] [--seconds-per-case S] [--rounds N] "
               "[--quick] [--keep] [--only MODES] [--sizes SIZES]\n"
               "  --dir PARENT          make the scratch directory under PARENT (default: .);\n"
               "                        every mode writes to that same disk\n"
               "  --seconds-per-case S  time per mode x size x op (default 3; 14 cases)\n"
               "  --rounds N            split each case into N slices, rotating the mode\n"
               "                        order per round (default 4)\n"
               "  --quick               tiny run for a sanity check (0.1 s per case, 1 round)\n"
               "  --keep                leave the scratch directory in place\n"
               "  --only MODES          run only these of raw,raw-nodirsync,local,http,s3\n"
               "                        (for profiling; ratios need raw; s3 is the S3 part,\n"
               "                        with its own local anchor)\n"
               "  --sizes SIZES         run only these of 4k,1m (and 4k,16m in the S3 part)\n"
               "  --query-rows N        rows of each of the S3 part's 4 data files\n"
               "                        (default 100000; --quick 10000)\n");
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  bool seconds_set = false, rounds_set = false, query_rows_set = false;
  bench::ParseArguments(argc, argv, kTool, Usage, options, [&](const std::string& arg, int& i) {
    auto value = [&] { return bench::OptionValue(argc, argv, i, kTool); };
    try {
      if (arg == "--seconds-per-case") {
        options.seconds_per_case = std::stod(value());
        seconds_set = true;
      } else if (arg == "--rounds") {
        options.rounds = std::stoi(value());
        rounds_set = true;
      } else if (arg == "--only") {
        options.only = value();
      } else if (arg == "--sizes") {
        options.sizes = value();
      } else if (arg == "--query-rows") {
        options.query_rows = bench::ParseCount(value(), "--query-rows", kTool);
        query_rows_set = true;
      } else {
        return false;
      }
    } catch (const std::logic_error&) {
      std::fprintf(stderr, "%s: bad number for %s\n", kTool, arg.c_str());
      std::exit(2);
    }
    return true;
  });
  if (options.quick) {
    if (!seconds_set) options.seconds_per_case = 0.1;
    if (!rounds_set) options.rounds = 1;
    if (!query_rows_set) options.query_rows = 10000;
  }
  auto check_words = [](const std::string& list, const std::string& known, const char* flag) {
    std::istringstream words(list);
    std::string word;
    while (std::getline(words, word, ',')) {
      if (!Listed(known, word)) {
        std::fprintf(stderr, "%s: %s takes some of %s, not \"%s\"\n", kTool, flag, known.c_str(),
                     word.c_str());
        std::exit(2);
      }
    }
  };
  check_words(options.only, "raw,raw-nodirsync,local,http,s3", "--only");
  check_words(options.sizes, "4k,1m,16m", "--sizes");
  if (options.seconds_per_case <= 0 || options.rounds < 1) {
    std::fprintf(stderr, "%s: --seconds-per-case and --rounds must be positive\n", kTool);
    std::exit(2);
  }
  return options;
}

int RunBackends(const Options& options, const std::string& root) {
  // Disk budget: at most a quarter of the free space, and 8 GiB, over all PUT slices.
  const uint64_t budget = std::min<uint64_t>(bench::FreeBytes(root) / 4, 8ull << 30);

  RawTarget raw_dirsync(root + "/raw-dirsync", true);
  RawTarget raw_nodirsync(root + "/raw-nodirsync", false);

  auto open_store = [](const std::string& dir, const std::string& what) {
    storage::LocalObjectStoreOptions store_options;
    store_options.root = dir;
    store_options.max_object_bytes = kMaxObjectBytes;
    auto store = storage::LocalObjectStore::Open(store_options);
    Check(store.status(), what);
    return std::move(*store);
  };
  auto local_store = open_store(root + "/local", "open local store");
  StoreTarget local(*local_store);

  auto served_store = open_store(root + "/storaged", "open storaged's store");
  lakehouse::HttpConfig http_config;
  lakehouse::server::HttpServer server(http_config, kMaxObjectBytes);
  // HttpObjectStore speaks storaged's internal routes, as the services do.
  lakehouse::server::RegisterObjectRoutes(server.router(), *served_store, kMaxObjectBytes,
                                          lakehouse::server::ObjectApi::kInternal);
  bench::ServerThread running(server, "bind storaged");

  lakehouse::http::ClientOptions client_options;
  client_options.base_url = "http://127.0.0.1:" + std::to_string(running.port());
  auto http_store = storage::HttpObjectStore::Create(client_options);
  Check(http_store.status(), "create HTTP client");
  StoreTarget http(**http_store);

  std::vector<Mode> modes = {
      {"raw", "raw write+fsync+rename+dirsync", "raw open+read+close", &raw_dirsync},
      {"raw-nodirsync", "raw write+fsync+rename", "", &raw_nodirsync},
      {"local", "local in-process", "local in-process", &local},
      {"http", "storaged-http", "storaged-http", &http},
  };
  for (Mode& mode : modes) mode.enabled = Listed(options.only, mode.tag);
  const size_t num_modes = modes.size();
  const size_t num_sizes = std::size(kSizes);
  // put[mode][size], get[mode][size]
  std::vector<std::vector<Stats>> put(num_modes, std::vector<Stats>(num_sizes));
  std::vector<std::vector<Stats>> get(num_modes, std::vector<Stats>(num_sizes));
  std::vector<std::vector<uint64_t>> next_serial(num_modes, std::vector<uint64_t>(num_sizes, 0));

  const double slice_s = options.seconds_per_case / options.rounds;
  // The 4 KiB slices get 1/16 of the disk budget, the 1 MiB ones the rest.
  std::vector<size_t> max_put_ops(num_sizes);
  for (size_t s = 0; s < num_sizes; ++s) {
    const uint64_t share = s + 1 < num_sizes ? budget / 16 : budget - budget / 16;
    uint64_t per_slice = share / (num_modes * options.rounds) / kSizes[s];
    max_put_ops[s] = static_cast<size_t>(std::clamp<uint64_t>(per_slice, kMinOpsPerSlice, 1000000));
  }

  std::printf("storage_bench: PUT and GET throughput, one client thread, %s\n", options.run_kind());
  bench::PrintMachine(root, bench::MachineLine::kBrief);
  std::printf(
      "run: %d round(s) x %.2f s per case (%.2f s per case), mode order rotated per round\n",
      options.rounds, slice_s, options.seconds_per_case);
  std::printf(
      "     PUT slice capped at %zu objects (4 KiB) / %zu objects (1 MiB) by the disk budget\n",
      max_put_ops[0], max_put_ops[1]);
  std::printf(
      "storaged-http: in-process HttpServer (%d worker threads, cpp-httplib %s) on "
      "127.0.0.1:%d, keep-alive client, request log off\n",
      http_config.threads, CPPHTTPLIB_VERSION, running.port());
  std::printf("GET reads back the objects its case wrote (page cache); MB = 10^6 bytes\n");
  std::fflush(stdout);

  std::vector<char> payload(kSizes[num_sizes - 1]);
  {
    std::mt19937_64 rng(42);
    for (auto& c : payload) c = static_cast<char>(rng());
  }

  struct Object {
    std::string key;
    uint64_t serial;
  };
  // PUTs fresh objects "bench/<phase>/<size>/<serial>" for `budget_s` (at
  // most max_puts), then, when the mode has a GET, reads them back in turn
  // for `budget_s` (at most max_gets).
  auto run_case = [&](size_t m, size_t s, const char* phase, double budget_s, size_t max_puts,
                      size_t max_gets, Stats& put_stats, Stats& get_stats) {
    Mode& mode = modes[m];
    const size_t size = kSizes[s];
    std::vector<Object> written;
    RunTimed(budget_s, max_puts, size, put_stats, [&](size_t) {
      const uint64_t serial = next_serial[m][s]++;
      char key[64];
      std::snprintf(key, sizeof key, "bench/%s/%s/%06llu", phase, SizeTag(size).c_str(),
                    static_cast<unsigned long long>(serial));
      std::memcpy(payload.data(), &serial, sizeof serial);
      mode.target->Put(key, std::string_view(payload.data(), size));
      written.push_back({key, serial});
    });
    if (mode.get_name.empty() || written.empty()) return;
    RunTimed(budget_s, max_gets, size, get_stats, [&](size_t n) {
      const Object& object = written[n % written.size()];
      mode.target->Get(object.key, size, object.serial);
    });
  };

  // Warm-up, not counted: makes the directories, opens the HTTP connection,
  // faults in the buffers.
  for (size_t s = 0; s < num_sizes; ++s) {
    if (!Listed(options.sizes, SizeTag(kSizes[s]))) continue;
    for (size_t m = 0; m < num_modes; ++m) {
      if (!modes[m].enabled) continue;
      Stats ignored_put, ignored_get;
      run_case(m, s, "warmup", 60.0, kWarmupOps, kWarmupOps, ignored_put, ignored_get);
    }
  }

  const bench::CpuSample cpu_before = bench::SampleCpu();
  for (int round = 0; round < options.rounds && !g_interrupted; ++round) {
    for (size_t s = 0; s < num_sizes && !g_interrupted; ++s) {
      const size_t size = kSizes[s];
      if (!Listed(options.sizes, SizeTag(size))) continue;
      for (size_t i = 0; i < num_modes && !g_interrupted; ++i) {
        const size_t m = (static_cast<size_t>(round) + i) % num_modes;
        if (!modes[m].enabled) continue;
        run_case(m, s, "put", slice_s, max_put_ops[s], SIZE_MAX, put[m][s], get[m][s]);
      }
    }
  }
  const bench::CpuSample cpu_after = bench::SampleCpu();
  if (g_interrupted) std::printf("\ninterrupted: partial results\n");

  std::printf("\n%-32s %-7s %-4s %8s %8s %10s %9s %8s %8s\n", "mode", "size", "op", "objects",
              "seconds", "ops/s", "MB/s", "p50 ms", "p99 ms");
  auto row = [&](const std::string& name, size_t s, const char* op, Stats& stats) {
    if (stats.ops == 0) return;  // not run
    std::printf("%-32s %-7s %-4s %8llu %8.2f %10.1f %9.1f %8.3f %8.3f\n", name.c_str(),
                SizeLabel(kSizes[s]).c_str(), op, static_cast<unsigned long long>(stats.ops),
                stats.seconds, stats.ops_per_s(), stats.mb_per_s(), stats.percentile_ms(0.5),
                stats.percentile_ms(0.99));
  };
  for (size_t s = 0; s < num_sizes; ++s) {
    for (size_t m = 0; m < num_modes; ++m) row(modes[m].name, s, "PUT", put[m][s]);
    for (size_t m = 0; m < num_modes; ++m) {
      if (!modes[m].get_name.empty()) row(modes[m].get_name, s, "GET", get[m][s]);
    }
  }

  // Competing work matters most to the HTTP mode: each request hands off
  // between threads several times, and a wakeup on a busy CPU can wait for
  // the next scheduler tick.
  std::printf("\n");
  bench::PrintCpuContention(cpu_before, cpu_after,
                            "the numbers, the HTTP mode's most, are lower than on a quiet machine "
                            "(rerun when it is quiet, or under chrt -f 10)");

  auto ratio = [](const Stats& a, const Stats& b) {
    return bench::Ratio(a.ops_per_s(), b.ops_per_s());
  };
  const size_t kRaw = 0, kRawNoDirSync = 1, kLocal = 2, kHttp = 3;
  std::printf("\nratios (throughput of the mode / throughput of the raw anchor):\n");
  for (size_t s = 0; s < num_sizes; ++s) {
    const std::string size = SizeLabel(kSizes[s]);
    for (size_t m : {kHttp, kLocal}) {
      for (size_t anchor : {kRaw, kRawNoDirSync}) {
        std::printf("ratio %s / %s (%s PUT): %s\n", modes[m].name.c_str(),
                    modes[anchor].name.c_str(), size.c_str(),
                    ratio(put[m][s], put[anchor][s]).c_str());
      }
    }
    for (size_t m : {kHttp, kLocal}) {
      std::printf("ratio %s / %s (%s GET): %s\n", modes[m].get_name.c_str(),
                  modes[kRaw].get_name.c_str(), size.c_str(),
                  ratio(get[m][s], get[kRaw][s]).c_str());
    }
  }
  const size_t big = num_sizes - 1;
  for (size_t anchor : {kRaw, kRawNoDirSync}) {
    const Stats& a = put[kHttp][big];
    const Stats& b = put[anchor][big];
    if (a.ops == 0 || b.ops == 0) continue;
    bench::PrintGoal("storaged-http 1 MiB PUT >= 0.70 x " + modes[anchor].name, ratio(a, b),
                     a.ops_per_s() / b.ops_per_s() >= 0.70);
  }
  return g_interrupted ? 130 : 0;
}

// ---------------------------------------------------------------------------
// The S3 part.

constexpr size_t kS3Sizes[] = {4 * 1024, 16 * 1024 * 1024};
constexpr const char* kS3Query =
    "SELECT state, count(*) AS candidates, round(avg(hourly_rate), 2) AS avg_rate, "
    "max(years_experience) AS max_years FROM candidates GROUP BY state "
    "ORDER BY candidates DESC, state";
constexpr int kQueryFiles = 4;

// Runs kS3Query to its end; its wall time in ms.
double TimeQuery(lakehouse::query::QueryEngine& engine, const std::string& what) {
  const auto start = Clock::now();
  auto cursor = engine.Execute({kS3Query, 1000, {}});
  Check(cursor.status(), what);
  std::string rows;
  while (true) {
    auto more = (*cursor)->NextJson(rows);
    Check(more.status(), what);
    if (!*more) break;
  }
  if (rows.empty()) Fail(what + " returned no rows");
  return bench::SecondsSince(start) * 1000;
}

// kQueryFiles appends of the candidates CSV at `csv`: one Parquet file each.
void LoadDataset(lakehouse::storage::ObjectStore& store, lakehouse::catalog::StoreCatalog& catalog,
                 const std::string& scratch, const std::string& csv, const std::string& what) {
  lakehouse::ingest::IngestOptions ingest_options;
  ingest_options.scratch_dir = scratch;
  auto ingestor = lakehouse::ingest::Ingestor::Open(ingest_options, store, catalog);
  Check(ingestor.status(), "open the ingestor on " + what);
  for (int i = 0; i < kQueryFiles; ++i) {
    lakehouse::ingest::IngestRequest request;
    request.dataset = "candidates";
    request.file_name = "candidates.csv";
    auto result = (*ingestor)->Ingest(request, [&](const storage::ChunkWriter& write) -> Status {
      std::FILE* in = std::fopen(csv.c_str(), "rb");
      if (in == nullptr) return Status::FromErrno(errno, "open " + csv);
      std::vector<char> buffer(1 << 20);
      Status status;
      while (size_t n = std::fread(buffer.data(), 1, buffer.size(), in)) {
        status = write(std::string_view(buffer.data(), n));
        if (!status.ok()) break;
      }
      std::fclose(in);
      return status;
    });
    Check(result.status(), "ingest into " + what);
  }
}

lakehouse::query::QueryEngineOptions QueryOptionsIn(const std::string& scratch) {
  lakehouse::query::QueryEngineOptions options;
  options.scratch_dir = scratch;
  options.connections = 1;
  return options;
}

void RunS3(const Options& options, const std::string& root) {
  std::printf(
      "\nS3 backend: S3ObjectStore against the S3 peer of the unit tests on loopback, "
      "local in-process as the anchor in the same run\n");
  std::fflush(stdout);
  lakehouse::testing::S3Peer peer(root + "/s3-peer");
  if (!peer.available()) {
    std::printf("s3: SKIPPED: %s\n", peer.unavailable_reason().c_str());
    return;
  }
  storage::S3Options s3_options = peer.Options();
  s3_options.max_object_bytes = kMaxObjectBytes;
  auto s3_store = storage::S3ObjectStore::Create(s3_options);
  Check(s3_store.status(), "create the S3 client");
  storage::LocalObjectStoreOptions local_options;
  local_options.root = root + "/s3-anchor";
  local_options.max_object_bytes = kMaxObjectBytes;
  auto local_store = storage::LocalObjectStore::Open(local_options);
  Check(local_store.status(), "open the anchor's local store");
  StoreTarget s3(**s3_store), local(**local_store);
  struct S3Mode {
    std::string name;
    Target* target;
  };
  const std::vector<S3Mode> modes = {{"s3 (loopback peer)", &s3}, {"local in-process", &local}};
  std::printf(
      "s3: tests/s3/peer.mjs (s3rver under node, SigV4 checked) at %s, objects on the "
      "same disk; 16 MiB PUTs go up as multipart uploads of %llu MiB parts\n",
      peer.endpoint().c_str(), static_cast<unsigned long long>(s3_options.part_bytes >> 20));
  std::fflush(stdout);

  const size_t num_sizes = std::size(kS3Sizes);
  std::vector<std::vector<Stats>> put(modes.size(), std::vector<Stats>(num_sizes));
  std::vector<std::vector<Stats>> get(modes.size(), std::vector<Stats>(num_sizes));
  // Disk: at most an eighth of the free space, and 4 GiB, over all PUT slices.
  const uint64_t budget = std::min<uint64_t>(bench::FreeBytes(root) / 8, 4ull << 30);
  std::vector<char> payload(kS3Sizes[num_sizes - 1]);
  {
    std::mt19937_64 rng(7);
    for (auto& c : payload) c = static_cast<char>(rng());
  }
  uint64_t serial = 0;
  auto run_case = [&](size_t m, size_t s, double budget_s, size_t max_ops, size_t max_gets,
                      Stats& put_stats, Stats& get_stats) {
    const size_t size = kS3Sizes[s];
    std::vector<std::pair<std::string, uint64_t>> written;
    RunTimed(budget_s, max_ops, size, put_stats, [&](size_t) {
      const uint64_t n = serial++;
      std::string key = "bench/s3/" + SizeTag(size) + "/" + std::to_string(n);
      std::memcpy(payload.data(), &n, sizeof n);
      modes[m].target->Put(key, std::string_view(payload.data(), size));
      written.emplace_back(std::move(key), n);
    });
    RunTimed(budget_s, max_gets, size, get_stats, [&](size_t i) {
      const auto& [key, n] = written[i % written.size()];
      modes[m].target->Get(key, size, n);
    });
  };
  const double slice_s = options.seconds_per_case / options.rounds;
  for (size_t s = 0; s < num_sizes; ++s) {
    if (!Listed(options.sizes, SizeTag(kS3Sizes[s]))) continue;
    const uint64_t share = s == 0 ? budget / 16 : budget - budget / 16;
    const size_t max_ops = static_cast<size_t>(std::clamp<uint64_t>(
        share / (modes.size() * static_cast<uint64_t>(options.rounds + 1)) / kS3Sizes[s],
        kMinOpsPerSlice, 1000000));
    for (size_t m = 0; m < modes.size(); ++m) {  // warm-up: connections, directories
      Stats ignored_put, ignored_get;
      run_case(m, s, 60.0, 3, 3, ignored_put, ignored_get);
    }
    for (int round = 0; round < options.rounds && !g_interrupted; ++round) {
      for (size_t i = 0; i < modes.size() && !g_interrupted; ++i) {
        const size_t m = (static_cast<size_t>(round) + i) % modes.size();
        run_case(m, s, slice_s, max_ops, SIZE_MAX, put[m][s], get[m][s]);
      }
    }
  }
  std::printf("\n%-32s %-7s %-4s %8s %8s %10s %9s %8s %8s\n", "mode", "size", "op", "objects",
              "seconds", "ops/s", "MB/s", "p50 ms", "p99 ms");
  for (size_t s = 0; s < num_sizes; ++s) {
    for (const char* op : {"PUT", "GET"}) {
      for (size_t m = 0; m < modes.size(); ++m) {
        Stats& stats = op[0] == 'P' ? put[m][s] : get[m][s];
        if (stats.ops == 0) continue;
        std::printf("%-32s %-7s %-4s %8llu %8.2f %10.1f %9.1f %8.3f %8.3f\n", modes[m].name.c_str(),
                    SizeLabel(kS3Sizes[s]).c_str(), op, static_cast<unsigned long long>(stats.ops),
                    stats.seconds, stats.ops_per_s(), stats.mb_per_s(), stats.percentile_ms(0.5),
                    stats.percentile_ms(0.99));
      }
    }
  }
  std::printf("\nratios (throughput of s3 / throughput of local in-process, same run):\n");
  std::fflush(stdout);
  for (size_t s = 0; s < num_sizes; ++s) {
    for (const char* op : {"PUT", "GET"}) {
      const Stats& a = op[0] == 'P' ? put[0][s] : get[0][s];
      const Stats& b = op[0] == 'P' ? put[1][s] : get[1][s];
      std::printf("ratio s3 / local in-process (%s %s): %s\n", SizeLabel(kS3Sizes[s]).c_str(), op,
                  bench::Ratio(a.ops_per_s(), b.ops_per_s()).c_str());
    }
  }
  if (g_interrupted) return;

  // A query through queryd's data file cache.
  const std::string csv = root + "/s3-candidates.csv";
  const uint64_t csv_bytes = bench::WriteCandidatesCsv(csv, options.query_rows);
  lakehouse::catalog::StoreCatalog s3_catalog(**s3_store);
  lakehouse::catalog::StoreCatalog local_catalog(**local_store);
  const auto load_start = Clock::now();
  LoadDataset(**s3_store, s3_catalog, root + "/s3-ingest", csv, "the S3 store");
  LoadDataset(**local_store, local_catalog, root + "/s3-anchor-ingest", csv, "the local store");
  auto manifest = s3_catalog.GetCurrent("candidates");
  Check(manifest.status(), "read the S3 dataset's manifest");
  uint64_t data_bytes = 0;
  for (const auto& file : manifest->files) data_bytes += file.bytes;
  std::printf(
      "\nquery through the data file cache: %zu Parquet files, %s rows, %s bytes (from a %s-byte "
      "CSV x %d, loaded in %.1f s)\n  %s\n",
      manifest->files.size(),
      bench::Thousands(static_cast<double>(options.query_rows * kQueryFiles)).c_str(),
      bench::Thousands(static_cast<double>(data_bytes)).c_str(),
      bench::Thousands(static_cast<double>(csv_bytes)).c_str(), kQueryFiles,
      bench::SecondsSince(load_start), kS3Query);
  std::fflush(stdout);

  const int fresh_engines = options.quick ? 1 : 5;
  constexpr int kRepeats = 3;
  std::vector<double> cold, warm, local_first, local_repeat, lookup;
  uint64_t cold_fetched = 0, warm_fetched = 0, cold_misses = 0;
  for (int i = 0; i < fresh_engines && !g_interrupted; ++i) {
    {
      // A fresh engine on an empty cache; "SELECT 1" first, so the cold time
      // is the fetch and the query, not DuckDB's own start.
      const std::string scratch = root + "/s3-query-" + std::to_string(i);
      auto engine =
          lakehouse::query::QueryEngine::Open(QueryOptionsIn(scratch), s3_catalog, **s3_store);
      Check(engine.status(), "open the engine on S3");
      Check((*engine)->Execute({"SELECT 1", 1, {}}).status(), "SELECT 1");
      cold.push_back(TimeQuery(**engine, "the cold query"));
      const auto after_cold = (*engine)->cache_stats();
      cold_fetched += after_cold.bytes_fetched;
      cold_misses += after_cold.misses;
      for (int r = 0; r < kRepeats; ++r) {
        warm.push_back(TimeQuery(**engine, "the warm query"));
        // What a warm query pays before DuckDB starts: the current version's
        // manifest, read from S3 (the local backend reads it from disk).
        const auto start = Clock::now();
        Check(s3_catalog.GetCurrent("candidates").status(), "read the manifest");
        lookup.push_back(bench::SecondsSince(start) * 1000);
      }
      warm_fetched += (*engine)->cache_stats().bytes_fetched - after_cold.bytes_fetched;
      engine->reset();
      std::error_code ec;
      std::filesystem::remove_all(scratch, ec);
    }
    {
      const std::string scratch = root + "/local-query-" + std::to_string(i);
      auto engine = lakehouse::query::QueryEngine::Open(QueryOptionsIn(scratch), local_catalog,
                                                        **local_store);
      Check(engine.status(), "open the engine on the local store");
      Check((*engine)->Execute({"SELECT 1", 1, {}}).status(), "SELECT 1");
      local_first.push_back(TimeQuery(**engine, "the local query"));
      for (int r = 0; r < kRepeats; ++r) {
        local_repeat.push_back(TimeQuery(**engine, "the local query"));
      }
    }
  }
  if (cold.empty()) return;
  const double runs = static_cast<double>(cold.size());
  const double cold_ms = bench::Median(cold), warm_ms = bench::Median(warm);
  const double local_first_ms = bench::Median(local_first);
  const double local_ms = bench::Median(local_repeat);
  std::printf(
      "  medians of %zu fresh engines (cold, local first) and %zu runs (warm, local "
      "again)\n",
      cold.size(), warm.size());
  std::printf("query s3 cold (empty cache)           %9.1f ms  fetched %s files, %s bytes\n",
              cold_ms, bench::Fixed(static_cast<double>(cold_misses) / runs, 0).c_str(),
              bench::Thousands(static_cast<double>(cold_fetched) / runs).c_str());
  std::printf("query s3 warm (cached)                %9.1f ms  fetched %s bytes\n", warm_ms,
              bench::Thousands(static_cast<double>(warm_fetched)).c_str());
  std::printf("  of which the manifest read from S3     %9.1f ms  (catalog GetCurrent)\n",
              bench::Median(lookup));
  std::printf("query local backend, first            %9.1f ms  (files read in place)\n",
              local_first_ms);
  std::printf("query local backend, again            %9.1f ms\n", local_ms);
  std::printf("ratio query s3 warm / s3 cold: %s\n", bench::Ratio(warm_ms, cold_ms).c_str());
  std::printf("ratio query s3 cold / local first: %s\n",
              bench::Ratio(cold_ms, local_first_ms).c_str());
  std::printf("ratio query s3 warm / local again: %s\n", bench::Ratio(warm_ms, local_ms).c_str());
  bench::PrintGoal("s3 warm query fetches nothing",
                   bench::Thousands(static_cast<double>(warm_fetched)) + " bytes",
                   warm_fetched == 0);
  bench::PrintGoal("s3 warm query <= 0.5 x s3 cold", bench::Ratio(warm_ms, cold_ms),
                   warm_ms <= 0.5 * cold_ms);
}

int Run(const Options& options, const std::string& root) {
  int status = 0;
  bool backends = false;
  for (const char* tag : {"raw", "raw-nodirsync", "local", "http"}) {
    backends = backends || Listed(options.only, tag);
  }
  if (backends) status = RunBackends(options, root);
  if (status == 0 && !g_interrupted && Listed(options.only, "s3")) RunS3(options, root);
  return g_interrupted ? 130 : status;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::RunInScratchDir(kTool, ParseOptions(argc, argv), "bench-storage-tmp", Run);
}
