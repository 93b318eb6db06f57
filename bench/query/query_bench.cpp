// bench/query: SQL through POST /v1/query against the same SQL on DuckDB's
// C API in-process, over the same Parquet files, in the same run.
//
// Data: generated staffing tables (candidates with ~300 characters of resume
// text, jobs, placements) ingested as CSV through an in-process server wired
// as `lakehouse serve` wires it (store, catalog, ingestor, query engine, one
// HttpServer on 127.0.0.1).
//
// Part 1, six analytic queries (group-bys, joins, a text filter, an
// anti-join, a window), and `SELECT 42` for the fixed cost, each timed three
// ways, rotating the order per round:
//   api     POST /v1/query {"sql", "limit"} on a keep-alive httplib client,
//           the whole JSON body read
//   engine  QueryEngine::Execute + NextJson in-process, no HTTP (where the
//           api's time goes: engine vs HTTP)
//   anchor  a separate in-memory DuckDB (C API, same threads and memory
//           limit) with views over read_parquet([the dataset's files]),
//           duckdb_query materialising the result, then every chunk walked
// Goal: median over the queries of (api - anchor) <= 5 ms, the results
// being small (<= a few hundred rows), so transfer is negligible.
//
// Part 2, streaming: a 1,000,000-row, 5-column result of range() through
// /v1/query with limit 1000000, the full JSON body read. Goal: >= 1,000,000
// rows/s. The anchor runs the same query fully fetched. One response is
// parsed whole to check its rows.
//
// Part 3, the PostgreSQL protocol: the same engine behind a pgwire::PgServer
// on 127.0.0.1 in the same process (as `serve` wires [pgwire] without
// tokens), with libpq as the client, one connection kept open for the run.
//   3a  a 10-row query of candidates, timed four ways with the order rotated
//       per round: HTTP (the keep-alive client above), pgwire simple protocol
//       (PQexec), pgwire extended protocol (PQexecParams: Parse, Bind,
//       Describe, Execute, Sync), and the engine in-process (no protocol: the
//       floor both stand on). Medians and p95s; a 10-row range() query
//       alongside shows the fixed cost. Goal: pgwire median / HTTP median
//       <= 1.2, for the simple and the extended protocol each.
//   3b  part 2's query at 5,000,000 rows (--pg-stream-rows), over HTTP (the
//       JSON body read whole), over pgwire (libpq 15 single-row mode, timed
//       to the last row's result), the engine's text cells in-process
//       (NextText, what pgwire sends, with no wire), and HTTP again with the
//       body read as it arrives but not kept (how much of HTTP's time is the
//       client holding the body), and pgwire read by a raw socket client
//       that counts DataRows without parsing them (the server's part without
//       libpq's), rotated. Also the client thread's CPU time
//       and the process's peak RSS growth per mode. Goal: pgwire rows/s /
//       HTTP JSON rows/s (the body read whole, as part 2) >= 1.0.
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/common/bench_common.h"
#include "common/sql_quote.h"
#include "pgwire/pg_server.h"

namespace {

namespace bench = lakehouse::bench;
namespace pgwire = lakehouse::pgwire;
namespace query = lakehouse::query;
using bench::Clock;
using bench::Fail;
using bench::g_interrupted;
using lakehouse::SqlString;
using nlohmann::json;

constexpr const char* kTool = "query_bench";

struct Options : bench::CommonOptions {
  uint64_t candidates = 200'000;
  uint64_t jobs = 20'000;
  uint64_t placements = 300'000;
  uint64_t stream_rows = 1'000'000;
  uint64_t pg_stream_rows = 5'000'000;
  int runs = 20;
  int stream_runs = 5;
  int pg_runs = 200;
};

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: query_bench [--runs N] [--stream-runs N] [--pg-runs N] "
               "[--pg-stream-rows N] [--quick] [--dir PARENT] [--keep]\n"
               "  --runs N            timed runs of each query in each mode (default 20)\n"
               "  --stream-runs N     timed runs of each streaming query (default 5)\n"
               "  --pg-runs N         timed rounds of the 10-row queries, HTTP vs pgwire "
               "(default 200)\n"
               "  --pg-stream-rows N  rows of the HTTP vs pgwire stream (default 5000000)\n"
               "  --quick             a tenth of the data, 5 runs, 2 streaming runs of 100000 "
               "rows\n"
               "                      (500000 for HTTP vs pgwire), 20 pgwire rounds:\n"
               "                      a sanity check, numbers are not meaningful\n"
               "  --dir PARENT        make the scratch directory under PARENT (default: .)\n"
               "  --keep              leave the scratch directory in place\n");
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  bool runs_set = false, stream_runs_set = false, pg_runs_set = false, pg_rows_set = false;
  bench::ParseArguments(argc, argv, kTool, Usage, options, [&](const std::string& arg, int& i) {
    if (arg == "--runs") {
      options.runs = static_cast<int>(
          bench::ParseCount(bench::OptionValue(argc, argv, i, kTool), "--runs", kTool));
      runs_set = true;
    } else if (arg == "--stream-runs") {
      options.stream_runs = static_cast<int>(
          bench::ParseCount(bench::OptionValue(argc, argv, i, kTool), "--stream-runs", kTool));
      stream_runs_set = true;
    } else if (arg == "--pg-runs") {
      options.pg_runs = static_cast<int>(
          bench::ParseCount(bench::OptionValue(argc, argv, i, kTool), "--pg-runs", kTool));
      pg_runs_set = true;
    } else if (arg == "--pg-stream-rows") {
      options.pg_stream_rows =
          bench::ParseCount(bench::OptionValue(argc, argv, i, kTool), "--pg-stream-rows", kTool);
      pg_rows_set = true;
    } else {
      return false;
    }
    return true;
  });
  if (options.quick) {
    options.candidates /= 10;
    options.jobs /= 10;
    options.placements /= 10;
    options.stream_rows /= 10;
    if (!runs_set) options.runs = 5;
    if (!stream_runs_set) options.stream_runs = 2;
    if (!pg_runs_set) options.pg_runs = 20;
    if (!pg_rows_set) options.pg_stream_rows /= 10;
  }
  return options;
}

struct Query {
  const char* name;
  const char* sql;
};

// The same text runs everywhere: dataset names are tables in the engine and
// views in the anchor.
constexpr Query kQueries[] = {
    {"group-by: candidates per state",
     "SELECT state, count(*) AS candidates, round(avg(hourly_rate), 2) AS avg_rate, "
     "max(years_experience) AS max_years FROM candidates GROUP BY state "
     "ORDER BY candidates DESC, state"},
    {"join+group-by: margin by client",
     "SELECT j.client, count(*) AS placements, round(sum(p.bill_rate - p.pay_rate), 2) AS margin "
     "FROM placements p JOIN jobs j ON j.id = p.job_id GROUP BY j.client "
     "ORDER BY margin DESC LIMIT 25"},
    {"text filter: resume ILIKE",
     "SELECT id, first_name, last_name, title, hourly_rate FROM candidates "
     "WHERE resume ILIKE '%kubernetes%' AND resume ILIKE '%trauma center%' "
     "AND years_experience >= 10 ORDER BY hourly_rate DESC, id LIMIT 100"},
    {"3-way join: placements by state, title",
     "SELECT c.state, j.title, count(*) AS placements, round(avg(p.pay_rate), 2) AS avg_pay "
     "FROM placements p JOIN candidates c ON c.id = p.candidate_id "
     "JOIN jobs j ON j.id = p.job_id WHERE p.start_date >= DATE '2024-01-01' "
     "GROUP BY c.state, j.title ORDER BY placements DESC, c.state, j.title LIMIT 50"},
    {"anti-join: never placed by title",
     "SELECT c.title, count(*) AS never_placed FROM candidates c WHERE NOT EXISTS "
     "(SELECT 1 FROM placements p WHERE p.candidate_id = c.id) GROUP BY c.title "
     "ORDER BY never_placed DESC, c.title"},
    {"window: top 3 per state by placements",
     "SELECT state, id, first_name, last_name, placements, rank FROM ("
     "SELECT c.state, c.id, c.first_name, c.last_name, count(*) AS placements, "
     "row_number() OVER (PARTITION BY c.state ORDER BY count(*) DESC, c.id) AS rank "
     "FROM candidates c JOIN placements p ON p.candidate_id = c.id "
     "GROUP BY c.state, c.id, c.first_name, c.last_name) WHERE rank <= 3 ORDER BY state, rank"},
    // Not one of the six: no data, so its times are the fixed cost of each path.
    {"(fixed cost, not in the goal) SELECT 42", "SELECT 42 AS answer"},
};
constexpr size_t kGoalQueries = 6;

std::string StreamSql(uint64_t rows) {
  return "SELECT i, i * 2 AS doubled, 'name_' || i AS name, i / 3.0::DOUBLE AS third, "
         "DATE '2020-01-01' + (i % 1000)::INTEGER AS day FROM range(" +
         std::to_string(rows) + ") t(i)";
}

// The row_count from the JSON tail (`...]],"elapsed_ms":..,"row_count":N,...}`)
// without parsing the rows; fails on an error in the tail.
uint64_t TailRowCount(const std::string& body) {
  constexpr std::string_view kKey = "\"row_count\":";
  const size_t at = body.rfind(kKey);
  const size_t rows_end = body.rfind("],");
  if (at == std::string::npos || rows_end == std::string::npos || at < rows_end) {
    Fail("no row_count in the response: " + body.substr(0, 300));
  }
  if (body.find("\"error\":", rows_end) != std::string::npos) {
    Fail("the query failed mid-stream: " + body.substr(rows_end));
  }
  return std::strtoull(body.c_str() + at + kKey.size(), nullptr, 10);
}

class ApiClient {
 public:
  explicit ApiClient(bench::ServeInProcess& serve) : client_(serve.Client()) {}

  // POSTs the query and reads the whole body; returns it.
  const std::string& Run(const std::string& request_body) {
    auto result = client_->Post("/v1/query", request_body, "application/json");
    if (!result) Fail("POST /v1/query: " + httplib::to_string(result.error()));
    if (result->status != 200) {
      Fail("POST /v1/query answered " + std::to_string(result->status) + ": " + result->body);
    }
    body_ = std::move(result->body);
    return body_;
  }

  // POSTs the query and reads the body as it arrives without keeping it
  // (only its last bytes, for the tail); returns the row count of the tail
  // and sets `bytes` to the body's size.
  uint64_t RunStreamed(const std::string& request_body, uint64_t& bytes) {
    httplib::Request request;
    request.method = "POST";
    request.path = "/v1/query";
    request.body = request_body;
    request.set_header("Content-Type", "application/json");
    std::string tail;
    bytes = 0;
    request.content_receiver = [&](const char* data, size_t size, uint64_t /*offset*/,
                                   uint64_t /*total*/) {
      bytes += size;
      tail.append(data, size);
      if (tail.size() > 8192) tail.erase(0, tail.size() - 4096);
      return true;
    };
    auto result = client_->send(request);
    if (!result) Fail("POST /v1/query: " + httplib::to_string(result.error()));
    if (result->status != 200) {
      Fail("POST /v1/query answered " + std::to_string(result->status) + ": " + tail);
    }
    return TailRowCount(tail);
  }

 private:
  std::unique_ptr<httplib::Client> client_;
  std::string body_;
};

std::string RequestBody(const std::string& sql, uint64_t limit) {
  return json{{"sql", sql}, {"limit", limit}}.dump();
}

// The engine without HTTP: Execute, then every chunk as JSON rows.
uint64_t RunEngine(query::QueryEngine& engine, const std::string& sql, uint64_t limit,
                   std::string& out) {
  query::QueryRequest request;
  request.sql = sql;
  request.limit = limit;
  auto cursor = engine.Execute(request);
  bench::Check(cursor.status(), "engine: " + sql);
  out.clear();
  while (true) {
    auto more = (*cursor)->NextJson(out);
    bench::Check(more.status(), "engine: " + sql);
    if (!*more) break;
  }
  return (*cursor)->row_count();
}

struct Timings {
  std::vector<double> api_ms, engine_ms, anchor_ms;
};

double Ms(Clock::time_point start) { return bench::SecondsSince(start) * 1000; }

// ---------------------------------------------------------------------------
// Part 3: the PostgreSQL protocol, with libpq as the client.

// The value below which `fraction` of `values` lie (nearest rank).
double Percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

// CPU time of the calling thread: what a client spent of a run's wall time.
double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// A "Vm...:  N kB" line of /proc/self/status, in bytes; 0 when missing.
uint64_t ProcStatusBytes(const std::string& key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(key + ":")) {
      return std::strtoull(line.c_str() + key.size() + 1, nullptr, 10) * 1024;
    }
  }
  return 0;
}

// Resets the process's peak RSS (VmHWM) to its current RSS; false when the
// kernel does not allow it.
bool ResetPeakRss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

struct PgResultFree {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, PgResultFree>;

// One libpq connection to the listener, kept open for the whole run.
class PgClient {
 public:
  explicit PgClient(int port) {
    const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(port) +
                                 " user=bench dbname=lakehouse sslmode=disable "
                                 "gssencmode=disable connect_timeout=10";
    conn_ = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string error = PQerrorMessage(conn_);
      PQfinish(conn_);
      Fail("libpq: cannot connect to the pgwire listener: " + error);
    }
  }
  ~PgClient() { PQfinish(conn_); }
  PgClient(const PgClient&) = delete;
  PgClient& operator=(const PgClient&) = delete;

  // The simple protocol: one Query message, the whole result read.
  PgResult Simple(const std::string& sql) { return Checked(PQexec(conn_, sql.c_str()), sql); }
  // The extended protocol: Parse, Bind, Describe, Execute, Sync of the
  // unnamed statement, no parameters, text results.
  PgResult Extended(const std::string& sql) {
    return Checked(
        PQexecParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, /*resultFormat=*/0),
        sql);
  }

  // Streams the result in single-row mode (one PGresult per row, as libpq
  // 15 offers; chunked rows mode came in 17) and returns its row count.
  // `touched` folds in every cell's length so the rows are read; `check`,
  // when set, sees every row.
  uint64_t Stream(const std::string& sql, uint64_t& touched,
                  const std::function<void(uint64_t row, const PGresult*)>& check = nullptr) {
    if (PQsendQuery(conn_, sql.c_str()) == 0) Fail("libpq: send: " + Error());
    if (PQsetSingleRowMode(conn_) == 0) Fail("libpq: single-row mode refused");
    uint64_t rows = 0;
    bool complete = false;
    while (PGresult* raw = PQgetResult(conn_)) {
      const PgResult result(raw);
      const ExecStatusType status = PQresultStatus(raw);
      if (status == PGRES_SINGLE_TUPLE) {
        const int fields = PQnfields(raw);
        for (int c = 0; c < fields; ++c) touched += static_cast<uint64_t>(PQgetlength(raw, 0, c));
        if (check) check(rows, raw);
        ++rows;
      } else if (status == PGRES_TUPLES_OK) {
        complete = true;  // the end of the rows (CommandComplete)
      } else {
        Fail("libpq: streamed query: " + std::string(PQresultErrorMessage(raw)));
      }
    }
    if (!complete) Fail("libpq: the stream ended without its last result: " + Error());
    return rows;
  }

 private:
  std::string Error() const { return PQerrorMessage(conn_); }
  PgResult Checked(PGresult* raw, const std::string& sql) {
    PgResult result(raw);
    if (PQresultStatus(raw) != PGRES_TUPLES_OK) {
      Fail("libpq: " + sql + ": " + (raw != nullptr ? PQresultErrorMessage(raw) : Error()));
    }
    return result;
  }

  PGconn* conn_ = nullptr;
};

// A pgwire client with no library: startup, then Query messages, counting
// DataRows as they stream by without looking into them. What the server
// alone sends, with the least client work there can be.
class RawPgReader {
 public:
  explicit RawPgReader(int port) : buffer_(256 << 10) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) bench::FailErrno("raw pgwire: socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      bench::FailErrno("raw pgwire: connect");
    }
    std::string startup(8, '\0');
    PutInt32(startup, 4, 196608);  // protocol 3.0
    startup += std::string("user\0bench\0database\0lakehouse\0\0", 31);
    PutInt32(startup, 0, static_cast<uint32_t>(startup.size()));
    Send(startup);
    ReadUntilReady();
  }
  ~RawPgReader() { close(fd_); }
  RawPgReader(const RawPgReader&) = delete;
  RawPgReader& operator=(const RawPgReader&) = delete;

  // Sends a Query and returns the DataRows that came before ReadyForQuery.
  uint64_t Stream(const std::string& sql) {
    std::string query = std::string("Q\0\0\0\0", 5) + sql;
    query.push_back('\0');
    PutInt32(query, 1, static_cast<uint32_t>(query.size() - 1));
    Send(query);
    return ReadUntilReady();
  }

 private:
  static void PutInt32(std::string& out, size_t at, uint32_t value) {
    for (int i = 0; i < 4; ++i)
      out[at + static_cast<size_t>(i)] = static_cast<char>(value >> (24 - 8 * i));
  }
  void Send(const std::string& bytes) {
    if (!bench::WriteAll(fd_, bytes.data(), bytes.size())) bench::FailErrno("raw pgwire: send");
  }
  uint64_t ReadUntilReady() {
    uint64_t rows = 0;
    char header[5];
    size_t header_have = 0;
    size_t body_left = 0;
    std::string body;  // of messages other than DataRows
    while (true) {
      const ssize_t n = recv(fd_, buffer_.data(), buffer_.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) Fail("raw pgwire: the server closed the connection");
      const char* at = buffer_.data();
      auto left = static_cast<size_t>(n);
      while (left > 0) {
        if (header_have < 5) {
          const size_t take = std::min(5 - header_have, left);
          std::memcpy(header + header_have, at, take);
          header_have += take;
          at += take;
          left -= take;
          if (header_have < 5) break;
          uint32_t length = 0;
          for (int i = 1; i < 5; ++i)
            length = (length << 8) | static_cast<unsigned char>(header[i]);
          if (length < 4) Fail("raw pgwire: a message length under 4");
          body_left = length - 4;
          body.clear();
        } else {
          const size_t take = std::min(body_left, left);
          if (header[0] != 'D') body.append(at, take);
          at += take;
          left -= take;
          body_left -= take;
        }
        if (header_have == 5 && body_left == 0) {
          header_have = 0;
          switch (header[0]) {
            case 'D':
              ++rows;
              break;
            case 'E':
              Fail("raw pgwire: the server answered an error: " + body);
            case 'R':
              if (body.size() < 4 || body.compare(0, 4, std::string(4, '\0')) != 0) {
                Fail("raw pgwire: the server asked for a password");
              }
              break;
            case 'Z':
              if (left != 0) Fail("raw pgwire: bytes after ReadyForQuery");
              return rows;
            default:
              break;
          }
        }
      }
    }
  }

  int fd_ = -1;
  std::vector<char> buffer_;
};

// The listener as `serve` wires [pgwire] with no API tokens (cli::StartPgwire),
// on a port of its own choosing.
std::unique_ptr<pgwire::PgServer> StartPgServer(const lakehouse::Config& config,
                                                query::QueryEngine& engine) {
  pgwire::PgServerOptions options;
  options.listen.host = "127.0.0.1";
  options.listen.port = 0;
  options.max_connections = static_cast<size_t>(config.pgwire.max_connections);
  options.max_message_bytes = static_cast<size_t>(config.pgwire.max_message_bytes);
  if (auto zone = engine.Setting("TimeZone"); zone.ok()) options.time_zone = *zone;
  auto server = pgwire::PgServer::Start(options, engine);
  bench::Check(server.status(), "start the pgwire listener");
  return std::move(*server);
}

// Whether a JSON cell of the HTTP answer is the text libpq got for it.
bool SameCell(const json& cell, const PGresult* result, int row, int column) {
  if (cell.is_null()) return PQgetisnull(result, row, column) != 0;
  const std::string text = PQgetvalue(result, row, column);
  if (cell.is_string()) return cell.get<std::string>() == text;
  if (cell.is_number_integer()) return std::to_string(cell.get<int64_t>()) == text;
  if (cell.is_number_float()) {
    const double want = cell.get<double>();
    return std::abs(std::strtod(text.c_str(), nullptr) - want) <= 1e-9 * std::max(1.0, want);
  }
  return cell.dump() == text;
}

struct SmallQuery {
  const char* name;
  const char* sql;
};
// 3a's queries; the goal is on the first.
constexpr SmallQuery kSmallQueries[] = {
    {"10 candidates by id",
     "SELECT id, first_name, last_name, state, hourly_rate FROM candidates ORDER BY id LIMIT 10"},
    {"(fixed cost, no goal) 10 rows of range()",
     "SELECT i AS id, 'name_' || i AS name FROM range(10) t(i)"},
};

enum SmallMode { kHttp, kPgSimple, kPgExtended, kEngine, kSmallModes };
constexpr const char* kSmallModeNames[kSmallModes] = {
    "HTTP /v1/query (keep-alive)", "pgwire simple (PQexec)", "pgwire extended (PQexecParams)",
    "engine in-process (no protocol)"};

// 3a. Returns false when interrupted.
bool RunPgLatency(const Options& options, query::QueryEngine& engine, ApiClient& api,
                  PgClient& pg) {
  const size_t num_queries = std::size(kSmallQueries);
  std::vector<std::string> requests(num_queries);
  std::vector<uint64_t> expected_rows(num_queries);
  std::string engine_out;
  // Check: every mode answers the same rows, cell by cell (untimed).
  for (size_t q = 0; q < num_queries; ++q) {
    const SmallQuery& query = kSmallQueries[q];
    requests[q] = RequestBody(query.sql, 1000);
    auto parsed = json::parse(api.Run(requests[q]), nullptr, false);
    if (parsed.is_discarded() || !parsed.contains("rows"))
      Fail("bad JSON for " + std::string(query.name));
    const json& rows = parsed["rows"];
    expected_rows[q] = rows.size();
    if (rows.size() != 10)
      Fail(std::string(query.name) + ": HTTP returned " + std::to_string(rows.size()) + " rows");
    for (const PgResult& result : {pg.Simple(query.sql), pg.Extended(query.sql)}) {
      const PGresult* r = result.get();
      if (static_cast<size_t>(PQntuples(r)) != rows.size() ||
          static_cast<size_t>(PQnfields(r)) != parsed["columns"].size()) {
        Fail(std::string(query.name) + ": pgwire returned " + std::to_string(PQntuples(r)) +
             " rows of " + std::to_string(PQnfields(r)) + " columns");
      }
      for (int row = 0; row < PQntuples(r); ++row) {
        for (int c = 0; c < PQnfields(r); ++c) {
          if (!SameCell(rows[static_cast<size_t>(row)][static_cast<size_t>(c)], r, row, c)) {
            Fail(std::string(query.name) + ": pgwire row " + std::to_string(row) + " column " +
                 std::to_string(c) + " is '" + PQgetvalue(r, row, c) + "', HTTP has " +
                 rows[static_cast<size_t>(row)][static_cast<size_t>(c)].dump());
          }
        }
      }
    }
    if (RunEngine(engine, query.sql, 1000, engine_out) != expected_rows[q])
      Fail(std::string(query.name) + ": engine rows");
  }

  std::vector<std::vector<std::vector<double>>> ms(num_queries,
                                                   std::vector<std::vector<double>>(kSmallModes));
  auto run_mode = [&](size_t q, int mode, bool record) {
    const char* sql = kSmallQueries[q].sql;
    uint64_t rows = 0;
    const auto start = Clock::now();
    switch (mode) {
      case kHttp:
        rows = TailRowCount(api.Run(requests[q]));
        break;
      case kPgSimple:
        rows = static_cast<uint64_t>(PQntuples(pg.Simple(sql).get()));
        break;
      case kPgExtended:
        rows = static_cast<uint64_t>(PQntuples(pg.Extended(sql).get()));
        break;
      default:
        rows = RunEngine(engine, sql, 1000, engine_out);
    }
    const double elapsed = Ms(start);
    if (rows != expected_rows[q]) {
      Fail(std::string(kSmallQueries[q].name) + ": " + kSmallModeNames[mode] + " returned " +
           std::to_string(rows) + " rows");
    }
    if (record) ms[q][static_cast<size_t>(mode)].push_back(elapsed);
  };
  for (int warm = 0; warm < 5; ++warm) {
    for (size_t q = 0; q < num_queries; ++q) {
      for (int mode = 0; mode < kSmallModes; ++mode) run_mode(q, mode, false);
    }
  }
  const auto cpu_before = bench::SampleCpu();
  for (int round = 0; round < options.pg_runs && !g_interrupted; ++round) {
    for (size_t q = 0; q < num_queries; ++q) {
      for (int i = 0; i < kSmallModes; ++i) run_mode(q, (round + i) % kSmallModes, true);
    }
  }
  const auto cpu_after = bench::SampleCpu();
  if (ms[0][kHttp].empty()) return false;

  std::printf(
      "\npgwire, 10-row queries: %zu timed rounds (after 5 warm-ups), the four modes rotated per "
      "round\n",
      ms[0][kHttp].size());
  std::printf("%-42s %-34s %9s %9s\n", "query", "mode", "median ms", "p95 ms");
  for (size_t q = 0; q < num_queries; ++q) {
    for (int mode = 0; mode < kSmallModes; ++mode) {
      const auto& values = ms[q][static_cast<size_t>(mode)];
      std::printf("%-42s %-34s %9.3f %9.3f\n", mode == 0 ? kSmallQueries[q].name : "",
                  kSmallModeNames[mode], bench::Median(values), Percentile(values, 0.95));
    }
  }
  std::printf("(query 1: %s)\n", kSmallQueries[0].sql);
  const auto& goal_ms = ms[0];
  const double http = bench::Median(goal_ms[kHttp]);
  const double simple = bench::Median(goal_ms[kPgSimple]);
  const double extended = bench::Median(goal_ms[kPgExtended]);
  const double floor = bench::Median(goal_ms[kEngine]);
  for (size_t q = 0; q < num_queries; ++q) {
    const auto& m = ms[q];
    std::printf(
        "%s: over the engine in-process (medians), HTTP %+.3f ms, pgwire simple %+.3f ms, "
        "extended %+.3f ms; p95 ratios to HTTP: simple %s, extended %s\n",
        kSmallQueries[q].name, bench::Median(m[kHttp]) - bench::Median(m[kEngine]),
        bench::Median(m[kPgSimple]) - bench::Median(m[kEngine]),
        bench::Median(m[kPgExtended]) - bench::Median(m[kEngine]),
        bench::Ratio(Percentile(m[kPgSimple], 0.95), Percentile(m[kHttp], 0.95)).c_str(),
        bench::Ratio(Percentile(m[kPgExtended], 0.95), Percentile(m[kHttp], 0.95)).c_str());
  }
  auto goal = [&](const char* protocol, double pg_ms, bool is_extended) {
    const bool met = pg_ms / http <= 1.2;
    bench::PrintGoal(
        std::string("10-row query, pgwire ") + protocol + " median / HTTP median <= 1.2",
        "ratio " + bench::Ratio(pg_ms, http) + " (" + bench::Fixed(pg_ms, 3) + " ms / " +
            bench::Fixed(http, 3) + " ms)",
        met);
    if (!met) {
      std::printf(
          "  why: the engine alone takes %.3f ms; pgwire %s adds %.3f ms to it where HTTP adds "
          "%.3f ms%s\n",
          floor, protocol, pg_ms - floor, http - floor,
          is_extended ? " (its Parse runs the engine's Describe, a prepare of the SQL, "
                        "before Bind and Execute run it)"
                      : "");
    }
  };
  goal("simple", simple, false);
  goal("extended", extended, true);
  std::printf("pgwire 10-row queries: ");
  bench::PrintCpuContention(cpu_before, cpu_after);
  std::fflush(stdout);
  return true;
}

// 3b's modes.
enum StreamMode {
  kStreamHttp,
  kStreamPg,
  kStreamEngineText,
  kStreamHttpPassing,
  kStreamPgRaw,
  kStreamModes
};
constexpr const char* kStreamModeNames[kStreamModes] = {
    "HTTP /v1/query (JSON body read whole)", "pgwire (libpq single-row mode)",
    "engine text in-process (NextText, no wire)", "HTTP, body read as it comes, not kept",
    "pgwire, raw socket reader (no libpq)"};

struct StreamRun {
  double seconds = 0;
  double client_cpu_s = 0;   // of the thread that ran it
  uint64_t peak_growth = 0;  // process peak RSS over its RSS at the start
};

// The engine's text cells of a query, chunk by chunk (what pgwire sends).
uint64_t RunEngineText(query::QueryEngine& engine, const std::string& sql, uint64_t limit,
                       query::TextRows& rows) {
  query::QueryRequest request;
  request.sql = sql;
  request.limit = limit;
  auto cursor = engine.Execute(request);
  bench::Check(cursor.status(), "engine: " + sql);
  uint64_t count = 0;
  while (true) {
    rows.clear();
    auto more = (*cursor)->NextText(rows);
    bench::Check(more.status(), "engine: " + sql);
    count += rows.rows();
    if (!*more) break;
  }
  return count;
}

// 3b. Returns false when interrupted.
bool RunPgStreaming(const Options& options, query::QueryEngine& engine, ApiClient& api,
                    PgClient& pg, RawPgReader& raw) {
  const uint64_t n = options.pg_stream_rows;
  const std::string sql = StreamSql(n);
  const std::string request = RequestBody(sql, n);
  // Check (untimed): HTTP's row count, pgwire's rows at a few places, and
  // the bytes each sends.
  const size_t json_bytes = [&] {
    const std::string& body = api.Run(request);
    if (TailRowCount(body) != n) Fail("pgwire stream: HTTP row count");
    return body.size();
  }();
  uint64_t wire_bytes = 0, touched = 0;
  const uint64_t pg_rows = pg.Stream(sql, touched, [&](uint64_t i, const PGresult* r) {
    // A DataRow: type, length, column count, then each cell's length and bytes.
    wire_bytes += 7;
    for (int c = 0; c < PQnfields(r); ++c)
      wire_bytes += 4 + static_cast<uint64_t>(PQgetlength(r, 0, c));
    if (i != 0 && i != n / 2 + 7 && i != n - 1) return;
    const std::string day = bench::DateString(18262 + static_cast<int64_t>(i % 1000));
    const bool ok =
        PQnfields(r) == 5 && std::to_string(i) == PQgetvalue(r, 0, 0) &&
        std::to_string(2 * i) == PQgetvalue(r, 0, 1) &&
        "name_" + std::to_string(i) == PQgetvalue(r, 0, 2) &&
        std::abs(std::strtod(PQgetvalue(r, 0, 3), nullptr) - static_cast<double>(i) / 3.0) < 1e-6 &&
        day == PQgetvalue(r, 0, 4);
    if (!ok) {
      Fail("pgwire streamed row " + std::to_string(i) + " is wrong: " + PQgetvalue(r, 0, 0) + ", " +
           PQgetvalue(r, 0, 2) + ", " + PQgetvalue(r, 0, 3) + ", " + PQgetvalue(r, 0, 4));
    }
  });
  if (pg_rows != n)
    Fail("pgwire streamed " + std::to_string(pg_rows) + " rows, expected " + std::to_string(n));

  if (const uint64_t raw_rows = raw.Stream(sql); raw_rows != n) {
    Fail("the raw pgwire reader counted " + std::to_string(raw_rows) + " DataRows");
  }

  const bool rss_known = ResetPeakRss();
  std::vector<std::vector<StreamRun>> runs(kStreamModes);
  query::TextRows text_rows;
  const auto cpu_before = bench::SampleCpu();
  for (int r = 0; r < options.stream_runs + 1 && !g_interrupted; ++r) {
    const bool record = r > 0;  // the first round warms up
    for (int i = 0; i < kStreamModes; ++i) {
      const int mode = (r + i) % kStreamModes;
      const uint64_t rss_before = ProcStatusBytes("VmRSS");
      if (rss_known) ResetPeakRss();
      const double cpu_start = ThreadCpuSeconds();
      const auto start = Clock::now();
      uint64_t rows = 0;
      if (mode == kStreamHttp) {
        rows = TailRowCount(api.Run(request));
      } else if (mode == kStreamPg) {
        rows = pg.Stream(sql, touched);
      } else if (mode == kStreamPgRaw) {
        rows = raw.Stream(sql);
      } else if (mode == kStreamHttpPassing) {
        uint64_t bytes = 0;
        rows = api.RunStreamed(request, bytes);
      } else {
        rows = RunEngineText(engine, sql, n, text_rows);
      }
      StreamRun run;
      run.seconds = bench::SecondsSince(start);
      run.client_cpu_s = ThreadCpuSeconds() - cpu_start;
      const uint64_t peak = ProcStatusBytes("VmHWM");
      run.peak_growth = rss_known && peak > rss_before ? peak - rss_before : 0;
      if (rows != n)
        Fail(std::string(kStreamModeNames[mode]) + " streamed " + std::to_string(rows) + " rows");
      if (record) runs[static_cast<size_t>(mode)].push_back(run);
    }
  }
  const auto cpu_after = bench::SampleCpu();
  if (runs[kStreamHttp].empty()) return false;

  auto seconds = [&](int mode, double StreamRun::*field) {
    std::vector<double> values;
    for (const StreamRun& run : runs[static_cast<size_t>(mode)]) values.push_back(run.*field);
    return bench::Median(values);
  };
  auto peak_mb = [&](int mode) {
    uint64_t most = 0;
    for (const StreamRun& run : runs[static_cast<size_t>(mode)])
      most = std::max(most, run.peak_growth);
    return static_cast<double>(most) / 1e6;
  };
  const double rows = static_cast<double>(n);
  std::printf(
      "\npgwire streaming: %s rows x 5 columns (part 2's query), %.1f MB of JSON over HTTP, %.1f "
      "MB of DataRows over pgwire, %zu timed runs (median), modes rotated\n",
      bench::Thousands(rows).c_str(), static_cast<double>(json_bytes) / 1e6,
      static_cast<double>(wire_bytes) / 1e6, runs[kStreamHttp].size());
  std::printf("%-44s %9s %14s %13s %15s\n", "mode", "median s", "rows/s", "client CPU s",
              "peak RSS +MB");
  for (int mode = 0; mode < kStreamModes; ++mode) {
    const double s = seconds(mode, &StreamRun::seconds);
    std::printf("%-44s %9.3f %14s %13.3f %15s\n", kStreamModeNames[mode], s,
                bench::Thousands(rows / s).c_str(), seconds(mode, &StreamRun::client_cpu_s),
                rss_known ? bench::Fixed(peak_mb(mode), 1).c_str() : "n/a");
  }
  std::printf(
      "(client CPU: the bench thread that ran the mode, i.e. the HTTP client reading the body, "
      "libpq making one PGresult per row, or the engine formatting in-process; peak RSS: the "
      "whole process, server and client, over its RSS at the mode's start (largest of the "
      "runs); the HTTP client holds the whole body in the first mode, none of it in the "
      "fourth, libpq one row; the raw reader counts DataRows without parsing them)\n");
  const double http_rate = rows / seconds(kStreamHttp, &StreamRun::seconds);
  const double pg_s = seconds(kStreamPg, &StreamRun::seconds);
  const double pg_rate = rows / pg_s;
  std::printf(
      "ratios (rows/s, no goal): pgwire / HTTP with the body not kept %s; pgwire raw reader / "
      "HTTP not kept %s; pgwire / engine text in-process %s\n",
      bench::Ratio(pg_rate, rows / seconds(kStreamHttpPassing, &StreamRun::seconds)).c_str(),
      bench::Ratio(seconds(kStreamHttpPassing, &StreamRun::seconds),
                   seconds(kStreamPgRaw, &StreamRun::seconds))
          .c_str(),
      bench::Ratio(pg_rate, rows / seconds(kStreamEngineText, &StreamRun::seconds)).c_str());
  const bool met = pg_rate >= http_rate;
  bench::PrintGoal(bench::Thousands(rows) + "-row stream, pgwire rows/s / HTTP JSON rows/s >= 1.0",
                   "ratio " + bench::Ratio(pg_rate, http_rate) + " (" + bench::Thousands(pg_rate) +
                       " / " + bench::Thousands(http_rate) + " rows/s)",
                   met);
  if (!met) {
    const double engine_s = seconds(kStreamEngineText, &StreamRun::seconds);
    const double client_s = seconds(kStreamPg, &StreamRun::client_cpu_s);
    std::printf(
        "  why: of pgwire's %.3f s the libpq client's thread was on the CPU %.3f s (single-row "
        "mode); the server alone, read by a client doing next to nothing, takes %.3f s; the "
        "engine makes the text cells alone in %.3f s; the two cores are shared by the server's "
        "session thread, DuckDB's threads and the client\n",
        pg_s, client_s, seconds(kStreamPgRaw, &StreamRun::seconds), engine_s);
  }
  std::printf("pgwire streaming: ");
  bench::PrintCpuContention(cpu_before, cpu_after);
  std::fflush(stdout);
  return true;
}

// Part 3: both, against one listener and one libpq connection.
int RunPgwire(const Options& options, bench::ServeInProcess& serve, ApiClient& api) {
  query::QueryEngine& engine = *serve.engine();
  auto server = StartPgServer(serve.config(), engine);
  PgClient pg(server->port());
  std::printf(
      "\npgwire: pgwire::PgServer in the same process on 127.0.0.1:%d over the same engine (as "
      "serve wires [pgwire] without tokens); client libpq %d.%d, one connection kept open; HTTP "
      "through the keep-alive client above\n",
      server->port(), PQlibVersion() / 10000, PQlibVersion() % 100);
  std::fflush(stdout);
  if (!RunPgLatency(options, engine, api, pg)) return 130;
  RawPgReader raw(server->port());
  if (g_interrupted || !RunPgStreaming(options, engine, api, pg, raw)) return 130;
  return g_interrupted ? 130 : 0;
}

int Run(const Options& options, const std::string& root) {
  std::printf("query_bench: SQL through /v1/query vs the DuckDB C API in-process, %s\n",
              options.run_kind());
  bench::PrintMachine(root);
  std::fflush(stdout);

  // Data, generated and ingested through the API.
  struct Table {
    const char* name;
    uint64_t rows;
  };
  const Table tables[] = {{"candidates", options.candidates},
                          {"jobs", options.jobs},
                          {"placements", options.placements}};
  bench::ServeInProcess serve(root + "/data", true);
  const auto& config = serve.config();
  {
    auto client = serve.Client();
    for (const Table& table : tables) {
      const std::string csv = root + "/" + table.name + ".csv";
      auto start = Clock::now();
      uint64_t bytes = 0;
      if (std::strcmp(table.name, "candidates") == 0) {
        bytes = bench::WriteCandidatesCsv(csv, table.rows);
      } else if (std::strcmp(table.name, "jobs") == 0) {
        bytes = bench::WriteJobsCsv(csv, table.rows);
      } else {
        bytes = bench::WritePlacementsCsv(csv, table.rows, options.candidates, options.jobs);
      }
      const double generated_s = bench::SecondsSince(start);
      auto upload = bench::IngestFile(*client, table.name, csv, "overwrite", table.rows);
      std::printf(
          "data: %-10s %9s rows, %7.1f MB CSV (generated in %.2f s, ingested via API in "
          "%.2f s)\n",
          table.name, bench::Thousands(static_cast<double>(table.rows)).c_str(),
          static_cast<double>(bytes) / 1e6, generated_s, upload.seconds);
      std::filesystem::remove(csv);
    }
  }

  bench::AnchorDb anchor(config.queryd.threads, config.queryd.memory_limit, root + "/anchor-spill");
  for (const Table& table : tables) {
    std::string list;
    for (const auto& path : serve.DataFilePaths(table.name)) {
      list += (list.empty() ? "" : ", ") + SqlString(path);
    }
    anchor.Exec(std::string("CREATE VIEW ") + table.name + " AS SELECT * FROM read_parquet([" +
                list + "])");
  }
  query::QueryEngine& engine = *serve.engine();
  ApiClient api(serve);

  std::printf(
      "api: in-process server as `serve` wires it (QueryEngine threads=%d, memory_limit=%s, %d "
      "connections), %d HTTP worker threads, 127.0.0.1:%d, keep-alive client, request log off\n",
      config.queryd.threads, config.queryd.memory_limit.c_str(), config.queryd.connections,
      config.http.threads, serve.port());
  std::printf(
      "anchor: in-memory DuckDB (C API), threads=%d, memory_limit=%s, views over read_parquet() "
      "of the same files; duckdb_query + every chunk walked\n",
      config.queryd.threads, config.queryd.memory_limit.c_str());
  std::printf("runs: 2 untimed warm-ups, then %d timed runs per query per mode, order rotated\n",
              options.runs);
  std::fflush(stdout);

  // Check: every mode returns the same row count and columns (untimed).
  constexpr uint64_t kLimit = 100'000;
  const size_t num_queries = std::size(kQueries);
  std::vector<uint64_t> expected_rows(num_queries);
  std::vector<size_t> response_bytes(num_queries);
  std::string engine_out;
  for (size_t q = 0; q < num_queries; ++q) {
    const Query& query = kQueries[q];
    const auto fetched = anchor.Query(query.sql);
    const std::string& body = api.Run(RequestBody(query.sql, kLimit));
    auto parsed = json::parse(body, nullptr, false);
    if (parsed.is_discarded() || !parsed.contains("rows"))
      Fail("bad JSON for " + std::string(query.name));
    const uint64_t api_rows = parsed["rows"].size();
    const uint64_t engine_rows = RunEngine(engine, query.sql, kLimit, engine_out);
    if (api_rows != fetched.rows || parsed["row_count"] != fetched.rows ||
        engine_rows != fetched.rows || parsed["columns"].size() != fetched.columns ||
        parsed["truncated"] != false) {
      Fail(std::string(query.name) + ": api returned " + std::to_string(api_rows) +
           " rows, engine " + std::to_string(engine_rows) + ", anchor " +
           std::to_string(fetched.rows));
    }
    if (fetched.rows == 0) Fail(std::string(query.name) + " returned no rows");
    expected_rows[q] = fetched.rows;
    response_bytes[q] = body.size();
  }

  std::vector<Timings> timings(num_queries);
  std::vector<std::string> requests(num_queries);
  for (size_t q = 0; q < num_queries; ++q) requests[q] = RequestBody(kQueries[q].sql, kLimit);
  auto run_mode = [&](size_t q, int mode, Timings* record) {
    const auto start = Clock::now();
    if (mode == 0) {
      const std::string& body = api.Run(requests[q]);
      const double ms = Ms(start);
      if (TailRowCount(body) != expected_rows[q])
        Fail(std::string(kQueries[q].name) + ": api rows");
      if (record) record->api_ms.push_back(ms);
    } else if (mode == 1) {
      const uint64_t rows = RunEngine(engine, kQueries[q].sql, kLimit, engine_out);
      const double ms = Ms(start);
      if (rows != expected_rows[q]) Fail(std::string(kQueries[q].name) + ": engine rows");
      if (record) record->engine_ms.push_back(ms);
    } else {
      const auto fetched = anchor.Query(kQueries[q].sql);
      const double ms = Ms(start);
      if (fetched.rows != expected_rows[q]) Fail(std::string(kQueries[q].name) + ": anchor rows");
      if (record) record->anchor_ms.push_back(ms);
    }
  };
  for (int warm = 0; warm < 2; ++warm) {
    for (size_t q = 0; q < num_queries; ++q) {
      for (int mode = 0; mode < 3; ++mode) run_mode(q, mode, nullptr);
    }
  }

  const auto cpu_before = bench::SampleCpu();
  for (int round = 0; round < options.runs && !g_interrupted; ++round) {
    for (size_t q = 0; q < num_queries; ++q) {
      for (int i = 0; i < 3; ++i) run_mode(q, (round + i) % 3, &timings[q]);
    }
  }
  const auto cpu_mid = bench::SampleCpu();

  std::printf("\n%-40s %5s %8s %8s %9s %9s %11s %9s\n", "query (median ms of each mode)", "rows",
              "JSON KB", "api", "engine", "anchor", "api-anchor", "api-eng");
  std::vector<double> overheads;
  for (size_t q = 0; q < num_queries; ++q) {
    const Timings& t = timings[q];
    if (t.api_ms.empty()) continue;
    const double api_ms = bench::Median(t.api_ms);
    const double engine_ms = bench::Median(t.engine_ms);
    const double anchor_ms = bench::Median(t.anchor_ms);
    if (q < kGoalQueries) {
      overheads.push_back(api_ms - anchor_ms);
    } else if (q == kGoalQueries) {
      std::printf("%s\n", std::string(106, '-').c_str());
    }
    std::printf("%-40s %5llu %8.1f %8.2f %9.2f %9.2f %11.2f %9.2f\n", kQueries[q].name,
                static_cast<unsigned long long>(expected_rows[q]),
                static_cast<double>(response_bytes[q]) / 1024, api_ms, engine_ms, anchor_ms,
                api_ms - anchor_ms, api_ms - engine_ms);
  }
  std::printf(
      "(api: HTTP round trip with the whole body read; engine: QueryEngine in-process, no HTTP; "
      "api-anchor: the overhead; api-eng: its HTTP part)\n");
  const double median_overhead = bench::Median(overheads);
  std::printf("median overhead over the %zu queries: %.2f ms\n", overheads.size(), median_overhead);
  bench::PrintGoal("median overhead <= 5 ms per query", bench::Fixed(median_overhead, 2) + " ms",
                   median_overhead <= 5.0);
  std::fflush(stdout);

  // Part 2: streaming.
  if (g_interrupted) return 130;
  const std::string stream_sql = StreamSql(options.stream_rows);
  const std::string stream_request = RequestBody(stream_sql, options.stream_rows);
  std::vector<double> api_s, engine_s, anchor_s;
  size_t stream_bytes = 0;
  {
    // Check one response whole (untimed).
    const std::string& body = api.Run(stream_request);
    stream_bytes = body.size();
    auto parsed = json::parse(body, nullptr, false);
    if (parsed.is_discarded()) Fail("the streamed result is not valid JSON");
    const auto& rows = parsed["rows"];
    const uint64_t n = options.stream_rows;
    if (rows.size() != n || parsed["row_count"] != n || parsed["truncated"] != false) {
      Fail("the streamed result has " + std::to_string(rows.size()) + " rows, expected " +
           std::to_string(n));
    }
    for (uint64_t i : {uint64_t{0}, n / 2 + 7, n - 1}) {
      const auto& row = rows[i];
      // 2020-01-01 is day 18262 since 1970-01-01.
      const std::string day = bench::DateString(18262 + static_cast<int64_t>(i % 1000));
      const bool ok = row.size() == 5 && row[0] == i && row[1] == 2 * i &&
                      row[2] == "name_" + std::to_string(i) &&
                      std::abs(row[3].get<double>() - static_cast<double>(i) / 3.0) < 1e-6 &&
                      row[4] == day;
      if (!ok) Fail("streamed row " + std::to_string(i) + " is wrong: " + row.dump());
    }
  }
  for (int r = 0; r < options.stream_runs + 1 && !g_interrupted; ++r) {
    const bool record = r > 0;  // the first round warms up
    for (int i = 0; i < 3; ++i) {
      const int mode = (r + i) % 3;
      const auto start = Clock::now();
      if (mode == 0) {
        const std::string& body = api.Run(stream_request);
        const double s = bench::SecondsSince(start);
        if (TailRowCount(body) != options.stream_rows) Fail("streamed row_count");
        if (record) api_s.push_back(s);
      } else if (mode == 1) {
        const uint64_t rows = RunEngine(engine, stream_sql, options.stream_rows, engine_out);
        const double s = bench::SecondsSince(start);
        if (rows != options.stream_rows) Fail("engine streamed rows");
        if (record) engine_s.push_back(s);
      } else {
        const auto fetched = anchor.Query(stream_sql);
        const double s = bench::SecondsSince(start);
        if (fetched.rows != options.stream_rows) Fail("anchor streamed rows");
        if (record) anchor_s.push_back(s);
      }
    }
  }
  const auto cpu_after = bench::SampleCpu();
  if (api_s.empty()) return 130;

  const double n = static_cast<double>(options.stream_rows);
  std::printf(
      "\nstreaming: %s rows x 5 columns (BIGINT, BIGINT, VARCHAR, DOUBLE, DATE), %.1f MB "
      "of JSON, %d timed runs (median)\n",
      bench::Thousands(n).c_str(), static_cast<double>(stream_bytes) / 1e6,
      static_cast<int>(api_s.size()));
  std::printf("%-46s %9s %14s %10s\n", "mode", "median s", "rows/s", "MB/s");
  auto stream_row = [&](const char* name, const std::vector<double>& seconds, bool json_bytes) {
    const double s = bench::Median(seconds);
    std::printf(
        "%-46s %9.3f %14s %10s\n", name, s, bench::Thousands(n / s).c_str(),
        json_bytes ? std::to_string(static_cast<int>(stream_bytes / s / 1e6)).c_str() : "-");
  };
  stream_row("api (HTTP, JSON body read whole)", api_s, true);
  stream_row("engine (in-process, JSON, no HTTP)", engine_s, true);
  stream_row("anchor (C API, materialised, chunks walked)", anchor_s, false);
  const double api_rate = n / bench::Median(api_s);
  std::printf("ratio api / anchor (rows/s): %s\n",
              bench::Ratio(api_rate, n / bench::Median(anchor_s)).c_str());
  bench::PrintGoal("api streaming >= 1,000,000 rows/s", bench::Thousands(api_rate),
                   api_rate >= 1e6);

  std::printf("\nqueries: ");
  bench::PrintCpuContention(cpu_before, cpu_mid);
  std::printf("streaming: ");
  bench::PrintCpuContention(cpu_mid, cpu_after);
  std::fflush(stdout);
  if (g_interrupted) return 130;

  // Part 3: the PostgreSQL protocol.
  return RunPgwire(options, serve, api);
}

}  // namespace

int main(int argc, char** argv) {
  return bench::RunInScratchDir(kTool, ParseOptions(argc, argv), "bench-query-tmp", Run);
}
