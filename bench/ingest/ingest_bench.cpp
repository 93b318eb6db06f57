// bench/ingest: CSV ingest through the HTTP API against DuckDB's own
// CSV-to-Parquet COPY on the same file, in the same run.
//
//   api      POST /v1/datasets/candidates/ingest?format=csv&mode=overwrite to
//            an in-process server wired as `lakehouse serve` wires it, the
//            file streamed from disk in 1 MiB reads; timed from the request's
//            start to the 201. Spooling, hashing, sniffing, the COPY, moving
//            the Parquet file into the store (fsync) and the commit all count.
//   anchor   a separate in-memory DuckDB (C API) with the ingestor's threads
//            and memory limit running
//              COPY (SELECT * FROM read_csv('<file>', auto_detect=true))
//                TO '<out>' (FORMAT parquet, COMPRESSION zstd)
//
// The input is a generated staffing CSV of candidates (11 columns, one of
// them ~300 characters of resume text). Each mode runs --runs times,
// alternating which goes first; one untimed warm-up of each comes before.
// Goal: api rows/s >= 0.8 x anchor rows/s (ratio of medians).
//
// After the runs, a breakdown times the api's steps one by one on the same
// file, to show where the time goes.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/common/bench_common.h"
#include "bench/ingest/iceberg_figures.h"
#include "common/sha256.h"
#include "common/sql_quote.h"

namespace {

namespace bench = lakehouse::bench;
using bench::Clock;
using bench::Fail;
using bench::FailErrno;
using bench::g_interrupted;
using lakehouse::SqlString;

constexpr const char* kTool = "ingest_bench";

struct Options : bench::CommonOptions {
  uint64_t rows = 1'000'000;
  int runs = 3;
  bool breakdown = true;
};

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: ingest_bench [--rows N] [--runs N] [--quick] [--dir PARENT] [--keep] "
               "[--no-breakdown]\n"
               "  --rows N        rows of the generated CSV (default 1000000)\n"
               "  --runs N        timed runs of each mode, alternating (default 3)\n"
               "  --quick         50000 rows: a sanity check, numbers are not meaningful\n"
               "  --dir PARENT    make the scratch directory under PARENT (default: .)\n"
               "  --keep          leave the scratch directory in place\n"
               "  --no-breakdown  skip timing the api's steps one by one\n");
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  bool rows_set = false;
  bench::ParseArguments(argc, argv, kTool, Usage, options, [&](const std::string& arg, int& i) {
    if (arg == "--rows") {
      options.rows = bench::ParseCount(bench::OptionValue(argc, argv, i, kTool), "--rows", kTool);
      rows_set = true;
    } else if (arg == "--runs") {
      options.runs = static_cast<int>(
          bench::ParseCount(bench::OptionValue(argc, argv, i, kTool), "--runs", kTool));
    } else if (arg == "--no-breakdown") {
      options.breakdown = false;
    } else {
      return false;
    }
    return true;
  });
  if (options.quick && !rows_set) options.rows = 50'000;
  return options;
}

struct ModeRuns {
  std::vector<double> seconds;
  std::vector<double> cpu_seconds;  // of this whole process during the run
  void Time(const auto& run) {
    const auto before = bench::SampleCpu();
    seconds.push_back(run());
    cpu_seconds.push_back(bench::SampleCpu().self_s - before.self_s);
  }
  double best_rows_per_s(uint64_t rows) const { return rows / bench::Min(seconds); }
  double median_rows_per_s(uint64_t rows) const { return rows / bench::Median(seconds); }
};

std::string CopySql(const std::string& reader, const std::string& out) {
  return "COPY (SELECT * FROM " + reader + ") TO " + SqlString(out) +
         " (FORMAT parquet, COMPRESSION zstd)";
}

// The reader the ingestor builds for a CSV overwrite (src/ingest/ingestor.cpp).
std::string IngestorReader(const std::string& path) {
  return "read_csv(" + SqlString(path) +
         ", auto_detect = true, strict_mode = true, null_padding = false)";
}

void FsyncFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) FailErrno("fsync " + path);
  ::close(fd);
}

// ---------------------------------------------------------------------------
// The breakdown: the api's steps, each timed on its own.

struct Step {
  std::string name;
  double seconds;
  std::string note;
};

// A route that receives the body the way the ingest route does (the
// ContentReader), optionally spooling it to a scratch file in 1 MiB blocks as
// Ingestor::Spool does. Registered before the first request.
void AddReceiveRoute(bench::ServeInProcess& serve, const std::string& scratch) {
  serve.router().Post(
      "/bench/receive", [scratch](const httplib::Request& request, httplib::Response& response,
                                  const httplib::ContentReader& reader) {
        const std::string path = scratch + "/receive.csv";
        int fd = -1;
        if (request.get_param_value("write") == "1") {
          fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        }
        uint64_t bytes = 0;
        std::vector<char> block;
        block.reserve(1 << 20);
        auto flush = [&]() {
          if (fd >= 0 && !bench::WriteAll(fd, block.data(), block.size())) return false;
          block.clear();
          return true;
        };
        bool ok = reader([&](const char* data, size_t size) {
          bytes += size;
          if (block.size() + size > (1 << 20) && !flush()) return false;
          block.insert(block.end(), data, data + size);
          return true;
        });
        ok = ok && flush();
        if (fd >= 0) ::close(fd);
        std::filesystem::remove(path);  // as the ingestor removes its scratch directory
        response.status = ok ? 201 : 500;
        response.set_content(std::to_string(bytes), "text/plain");
      });
}

std::string FileSha256Hex(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) FailErrno("open " + path);
  lakehouse::Sha256Stream hash;
  std::vector<char> buffer(1 << 20);
  ssize_t n;
  while ((n = ::read(fd, buffer.data(), buffer.size())) > 0) {
    lakehouse::Status hashed = hash.Update(std::string_view(buffer.data(), static_cast<size_t>(n)));
    if (!hashed.ok()) Fail("hash " + path + ": " + hashed.ToString());
  }
  ::close(fd);
  auto hex = hash.FinishHex();
  if (!hex.ok()) Fail("hash " + path + ": " + hex.status().ToString());
  return *hex;
}

struct BreakdownResult {
  std::vector<Step> steps;  // on the api's critical path
  double sha256_s = 0;      // runs beside DESCRIBE and COPY
  std::string sha256;
};

BreakdownResult Breakdown(bench::ServeInProcess& serve, bench::AnchorDb& anchor,
                          const std::string& csv, const std::string& root, uint64_t rows,
                          uint64_t csv_bytes) {
  BreakdownResult result;
  auto& steps = result.steps;
  auto client = serve.Client();
  auto receive = [&](const char* query) {
    auto upload = bench::PostFile(*client, std::string("/bench/receive") + query, csv);
    if (upload.status != 201 || upload.body != std::to_string(csv_bytes)) {
      Fail("/bench/receive answered " + std::to_string(upload.status) + ": " + upload.body);
    }
    return upload.seconds;
  };
  receive("?write=0");  // warm
  std::vector<double> transfer, spooled;
  for (int i = 0; i < 3; ++i) {
    transfer.push_back(receive("?write=0"));
    spooled.push_back(receive("?write=1"));
  }
  char note[160];
  std::snprintf(note, sizeof note, "%.0f MB/s, body read and dropped (median of 3)",
                static_cast<double>(csv_bytes) / bench::Median(transfer) / 1e6);
  steps.push_back({"HTTP upload alone", bench::Median(transfer), note});
  steps.push_back({"  + spool to the scratch file",
                   bench::Median(spooled) - bench::Median(transfer),
                   "1 MiB write(2)s and the unlink (difference of medians)"});

  // DuckDB, on the anchor database (same threads and memory limit as the
  // ingestor's), reading the CSV the ingestor's way.
  const std::string reader = IngestorReader(csv);
  auto start = Clock::now();
  anchor.Query("DESCRIBE SELECT * FROM " + reader);
  steps.push_back({"DESCRIBE (sniff the CSV)", bench::SecondsSince(start), "ingestor's reader"});

  const std::string out = root + "/breakdown.parquet";
  start = Clock::now();
  const uint64_t copied = anchor.RowsChanged(CopySql(reader, out));
  const double copy_s = bench::SecondsSince(start);
  if (copied != rows) Fail("breakdown COPY wrote " + std::to_string(copied) + " rows");
  steps.push_back({"COPY to zstd Parquet", copy_s, "ingestor's reader (strict_mode)"});

  const uint64_t parquet_bytes = std::filesystem::file_size(out);
  start = Clock::now();
  FsyncFile(out);
  snprintf(note, sizeof note, "%.0f MB Parquet, as LocalObjectStore::PutFile does",
           static_cast<double>(parquet_bytes) / 1e6);
  steps.push_back({"fsync the Parquet file", bench::SecondsSince(start), note});
  std::filesystem::remove(out);

  start = Clock::now();
  result.sha256 = FileSha256Hex(csv);
  result.sha256_s = bench::SecondsSince(start);
  return result;
}

// ---------------------------------------------------------------------------

int Run(const Options& options, const std::string& root) {
  const std::string csv = root + "/candidates.csv";
  const std::string anchor_out = root + "/anchor.parquet";

  std::printf("ingest_bench: CSV ingest through the HTTP API vs DuckDB COPY, %s\n",
              options.run_kind());
  bench::PrintMachine(root);
  std::fflush(stdout);

  auto start = Clock::now();
  const uint64_t csv_bytes = bench::WriteCandidatesCsv(csv, options.rows);
  std::printf(
      "input: candidates.csv, %s rows, %.1f MB (%.0f bytes/row, resume ~300 chars), generated in "
      "%.2f s\n",
      bench::Thousands(static_cast<double>(options.rows)).c_str(),
      static_cast<double>(csv_bytes) / 1e6,
      static_cast<double>(csv_bytes) / static_cast<double>(options.rows),
      bench::SecondsSince(start));

  bench::ServeInProcess serve(root + "/data", false);
  AddReceiveRoute(serve, root);
  const auto& config = serve.config();
  bench::AnchorDb anchor(config.queryd.threads, config.queryd.memory_limit, root + "/anchor-spill");
  auto client = serve.Client();

  std::printf(
      "api: in-process server as `serve` wires it (LocalObjectStore, StoreCatalog, Ingestor: "
      "threads=%d, memory_limit=%s), %d HTTP worker threads, 127.0.0.1:%d, request log off\n",
      config.queryd.threads, config.queryd.memory_limit.c_str(), config.http.threads, serve.port());
  std::printf(
      "anchor: in-memory DuckDB, threads=%d, memory_limit=%s: COPY (SELECT * FROM "
      "read_csv(file, auto_detect=true)) TO out (FORMAT parquet, COMPRESSION zstd)\n",
      config.queryd.threads, config.queryd.memory_limit.c_str());
  std::printf("runs: 1 untimed warm-up each, then %d timed runs each, alternating order\n",
              options.runs);
  std::fflush(stdout);

  const std::string anchor_sql =
      CopySql("read_csv(" + SqlString(csv) + ", auto_detect=true)", anchor_out);
  auto run_anchor = [&]() {
    std::filesystem::remove(anchor_out);
    const auto t = Clock::now();
    const uint64_t rows = anchor.RowsChanged(anchor_sql);
    const double seconds = bench::SecondsSince(t);
    if (rows != options.rows) {
      Fail("anchor COPY wrote " + std::to_string(rows) + " rows, expected " +
           std::to_string(options.rows));
    }
    return seconds;
  };
  auto run_api = [&]() {
    return bench::IngestFile(*client, "candidates", csv, "overwrite", options.rows).seconds;
  };

  run_anchor();
  run_api();

  ModeRuns api, anchor_runs;
  const auto cpu_before = bench::SampleCpu();
  for (int r = 0; r < options.runs && !g_interrupted; ++r) {
    if (r % 2 == 0) {
      anchor_runs.Time(run_anchor);
      api.Time(run_api);
    } else {
      api.Time(run_api);
      anchor_runs.Time(run_anchor);
    }
  }
  const auto cpu_after = bench::SampleCpu();
  if (api.seconds.empty() || anchor_runs.seconds.empty()) return 130;

  // Both wrote the same table: compare the schemas.
  const uint64_t anchor_parquet = std::filesystem::file_size(anchor_out);
  auto manifest = serve.catalog().GetCurrent("candidates");
  bench::Check(manifest.status(), "look up candidates");
  std::string api_schema, anchor_schema;
  for (const auto& column : manifest->schema) {
    api_schema += (api_schema.empty() ? "" : ", ") + column.name + " " + column.type;
  }
  {
    lakehouse::query::QueryResult described;
    const std::string sql = "DESCRIBE SELECT * FROM read_parquet(" + SqlString(anchor_out) + ")";
    if (duckdb_query(anchor.connection(), sql.c_str(), described.out()) != DuckDBSuccess) {
      Fail("describe the anchor's output");
    }
    for (idx_t r = 0; r < duckdb_row_count(described.get()); ++r) {
      char* name = duckdb_value_varchar(described.get(), 0, r);
      char* type = duckdb_value_varchar(described.get(), 1, r);
      anchor_schema += (anchor_schema.empty() ? "" : ", ") + std::string(name) + " " + type;
      duckdb_free(name);
      duckdb_free(type);
    }
  }

  std::printf("\n%-8s", "mode");
  for (int r = 0; r < static_cast<int>(api.seconds.size()); ++r) std::printf("  run%d s", r + 1);
  std::printf(" %14s %14s %11s %12s %11s\n", "best rows/s", "median rows/s", "median MB/s",
              "median CPU s", "Parquet MB");
  auto row = [&](const char* name, const ModeRuns& runs, uint64_t parquet_bytes) {
    std::printf("%-8s", name);
    for (double s : runs.seconds) std::printf(" %7.2f", s);
    std::printf(" %14s %14s %11.1f %12.2f %11.1f\n",
                bench::Thousands(runs.best_rows_per_s(options.rows)).c_str(),
                bench::Thousands(runs.median_rows_per_s(options.rows)).c_str(),
                static_cast<double>(csv_bytes) / bench::Median(runs.seconds) / 1e6,
                bench::Median(runs.cpu_seconds), static_cast<double>(parquet_bytes) / 1e6);
  };
  row("anchor", anchor_runs, anchor_parquet);
  row("api", api, manifest->bytes);
  std::printf(
      "(CPU s: CPU time of this whole process during a run; the api's includes the client "
      "streaming the file)\n");
  std::printf("schema api:    %s\n", api_schema.c_str());
  std::printf("schema anchor: %s%s\n", anchor_schema.c_str(),
              api_schema == anchor_schema ? "  (same)" : "  (DIFFERENT)");

  std::printf("\n");
  bench::PrintCpuContention(cpu_before, cpu_after);

  const double api_median = api.median_rows_per_s(options.rows);
  const double anchor_median = anchor_runs.median_rows_per_s(options.rows);
  const std::string ratio_median = bench::Ratio(api_median, anchor_median);
  std::printf("\nratio api / anchor (rows/s, medians): %s\n", ratio_median.c_str());
  std::printf(
      "ratio api / anchor (rows/s, bests):   %s\n",
      bench::Ratio(api.best_rows_per_s(options.rows), anchor_runs.best_rows_per_s(options.rows))
          .c_str());
  bench::PrintGoal("api >= 0.80 x anchor rows/s (medians)", ratio_median,
                   api_median / anchor_median >= 0.80);
  std::fflush(stdout);

  if (!g_interrupted) bench::RunIcebergFigures(serve, csv, root, options.rows, options.runs);
  std::fflush(stdout);

  if (options.breakdown && !g_interrupted) {
    auto breakdown = Breakdown(serve, anchor, csv, root, options.rows, csv_bytes);
    std::printf("\nbreakdown of one api ingest, each step timed alone (median api run %.2f s):\n",
                bench::Median(api.seconds));
    double sum = 0;
    for (const auto& step : breakdown.steps) {
      std::printf("  %-32s %7.2f s  %s\n", step.name.c_str(), step.seconds, step.note.c_str());
      sum += step.seconds;
    }
    std::printf("  %-32s %7.2f s  (the rest: catalog commit, link, dirsync, scheduling)\n",
                "sum of the steps", sum);
    std::printf("  %-32s %7.2f s  (median anchor run; its read_csv without strict_mode)\n",
                "anchor COPY", bench::Median(anchor_runs.seconds));
    const std::string recorded = manifest->source ? manifest->source->sha256 : "";
    std::printf(
        "  off the critical path: SHA-256 of the spooled file %.2f s (%.0f MB/s), in a thread "
        "beside DESCRIBE+COPY; manifest's sha256 %s\n",
        breakdown.sha256_s, static_cast<double>(csv_bytes) / breakdown.sha256_s / 1e6,
        recorded == breakdown.sha256 ? "matches the file" : "DIFFERS from the file");
    if (recorded != breakdown.sha256) Fail("the manifest's sha256 is not the file's");
  }
  return g_interrupted ? 130 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::RunInScratchDir(kTool, ParseOptions(argc, argv), "bench-ingest-tmp", Run);
}
