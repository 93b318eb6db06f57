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
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/common/bench_common.h"
#include "common/sql_quote.h"

namespace {

namespace bench = lakehouse::bench;
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
  int runs = 20;
  int stream_runs = 5;
};

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: query_bench [--runs N] [--stream-runs N] [--quick] [--dir PARENT] "
               "[--keep]\n"
               "  --runs N         timed runs of each query in each mode (default 20)\n"
               "  --stream-runs N  timed runs of the 1M-row streaming query (default 5)\n"
               "  --quick          a tenth of the data, 5 runs, 2 streaming runs of 100000 "
               "rows:\n"
               "                   a sanity check, numbers are not meaningful\n"
               "  --dir PARENT     make the scratch directory under PARENT (default: .)\n"
               "  --keep           leave the scratch directory in place\n");
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  bool runs_set = false, stream_runs_set = false;
  bench::ParseArguments(argc, argv, kTool, Usage, options, [&](const std::string& arg, int& i) {
    if (arg == "--runs") {
      options.runs = static_cast<int>(
          bench::ParseCount(bench::OptionValue(argc, argv, i, kTool), "--runs", kTool));
      runs_set = true;
    } else if (arg == "--stream-runs") {
      options.stream_runs = static_cast<int>(
          bench::ParseCount(bench::OptionValue(argc, argv, i, kTool), "--stream-runs", kTool));
      stream_runs_set = true;
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
  return g_interrupted ? 130 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::RunInScratchDir(kTool, ParseOptions(argc, argv), "bench-query-tmp", Run);
}
