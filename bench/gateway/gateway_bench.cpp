// bench/gateway: what the front door costs a small query and a vector
// search, in split mode (the `gateway` process in front of queryd and
// vectord) and in `serve` (the token check and metrics in front of the same
// routes), against the same calls without it, in the same run.
//
// Data: a generated 10,000-row candidates CSV (the staffing generator of
// bench/common) and an index of 10,000 generated 128-dim vectors
// (SIFT-like: integer components 0..127, l2, M 16, ef_construction 200).
//
// Part 1, split mode: the real binary (LAKEHOUSE_BINARY, or --binary) runs
// storaged, catalogd, queryd, vectord and gateway as five processes on free
// loopback ports, from one TOML config in the scratch directory with an
// [auth] token file, so the gateway checks a token as in production. The CSV
// is ingested through catalogd, the index created and filled through
// vectord. Then four calls, each on its own keep-alive httplib::Client
// (TCP_NODELAY, as http::ClientPool) from one thread, interleaved with the
// order rotating each round so drift hits all alike:
//   query  direct   POST /v1/query to queryd
//   query  gateway  the same through the gateway (with the token)
//   search direct   POST /v1/indexes/bench/search to vectord, k 10
//   search gateway  the same through the gateway
// The query is `SELECT count(*) FROM candidates WHERE state = ? AND
// years_experience >= ?` (one row; 20 variants cycled); the search one of
// 100 query vectors. Every request carries the same Authorization header
// (the services ignore it; the gateway checks and drops it), so the bytes
// a client sends are the same both ways. Goal: the gateway adds <= 10% to
// the median latency of each call.
//
// Part 2, serve: what `serve` puts in front of its routes is the front door
// (src/gateway/front_door.cpp: the token check, the per-request metrics and
// GET /metrics). To measure exactly that, the bench holds one engine (store,
// catalog, ingestor, query engine, vector service wired as `serve` wires
// them) and serves it on two HttpServers in this process, identical but for
// the front door: "bare" (no front door) and "front door" (FrontDoor::Install
// with the token file). That pair carries the goals: the front door adds
// <= 0.5 ms and <= 10% at the median. For the real binary the bench also
// runs `lakehouse serve` twice over copies of the same data, with the token
// file and without (the front door is always installed, so that pair isolates
// the token check alone; metrics are on in both) and prints its figures.
//
// Each call is warmed up first (--warmup rounds, untimed); the answers are
// checked to agree both ways before timing.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "bench/common/bench_common.h"
#include "gateway/front_door.h"
#include "server/dataset_routes.h"
#include "server/query_routes.h"
#include "server/vector_routes.h"
#include "vector/vector_service.h"

extern char** environ;

namespace {

namespace bench = lakehouse::bench;
namespace fs = std::filesystem;
using bench::Clock;
using bench::Fail;
using bench::g_interrupted;
using nlohmann::json;

constexpr const char* kTool = "gateway_bench";
constexpr const char* kToken = "bench-read-token-0123456789abcdef";
constexpr const char* kIndex = "bench";
constexpr int kK = 10;
constexpr size_t kQueryVectors = 100;
constexpr int kQueryVariants = 20;

struct Options : bench::CommonOptions {
  uint64_t requests = 2000;  // timed calls of each kind
  uint64_t warmup = 200;     // untimed rounds first
  uint64_t rows = 10'000;
  uint64_t vectors = 10'000;
  int dim = 128;
  std::string binary = LAKEHOUSE_BINARY;
  std::string log_level = "info";  // of the service processes: the shipped default
};

void Usage(FILE* out) {
  std::fprintf(
      out,
      "usage: gateway_bench [--requests N] [--warmup N] [--binary PATH] [--log-level L] "
      "[--quick] [--dir PARENT] [--keep]\n"
      "  --requests N     timed calls of each kind (default 2000)\n"
      "  --warmup N       untimed rounds before timing (default 200)\n"
      "  --binary PATH    the lakehouse binary to run (default: the one built beside it)\n"
      "  --log-level L    of the service processes (default info, as shipped: an access-log\n"
      "                   line per request)\n"
      "  --quick          300 calls, 50 warm-up rounds, 2,000 vectors: a sanity check,\n"
      "                   numbers are not meaningful\n"
      "  --dir PARENT     make the scratch directory under PARENT (default: .)\n"
      "  --keep           leave the scratch directory (and the services' logs) in place\n");
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  bool requests_set = false, warmup_set = false;
  bench::ParseArguments(argc, argv, kTool, Usage, options, [&](const std::string& arg, int& i) {
    if (arg == "--requests") {
      options.requests =
          bench::ParseCount(bench::OptionValue(argc, argv, i, kTool), "--requests", kTool);
      requests_set = true;
    } else if (arg == "--warmup") {
      options.warmup =
          bench::ParseCount(bench::OptionValue(argc, argv, i, kTool), "--warmup", kTool);
      warmup_set = true;
    } else if (arg == "--binary") {
      options.binary = bench::OptionValue(argc, argv, i, kTool);
    } else if (arg == "--log-level") {
      options.log_level = bench::OptionValue(argc, argv, i, kTool);
    } else {
      return false;
    }
    return true;
  });
  if (options.quick) {
    if (!requests_set) options.requests = 300;
    if (!warmup_set) options.warmup = 50;
    options.vectors = 2000;
  }
  return options;
}

// ---------------------------------------------------------------------------
// Service processes.

// A free loopback port (bound, then released). `taken` are ports handed out
// already, still unbound.
int FreePort(const std::vector<int>& taken) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) bench::FailErrno("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(fd);
      bench::FailErrno("bind a loopback port");
    }
    ::close(fd);
    const int port = ntohs(addr.sin_port);
    if (std::find(taken.begin(), taken.end(), port) == taken.end()) return port;
  }
  Fail("no free loopback port");
}

std::string Tail(const std::string& path, size_t bytes) {
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  return text.size() > bytes ? "..." + text.substr(text.size() - bytes) : text;
}

// `lakehouse --log-level L ARGS...` with stdout and stderr in `log`, from
// start until destruction (SIGTERM, then SIGKILL after 10 s).
class Process {
 public:
  Process(const Options& options, const std::string& name, std::vector<std::string> args,
          const std::string& log)
      : name_(name), log_(log) {
    std::vector<std::string> storage = {options.binary, "--log-level", options.log_level};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : storage) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int rc =
        ::posix_spawn(&pid_, options.binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      pid_ = -1;
      errno = rc;
      bench::FailErrno("start " + options.binary);
    }
  }
  ~Process() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 1000; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::fprintf(stderr, "%s: %s did not stop on SIGTERM; killing it\n", kTool, name_.c_str());
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // CPU seconds it has used so far (user + system, from /proc/PID/stat).
  double CpuSeconds() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t paren = stat.rfind(')');
    if (paren == std::string::npos) return 0;
    std::istringstream fields(stat.substr(paren + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    // state is field 3; utime and stime are fields 14 and 15.
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }

  // Waits for "listening on http://127.0.0.1:PORT" in the log and /healthz
  // answering 200; returns the port.
  int WaitListening() {
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    constexpr std::string_view kMark = "listening on http://127.0.0.1:";
    int port = 0;
    while (Clock::now() < deadline) {
      if (port == 0) {
        std::ifstream in(log_);
        std::string line;
        while (std::getline(in, line)) {
          const size_t at = line.find(kMark);
          if (at != std::string::npos) port = std::atoi(line.c_str() + at + kMark.size());
        }
      }
      if (port > 0) {
        httplib::Client client("127.0.0.1", port);
        client.set_connection_timeout(0, 200'000);
        if (auto result = client.Get("/healthz"); result && result->status == 200) return port;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        Fail(name_ + " exited before it answered /healthz; its log ends:\n" + Tail(log_, 2000));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Fail(name_ + " did not answer /healthz within 30 s; its log ends:\n" + Tail(log_, 2000));
  }

 private:
  std::string name_;
  std::string log_;
  pid_t pid_ = -1;
};

// This process's CPU sample with the service processes' CPU counted as its
// own, so that "everything else" is work the bench did not start.
bench::CpuSample SampleCpu(const std::vector<const Process*>& services) {
  bench::CpuSample sample = bench::SampleCpu();
  for (const Process* service : services) sample.self_s += service->CpuSeconds();
  return sample;
}

void PrintCpu(const char* part, const bench::CpuSample& before, const bench::CpuSample& after) {
  std::printf("%s: (\"this process\" below is the bench and the service processes it started)\n",
              part);
  std::printf("%s: ", part);
  bench::PrintCpuContention(before, after);
}

std::unique_ptr<httplib::Client> MakeClient(int port) {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);  // as http::ClientPool and the other benches
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(600, 0);
  client->set_write_timeout(600, 0);
  client->set_default_headers({{"Authorization", std::string("Bearer ") + kToken}});
  return client;
}

std::string PostOk(httplib::Client& client, const std::string& path, const std::string& body,
                   int want) {
  auto result = client.Post(path, body, "application/json");
  if (!result) Fail("POST " + path + ": " + httplib::to_string(result.error()));
  if (result->status != want) {
    Fail("POST " + path + " answered " + std::to_string(result->status) + ": " +
         result->body.substr(0, 300));
  }
  return std::move(result->body);
}

// ---------------------------------------------------------------------------
// Data.

// splitmix64, for vectors that are the same on every run.
uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::vector<float> RandomVector(uint64_t& state, int dim) {
  std::vector<float> v(static_cast<size_t>(dim));
  for (auto& x : v) x = static_cast<float>(NextRandom(state) % 128);
  return v;
}

struct Data {
  std::string csv_path;
  uint64_t rows = 0;
  std::vector<std::string> query_bodies;   // POST /v1/query
  std::vector<std::string> search_bodies;  // POST /v1/indexes/bench/search
};

Data MakeData(const Options& options, const std::string& root) {
  Data data;
  data.csv_path = root + "/candidates.csv";
  data.rows = options.rows;
  bench::WriteCandidatesCsv(data.csv_path, options.rows);
  constexpr const char* kStates[] = {"TX", "CA", "NY", "FL", "IL"};
  for (int i = 0; i < kQueryVariants; ++i) {
    const std::string sql = "SELECT count(*) AS n FROM candidates WHERE state = '" +
                            std::string(kStates[i % 5]) +
                            "' AND years_experience >= " + std::to_string(i % 4 * 5);
    data.query_bodies.push_back(json{{"sql", sql}}.dump());
  }
  uint64_t state = 0x5eed0001;
  for (size_t q = 0; q < kQueryVectors; ++q) {
    data.search_bodies.push_back(
        json{{"vector", RandomVector(state, options.dim)}, {"k", kK}}.dump());
  }
  return data;
}

// Creates the index and adds the vectors in batches of 1,000.
double FillIndex(httplib::Client& client, const Options& options) {
  const auto start = Clock::now();
  PostOk(client, "/v1/indexes",
         json{{"name", kIndex},
              {"dim", options.dim},
              {"metric", "l2"},
              {"m", 16},
              {"ef_construction", 200}}
             .dump(),
         201);
  uint64_t state = 0x5eed0002;
  for (uint64_t from = 0; from < options.vectors; from += 1000) {
    json items = json::array();
    for (uint64_t i = from; i < std::min(options.vectors, from + 1000); ++i) {
      items.push_back(
          {{"id", "v" + std::to_string(i)}, {"vector", RandomVector(state, options.dim)}});
    }
    PostOk(client, std::string("/v1/indexes/") + kIndex + "/vectors", json{{"items", items}}.dump(),
           200);
  }
  return bench::SecondsSince(start);
}

// ---------------------------------------------------------------------------
// Timed calls.

struct Call {
  std::string label;
  httplib::Client* client;
  std::string path;
  const std::vector<std::string>* bodies;
  std::vector<double> ms;
  size_t response_bytes = 0;

  std::string Once(size_t i) {
    auto result = client->Post(path, (*bodies)[i % bodies->size()], "application/json");
    if (!result) Fail(label + ": POST " + path + ": " + httplib::to_string(result.error()));
    if (result->status != 200) {
      Fail(label + ": POST " + path + " answered " + std::to_string(result->status) + ": " +
           result->body.substr(0, 300));
    }
    response_bytes = result->body.size();
    return std::move(result->body);
  }
};

Call QueryCall(std::string label, httplib::Client& client, const Data& data) {
  return Call{std::move(label), &client, "/v1/query", &data.query_bodies, {}, 0};
}
Call SearchCall(std::string label, httplib::Client& client, const Data& data) {
  return Call{std::move(label),    &client, std::string("/v1/indexes/") + kIndex + "/search",
              &data.search_bodies, {},      0};
}

// What must agree between two paths: a query's rows, a search's ids.
json Answer(const std::string& body) {
  json parsed = json::parse(body);
  if (parsed.contains("rows")) return parsed.at("rows");
  json ids = json::array();
  for (const auto& hit : parsed.at("results")) ids.push_back(hit.at("id"));
  return ids;
}

// Untimed: every variant answers the same on `a` and `b`.
void CheckSame(Call& a, Call& b) {
  for (size_t i = 0; i < a.bodies->size(); ++i) {
    const json x = Answer(a.Once(i)), y = Answer(b.Once(i));
    if (x != y) {
      Fail(a.label + " and " + b.label + " answer request " + std::to_string(i) +
           " differently: " + x.dump() + " vs " + y.dump());
    }
    if (x.empty()) Fail(a.label + ": request " + std::to_string(i) + " found nothing");
  }
}

// `warmup` untimed rounds, then `requests` timed ones; each round makes one
// call of each kind, starting one further along each round.
void RunInterleaved(const std::vector<Call*>& calls, const Options& options) {
  const uint64_t total = options.warmup + options.requests;
  for (uint64_t round = 0; round < total && !g_interrupted; ++round) {
    for (size_t j = 0; j < calls.size(); ++j) {
      Call& call = *calls[(round + j) % calls.size()];
      const auto start = Clock::now();
      call.Once(round);
      const double ms = bench::SecondsSince(start) * 1000;
      if (round >= options.warmup) call.ms.push_back(ms);
    }
  }
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

void PrintCall(const Call& call) {
  std::printf("  %-34s median %.3f ms  p90 %.3f ms  (%zu calls, response %zu bytes)\n",
              call.label.c_str(), bench::Median(call.ms), Percentile(call.ms, 0.9), call.ms.size(),
              call.response_bytes);
}

struct Added {
  double ms = 0;     // median with - median without
  double ratio = 0;  // median with / median without
};

Added Compare(const Call& without, const Call& with) {
  const double a = bench::Median(without.ms), b = bench::Median(with.ms);
  Added added{b - a, a > 0 ? b / a : 0};
  std::printf("  => %s adds %+.3f ms at the median (ratio %s; p90 %+.3f ms)\n", with.label.c_str(),
              added.ms, bench::Ratio(b, a).c_str(),
              Percentile(with.ms, 0.9) - Percentile(without.ms, 0.9));
  return added;
}

std::string Measured(const Added& added) {
  return "ratio " + bench::Fixed(added.ratio, 2) + " (" + (added.ms >= 0 ? "+" : "") +
         bench::Fixed(added.ms, 3) + " ms)";
}

// ---------------------------------------------------------------------------
// Part 1: split mode.

void RunSplit(const Options& options, const std::string& root, const Data& data) {
  std::printf("\n== split: gateway in front of queryd and vectord (separate processes) ==\n");
  const std::string dir = root + "/split";
  fs::create_directories(dir);
  std::ofstream(dir + "/tokens") << "bench read " << kToken << "\n";
  std::vector<int> ports;
  for (int i = 0; i < 5; ++i) ports.push_back(FreePort(ports));
  auto url = [&](int i) { return "\"http://127.0.0.1:" + std::to_string(ports[i]) + "\""; };
  auto listen = [&](int i) { return "\"127.0.0.1:" + std::to_string(ports[i]) + "\""; };
  {
    std::ofstream config(dir + "/lakehouse.toml");
    config << "[auth]\ntoken_file = \"tokens\"\n"
           << "[storaged]\nlisten = " << listen(0) << "\nroot = \"objects\"\n"
           << "[catalogd]\nlisten = " << listen(1) << "\nstoraged_url = " << url(0)
           << "\nscratch = \"scratch/catalogd\"\n"
           << "[queryd]\nlisten = " << listen(2) << "\ncatalogd_url = " << url(1)
           << "\nstoraged_url = " << url(0) << "\nscratch = \"scratch/queryd\"\n"
           << "[vectord]\nlisten = " << listen(3) << "\nstoraged_url = " << url(0) << "\n"
           << "[gateway]\nlisten = " << listen(4) << "\nstoraged_url = " << url(0)
           << "\ncatalogd_url = " << url(1) << "\nqueryd_url = " << url(2)
           << "\nvectord_url = " << url(3) << "\n";
  }
  const std::string config = dir + "/lakehouse.toml";
  std::vector<std::unique_ptr<Process>> processes;
  int port[5];
  const char* names[] = {"storaged", "catalogd", "queryd", "vectord", "gateway"};
  for (int i = 0; i < 5; ++i) {
    processes.push_back(std::make_unique<Process>(
        options, names[i], std::vector<std::string>{names[i], "--config", config},
        dir + "/" + names[i] + ".log"));
    port[i] = processes.back()->WaitListening();
  }
  auto catalogd = MakeClient(port[1]);
  auto queryd = MakeClient(port[2]);
  auto vectord = MakeClient(port[3]);
  auto gateway = MakeClient(port[4]);
  {
    httplib::Client anonymous("127.0.0.1", port[4]);
    auto result = anonymous.Post("/v1/query", data.query_bodies[0], "application/json");
    if (!result || result->status != 401) Fail("the gateway answered a query without a token");
  }
  const auto ingest =
      bench::IngestFile(*catalogd, "candidates", data.csv_path, "overwrite", data.rows);
  const double fill_s = FillIndex(*vectord, options);
  std::printf(
      "processes: %s {storaged, catalogd, queryd, vectord, gateway} --config lakehouse.toml "
      "([auth] token file, log level %s), ports %d..%d on 127.0.0.1\n",
      options.binary.c_str(), options.log_level.c_str(), port[0], port[4]);
  std::printf(
      "data: %s candidate rows ingested through catalogd in %.2f s; index \"%s\" of %s x %d "
      "vectors (l2, M 16, ef_construction 200) filled through vectord in %.2f s\n",
      bench::Thousands(double(data.rows)).c_str(), ingest.seconds, kIndex,
      bench::Thousands(double(options.vectors)).c_str(), options.dim, fill_s);

  Call q_direct = QueryCall("query, straight to queryd", *queryd, data);
  Call q_gateway = QueryCall("query, through the gateway", *gateway, data);
  Call v_direct = SearchCall("search k=10, straight to vectord", *vectord, data);
  Call v_gateway = SearchCall("search k=10, through the gateway", *gateway, data);
  CheckSame(q_direct, q_gateway);
  CheckSame(v_direct, v_gateway);

  std::vector<const Process*> services;
  for (const auto& process : processes) services.push_back(process.get());
  const auto cpu_before = SampleCpu(services);
  RunInterleaved({&q_direct, &q_gateway, &v_direct, &v_gateway}, options);
  const auto cpu_after = SampleCpu(services);
  std::printf(
      "%s timed calls of each kind after %s warm-up rounds, one client thread, keep-alive, "
      "interleaved; query: SELECT count(*) ... WHERE state = ? AND years_experience >= ? "
      "(one row), search: k=10 at the index's ef 64\n",
      bench::Thousands(double(options.requests)).c_str(),
      bench::Thousands(double(options.warmup)).c_str());
  PrintCall(q_direct);
  PrintCall(q_gateway);
  const Added query = Compare(q_direct, q_gateway);
  PrintCall(v_direct);
  PrintCall(v_gateway);
  const Added search = Compare(v_direct, v_gateway);
  bench::PrintGoal("split: the gateway adds <= 10% at the median, small query", Measured(query),
                   query.ratio > 0 && query.ratio <= 1.10);
  bench::PrintGoal("split: the gateway adds <= 10% at the median, vector search", Measured(search),
                   search.ratio > 0 && search.ratio <= 1.10);
  PrintCpu("split", cpu_before, cpu_after);
}

// ---------------------------------------------------------------------------
// Part 2: serve.

void RunServe(const Options& options, const std::string& root, const Data& data) {
  std::printf(
      "\n== serve: the front door (token check + metrics) in front of the same routes ==\n");
  const std::string tokens = root + "/tokens";
  std::ofstream(tokens) << "bench read " << kToken << "\n";

  // One engine, served twice in this process. `vectors` is declared first so
  // it outlives both servers.
  std::unique_ptr<lakehouse::vector::VectorService> vectors;
  bench::ServeInProcess bare(root + "/serve-inproc", /*with_query=*/true);
  {
    auto opened = lakehouse::vector::VectorService::Open(&bare.store());
    bench::Check(opened.status(), "open the vector service");
    vectors = std::move(*opened);
  }
  lakehouse::server::RegisterVectorRoutes(bare.router(), *vectors);
  lakehouse::AuthConfig auth;
  auth.token_file = tokens;
  auto door = lakehouse::gateway::FrontDoor::Open(auth, lakehouse::ListenAddress{"127.0.0.1", 0});
  bench::Check(door.status(), "open the front door");
  lakehouse::server::HttpServer door_http(
      bare.config().http,
      std::max(bare.config().storaged.max_object_bytes, bare.config().catalogd.max_ingest_bytes));
  (*door)->Install(door_http);
  lakehouse::server::RegisterDatasetRoutes(door_http.router(), bare.catalog(), &bare.ingestor());
  lakehouse::server::RegisterQueryRoutes(door_http.router(), *bare.engine());
  lakehouse::server::RegisterVectorRoutes(door_http.router(), *vectors);
  bench::ServerThread door_running(door_http, "bind the front-door server");

  auto bare_client = MakeClient(bare.port());
  auto door_client = MakeClient(door_running.port());
  {
    httplib::Client anonymous("127.0.0.1", door_running.port());
    auto result = anonymous.Post("/v1/query", data.query_bodies[0], "application/json");
    if (!result || result->status != 401) Fail("the front door answered a query without a token");
  }
  const auto ingest =
      bench::IngestFile(*bare_client, "candidates", data.csv_path, "overwrite", data.rows);
  const double fill_s = FillIndex(*bare_client, options);
  std::printf(
      "in this process: store, catalog, ingestor, query engine and vector service (persisting "
      "to the store) wired as `serve` wires them, served by two HttpServers (%d worker threads "
      "each): \"bare\" (no front door) and \"front door\" (FrontDoor::Install with a token file)\n",
      bare.config().http.threads);
  std::printf(
      "data: %s candidate rows ingested in %.2f s; index \"%s\" of %s x %d vectors filled in "
      "%.2f s\n",
      bench::Thousands(double(data.rows)).c_str(), ingest.seconds, kIndex,
      bench::Thousands(double(options.vectors)).c_str(), options.dim, fill_s);

  // The real binary over copies of the same objects: with tokens and without.
  const std::string serve_config = root + "/serve-tokens.toml";
  std::ofstream(serve_config) << "[auth]\ntoken_file = \"tokens\"\n";
  for (const char* copy : {"/serve-tokens", "/serve-open"}) {
    fs::create_directories(root + copy);
    fs::copy(root + "/serve-inproc/objects", root + copy + "/objects", fs::copy_options::recursive);
  }
  Process serve_tokens(options, "serve (tokens)",
                       {"serve", "--data", root + "/serve-tokens", "--listen", "127.0.0.1:0",
                        "--config", serve_config},
                       root + "/serve-tokens.log");
  Process serve_open(options, "serve (no tokens)",
                     {"serve", "--data", root + "/serve-open", "--listen", "127.0.0.1:0"},
                     root + "/serve-open.log");
  auto tokens_client = MakeClient(serve_tokens.WaitListening());
  auto open_client = MakeClient(serve_open.WaitListening());
  std::printf(
      "processes: %s serve --data COPY --listen 127.0.0.1:0, once with --config ([auth] token "
      "file) and once without, log level %s\n",
      options.binary.c_str(), options.log_level.c_str());

  Call q_bare = QueryCall("query, bare server", *bare_client, data);
  Call q_door = QueryCall("query, front door", *door_client, data);
  Call v_bare = SearchCall("search k=10, bare server", *bare_client, data);
  Call v_door = SearchCall("search k=10, front door", *door_client, data);
  Call q_open = QueryCall("query, serve without tokens", *open_client, data);
  Call q_tokens = QueryCall("query, serve with tokens", *tokens_client, data);
  Call v_open = SearchCall("search k=10, serve without tokens", *open_client, data);
  Call v_tokens = SearchCall("search k=10, serve with tokens", *tokens_client, data);
  CheckSame(q_bare, q_door);
  CheckSame(v_bare, v_door);
  CheckSame(q_bare, q_tokens);
  CheckSame(v_bare, v_tokens);
  CheckSame(q_open, q_tokens);
  CheckSame(v_open, v_tokens);

  const auto cpu_before = SampleCpu({&serve_tokens, &serve_open});
  RunInterleaved({&q_bare, &q_door, &v_bare, &v_door, &q_open, &q_tokens, &v_open, &v_tokens},
                 options);
  const auto cpu_after = SampleCpu({&serve_tokens, &serve_open});
  std::printf(
      "%s timed calls of each kind after %s warm-up rounds, one client thread, keep-alive, all "
      "eight interleaved\n",
      bench::Thousands(double(options.requests)).c_str(),
      bench::Thousands(double(options.warmup)).c_str());
  std::printf("the front door alone (same engine, same process; the goals):\n");
  PrintCall(q_bare);
  PrintCall(q_door);
  const Added query = Compare(q_bare, q_door);
  PrintCall(v_bare);
  PrintCall(v_door);
  const Added search = Compare(v_bare, v_door);
  std::printf(
      "the real `serve` binary, with tokens against without (the front door is installed in "
      "both, so this is the token check alone):\n");
  PrintCall(q_open);
  PrintCall(q_tokens);
  Compare(q_open, q_tokens);
  PrintCall(v_open);
  PrintCall(v_tokens);
  Compare(v_open, v_tokens);
  std::printf(
      "  (serve with tokens against the bare in-process server: query %+.3f ms, search %+.3f "
      "ms at the median; that also has the process, log level and the web UI's routes in it)\n",
      bench::Median(q_tokens.ms) - bench::Median(q_bare.ms),
      bench::Median(v_tokens.ms) - bench::Median(v_bare.ms));
  bench::PrintGoal("serve: the front door adds <= 0.5 ms at the median, small query",
                   Measured(query), query.ratio > 0 && query.ms <= 0.5);
  bench::PrintGoal("serve: the front door adds <= 0.5 ms at the median, vector search",
                   Measured(search), search.ratio > 0 && search.ms <= 0.5);
  bench::PrintGoal("serve: the front door adds <= 10% at the median, small query", Measured(query),
                   query.ratio > 0 && query.ratio <= 1.10);
  bench::PrintGoal("serve: the front door adds <= 10% at the median, vector search",
                   Measured(search), search.ratio > 0 && search.ratio <= 1.10);
  PrintCpu("serve", cpu_before, cpu_after);
}

int Run(const Options& options, const std::string& root) {
  std::printf("gateway_bench: the front door's cost, split mode and serve, %s\n",
              options.run_kind());
  bench::PrintMachine(root, bench::MachineLine::kBrief);
  std::signal(SIGPIPE, SIG_IGN);
  if (::access(options.binary.c_str(), X_OK) != 0) bench::FailErrno(options.binary);
  const auto start = Clock::now();
  const Data data = MakeData(options, root);
  RunSplit(options, root, data);
  if (!g_interrupted) RunServe(options, root, data);
  std::printf("\ntotal %.1f s\n", bench::SecondsSince(start));
  return g_interrupted ? 130 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::RunInScratchDir(kTool, ParseOptions(argc, argv), "gateway-bench", Run);
}
