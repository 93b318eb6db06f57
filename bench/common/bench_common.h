// Shared by bench/storage, bench/ingest and bench/query: failure helpers,
// machine facts and CPU contention, the common options, the main around a
// run in a scratch directory, medians, ratio and goal lines. For ingest and
// query also a deterministic generator of the staffing data set (candidates,
// jobs, placements as CSV), an in-process server wired the way
// `lakehouse serve` wires it, a streaming file upload, and an anchor DuckDB
// opened through the C API.
#pragma once

#include <duckdb.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "catalog/store_catalog.h"
#include "common/config.h"
#include "common/status.h"
#include "ingest/ingestor.h"
#include "query/duckdb_handles.h"
#include "query/query_engine.h"
#include "server/http_server.h"
#include "storage/local_object_store.h"

namespace lakehouse::bench {

using Clock = std::chrono::steady_clock;

// The public data sets (vectors with ground truth, job postings):
// LAKEHOUSE_TEST_DATA when set, else ../shared/data beside the repository.
inline std::string TestDataDir() {
  const char* env = std::getenv("LAKEHOUSE_TEST_DATA");
  return env != nullptr && *env != '\0' ? std::string(env)
                                        : std::string(LAKEHOUSE_DEFAULT_TEST_DATA);
}

inline double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---------------------------------------------------------------------------
// Failures end the run with a message (main catches BenchError).

struct BenchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
[[noreturn]] void Fail(const std::string& what);
// Fail(what + ": " + strerror(errno)).
[[noreturn]] void FailErrno(const std::string& what);
void Check(const Status& status, const std::string& what);

// Writes all `size` bytes, resuming after short writes and EINTR; false (with
// errno set) on an error.
bool WriteAll(int fd, const char* data, size_t size);

// ---------------------------------------------------------------------------
// Machine facts and CPU contention.

std::string CpuModel();
// "<fstype> <device> on <mount point> (<options>)" of the mount holding `path`.
std::string MountOf(const std::string& path);
// Bytes free to an unprivileged user on the filesystem holding `path`.
uint64_t FreeBytes(const std::string& path);
// How much the "machine:" line says: the CPUs and the kernel, or also the RAM
// and the DuckDB and cpp-httplib versions.
enum class MachineLine { kBrief, kFull };
// Prints the "machine:" and "disk:" lines.
void PrintMachine(const std::string& scratch_dir, MachineLine line = MachineLine::kFull);

// CPU time of the whole machine (from /proc/stat) and of this process, to
// tell how much other work competed with the run.
struct CpuSample {
  double busy_s = 0;   // all CPUs, not idle, steal excluded
  double steal_s = 0;  // taken by the hypervisor
  double self_s = 0;   // this process, every thread
  Clock::time_point at;
};
CpuSample SampleCpu();
// What competing work means for the numbers, for the warning: the default
// suits benches whose goals are ratios of two modes run alike.
inline constexpr const char* kContentionSharedByRatios =
    "both sides of each ratio shared that, but the numbers are lower than on a quiet machine "
    "(rerun when it is quiet)";
// Prints the "cpu over ..." line, and a warning ending in `consequence` when
// others competed.
void PrintCpuContention(const CpuSample& before, const CpuSample& after,
                        const char* consequence = kContentionSharedByRatios);

// ---------------------------------------------------------------------------
// Scratch directories, arguments, the run, statistics.

// Makes "<parent>/<prefix>-XXXXXX" and returns its absolute path.
std::string MakeScratchDir(const std::string& parent, const std::string& prefix);
// Removes it (unless `keep`), reporting problems on stderr as `tool`.
void RemoveScratchDir(const std::string& root, bool keep, const char* tool);

// The value of option argv[i] (advancing i); exits with usage status 2 when
// it is missing.
std::string OptionValue(int argc, char** argv, int& i, const char* tool);
uint64_t ParseCount(const std::string& text, const char* flag, const char* tool);

// The options every bench takes (a bench's Options derive from it).
struct CommonOptions {
  std::string parent_dir = ".";  // --dir PARENT
  bool quick = false;            // --quick
  bool keep = false;             // --keep
  // For the title line.
  const char* run_kind() const {
    return quick ? "QUICK run (numbers are not meaningful)" : "full run";
  }
};

// Walks argv: --dir, --quick, --keep and --help/-h here, every other argument
// through `own(arg, i)`, which takes its values with OptionValue and returns
// false for one it does not know. --help prints `usage` on stdout and exits
// 0; an unknown argument is reported with the usage on stderr, exit status 2.
void ParseArguments(int argc, char** argv, const char* tool, void (*usage)(FILE*),
                    CommonOptions& common,
                    const std::function<bool(const std::string& arg, int& i)>& own);

// Set by SIGINT and SIGTERM under RunInScratchDir: the runs stop early and
// report what they have.
inline std::atomic<bool> g_interrupted{false};

// A bench's main around its run: turns the log down to warnings (the
// server's per-request access log and the ingestor's info lines would flood
// the output and time it), makes SIGINT and SIGTERM set g_interrupted, makes
// the scratch directory "<parent_dir>/<prefix>-XXXXXX" for run(root) and
// removes it after (unless --keep). A failure prints "<tool>: <what>" on
// stderr and returns 1; otherwise run's status.
int RunInScratchDir(const char* tool, const CommonOptions& options, const std::string& prefix,
                    const std::function<int(const std::string& root)>& run);
// The same for a bench's Run(options, root): its main is
// `return RunInScratchDir(kTool, ParseOptions(argc, argv), "<prefix>", Run);`.
template <typename Options>
int RunInScratchDir(const char* tool, const Options& options, const std::string& prefix,
                    int (*run)(const Options& options, const std::string& root)) {
  return RunInScratchDir(tool, options, prefix,
                         [&](const std::string& root) { return run(options, root); });
}

double Median(std::vector<double> values);
double Min(const std::vector<double>& values);
// Formats 1234567.8 as "1,234,568".
std::string Thousands(double value);
// Formats `value` with `places` decimals.
std::string Fixed(double value, int places);
// a / b with two decimals, or "n/a" when either is not positive (a mode that
// did not run).
std::string Ratio(double a, double b);
// Prints "goal: <goal>: <measured> MET" (or NOT MET).
void PrintGoal(const std::string& goal, const std::string& measured, bool met);

// ---------------------------------------------------------------------------
// The staffing data set. Every file is a pure function of its arguments
// (a fixed seed per table), so runs and machines see the same bytes.

// Days since 1970-01-01 as YYYY-MM-DD.
std::string DateString(int64_t days);

// id, first_name, last_name, email, state, city, title, years_experience,
// hourly_rate, available_from, resume (about 300 characters of text).
// Returns the file's size in bytes.
uint64_t WriteCandidatesCsv(const std::string& path, uint64_t rows);
// id, client, title, state, city, opened_on, status, max_bill_rate.
uint64_t WriteJobsCsv(const std::string& path, uint64_t rows);
// id, candidate_id (1..candidates), job_id (1..jobs), start_date, bill_rate,
// pay_rate.
uint64_t WritePlacementsCsv(const std::string& path, uint64_t rows, uint64_t candidates,
                            uint64_t jobs);

// ---------------------------------------------------------------------------
// An HttpServer's listen loop on 127.0.0.1:<any port>, run in a thread from
// construction (once the loop is listening) until destruction.
class ServerThread {
 public:
  // Binds the server, failing the run with `what` when it cannot.
  ServerThread(server::HttpServer& server, const std::string& what);
  ~ServerThread();
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  int port() const { return port_; }

 private:
  server::HttpServer& server_;
  std::thread thread_;
  int port_ = 0;
};

// ---------------------------------------------------------------------------
// The server, as `lakehouse serve --data DIR` wires it with no config file:
// a LocalObjectStore under DIR/objects, a StoreCatalog over it, an Ingestor
// with scratch under DIR/scratch/ingest, optionally a QueryEngine with
// scratch under DIR/scratch/query, and one HttpServer with the dataset (and
// query) routes on 127.0.0.1:<any port>, run in a thread.
class ServeInProcess {
 public:
  ServeInProcess(const std::string& data_dir, bool with_query);
  ServeInProcess(const ServeInProcess&) = delete;
  ServeInProcess& operator=(const ServeInProcess&) = delete;

  int port() const { return running_->port(); }
  const Config& config() const { return config_; }
  storage::LocalObjectStore& store() { return *store_; }
  catalog::StoreCatalog& catalog() { return *catalog_; }
  ingest::Ingestor& ingestor() { return *ingestor_; }
  query::QueryEngine* engine() { return engine_.get(); }
  // For routes a bench adds for diagnostics (before the first request).
  httplib::Server& router() { return http_->router(); }
  // A keep-alive client to this server, TCP_NODELAY as http::ClientPool sets.
  std::unique_ptr<httplib::Client> Client() const;
  // Local paths of the Parquet files of a dataset's current version.
  std::vector<std::string> DataFilePaths(const std::string& dataset);

 private:
  Config config_;
  std::unique_ptr<storage::LocalObjectStore> store_;
  std::unique_ptr<catalog::StoreCatalog> catalog_;
  std::unique_ptr<ingest::Ingestor> ingestor_;
  std::unique_ptr<query::QueryEngine> engine_;
  std::unique_ptr<server::HttpServer> http_;
  // Declared last: stops the server before the parts it serves go.
  std::optional<ServerThread> running_;
};

struct Upload {
  int status = 0;
  std::string body;
  double seconds = 0;  // from the request's start to the whole response
};
// POSTs the file at `path` to `target`, streaming it in 1 MiB reads with a
// Content-Length. Fails the run on a transport error.
Upload PostFile(httplib::Client& client, const std::string& target, const std::string& path);
// POSTs the file to the ingest route; fails the run unless the answer is 201
// with rows_added == expected_rows.
Upload IngestFile(httplib::Client& client, const std::string& dataset, const std::string& path,
                  const char* mode, uint64_t expected_rows);

// ---------------------------------------------------------------------------
// The anchor: a separate in-memory DuckDB through the C API, unfenced.
class AnchorDb {
 public:
  AnchorDb(int threads, const std::string& memory_limit, const std::string& temp_dir);
  duckdb_connection connection() const { return connection_.get(); }
  // Runs SQL, failing the run on an error.
  void Exec(const std::string& sql);
  // Runs a statement that changes rows (COPY): the count it reports.
  uint64_t RowsChanged(const std::string& sql);

  // A fully materialised result, walked chunk by chunk. `touched` folds in
  // every row's first column and string lengths, so the walk is real work.
  struct Fetched {
    uint64_t rows = 0;
    uint64_t columns = 0;
    uint64_t touched = 0;
  };
  Fetched Query(const std::string& sql);

 private:
  query::Database database_;
  query::Connection connection_;
};

}  // namespace lakehouse::bench
