// bench/changes: row changes through the HTTP API — upsert by key, delete by
// predicate, compaction — against LanceDB 0.31.0 making the same changes to
// the same rows, and against our own freshly ingested tables, in one run.
//
// Data: the staffing demo's candidates table (src/demo/staffing_data.h, key
// `id`; scale 500 = 1,000,000 rows), its first --rows rows, ingested as CSV
// into an in-process server wired as `lakehouse serve` wires it (local
// store, catalog, ingestor, query engine, one HttpServer on 127.0.0.1).
//
// The changes, made the same way on both sides and prepared up front as files
// by a reference DuckDB that applies them too (so the expected rows are
// known):
//   upsert   1,000 rows: 900 existing ids with a changed desired_rate and
//            years_experience, 100 new ids (copies of existing rows). Ours:
//            POST .../ingest?format=csv&mode=upsert&key=id, timed from the
//            request's start to the 201. LanceDB: merge_insert("id")
//            when-matched-update-all, when-not-matched-insert-all of the same
//            CSV, timed from reading the file (bench/changes/lance_peer.mjs).
//   delete   1,000 existing ids: POST .../delete {"where": "id IN (...)"};
//            LanceDB: table.delete of the same predicate.
// The sequence: the first --compared upserts, --compared deletes, then the
// rest of --upserts upserts (ours only). LanceDB runs its part first, in its
// own process, so the two never compete for the CPUs. Bytes written: ours,
// the new data file and deletion vectors the new version's manifest lists
// (the store's growth, manifests included, is shown beside); LanceDB's, the
// growth of its table directory (data, deletion files, manifest).
//
// Goals, each against an anchor measured in the same run:
//   upsert time <= 1.0x LanceDB's (medians of the compared upserts), and
//     every upsert's bytes <= 0.5% of the dataset's bytes before it
//   delete time <= 1.0x LanceDB's (medians), every delete's bytes <= 0.5%
//   a full-scan aggregate query after the upserts <= 1.5x the same query on
//     the same rows freshly ingested as one table (Parquet, overwrite into a
//     second dataset); after POST .../compact <= 1.1x
//   an upsert of the whole table (every row of that second dataset updated)
//     <= 1.5x an overwrite ingest of the same file into a third
//   the query on version 1 after the upserts <= 1.1x the same query before
// Query times are medians of --query-runs runs after a warm-up; every
// result is checked against the reference's rows. A goal that cannot be
// measured is NOT MET with the reason: LanceDB unavailable (no node, not
// installed, or it failed), or "compact route not available" when the server
// has no compact route.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "bench/common/bench_common.h"
#include "bench/common/node_peer.h"
#include "common/splitmix64.h"
#include "common/sql_quote.h"
#include "demo/staffing_data.h"

namespace {

namespace bench = lakehouse::bench;
namespace demo = lakehouse::demo;
using bench::Clock;
using bench::Fail;
using bench::g_interrupted;
using lakehouse::SqlString;
using nlohmann::json;

constexpr const char* kTool = "changes_bench";
constexpr const char* kDataset = "candidates";
constexpr const char* kFlat = "candidates_flat";    // the compacted anchor
constexpr const char* kWhole = "candidates_whole";  // the overwrite anchor
// The demo candidates' key, and the columns the query reads.
constexpr const char* kKey = "id";
constexpr uint64_t kUpdatesPerUpsert = 900;
constexpr uint64_t kNewPerUpsert = 100;
constexpr uint64_t kRowsPerDelete = 1000;

struct Options : bench::CommonOptions {
  uint64_t rows = 1'000'000;
  int upserts = 100;
  int compared = 10;
  int query_runs = 9;
};

void Usage(FILE* out) {
  std::fprintf(
      out,
      "usage: changes_bench [--rows N] [--upserts N] [--compared N] [--query-runs N] [--quick]\n"
      "                     [--dir PARENT] [--keep]\n"
      "  --rows N        candidates in the table (default 1000000, demo scale 500)\n"
      "  --upserts N     small upserts of 1,000 rows before the queries (default 100)\n"
      "  --compared N    of them, and deletes, made on LanceDB too (default 10)\n"
      "  --query-runs N  timed runs of each query, median (default 9)\n"
      "  --quick         20000 rows, 5 compared, 5 query runs: a sanity check, numbers are\n"
      "                  not meaningful\n"
      "  --dir PARENT    make the scratch directory under PARENT (default: .)\n"
      "  --keep          leave the scratch directory in place\n");
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  bool rows_set = false, compared_set = false, runs_set = false;
  auto count = [&](int& i, const char* flag) {
    return bench::ParseCount(bench::OptionValue(argc, argv, i, kTool), flag, kTool);
  };
  bench::ParseArguments(argc, argv, kTool, Usage, options, [&](const std::string& arg, int& i) {
    if (arg == "--rows") {
      options.rows = count(i, "--rows");
      rows_set = true;
    } else if (arg == "--upserts") {
      options.upserts = static_cast<int>(count(i, "--upserts"));
    } else if (arg == "--compared") {
      options.compared = static_cast<int>(count(i, "--compared"));
      compared_set = true;
    } else if (arg == "--query-runs") {
      options.query_runs = static_cast<int>(count(i, "--query-runs"));
      runs_set = true;
    } else {
      return false;
    }
    return true;
  });
  if (options.quick) {
    if (!rows_set) options.rows = 20'000;
    if (!compared_set) options.compared = 5;
    if (!runs_set) options.query_runs = 5;
  }
  options.compared = std::min(options.compared, options.upserts);
  // The deletes and the upserts' updates take distinct existing ids.
  const uint64_t deleted = static_cast<uint64_t>(options.compared) * kRowsPerDelete;
  if (options.rows < deleted + 10 * kUpdatesPerUpsert) {
    std::fprintf(stderr, "%s: --rows must be at least %llu for --compared %d\n", kTool,
                 static_cast<unsigned long long>(deleted + 10 * kUpdatesPerUpsert),
                 options.compared);
    std::exit(2);
  }
  return options;
}

double Ms(Clock::time_point start) { return bench::SecondsSince(start) * 1000; }

// a / b as "1.234x": three decimals, so a ratio just over a goal's bound
// does not print as the bound itself.
std::string Times(double a, double b) {
  return a > 0 && b > 0 ? bench::Fixed(a / b, 3) + "x" : "n/a";
}

std::string Mb(double bytes) { return bench::Fixed(bytes / 1e6, 1) + " MB"; }

std::string Percent(double part, double whole) {
  return whole > 0 ? bench::Fixed(100 * part / whole, 3) + "%" : "n/a";
}

uint64_t TreeBytes(const std::filesystem::path& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

// ---------------------------------------------------------------------------
// The input: the demo's candidates CSV cut to `rows` rows (a row's values
// depend only on its id, so the cut is the same rows at any scale).

uint64_t WriteDemoCandidatesCsv(const std::string& path, uint64_t rows) {
  const uint64_t scale = (rows + 1999) / 2000;
  demo::StaffingData data(scale);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) bench::FailErrno("create " + path);
  uint64_t lines_left = rows + 1;  // the header too
  uint64_t written = 0;
  auto wrote = data.WriteCsv(demo::Table::kCandidates, [&](std::string_view chunk) {
    size_t end = 0;
    while (lines_left > 0 && end < chunk.size()) {
      const size_t newline = chunk.find('\n', end);
      if (newline == std::string_view::npos) {
        end = chunk.size();
        break;
      }
      end = newline + 1;
      --lines_left;
    }
    if (!bench::WriteAll(fd, chunk.data(), end)) bench::FailErrno("write " + path);
    written += end;
    // Enough rows: stop the writer (its error is expected).
    return lines_left == 0 ? lakehouse::Status::ResourceExhausted("enough rows")
                           : lakehouse::Status::Ok();
  });
  if (::close(fd) != 0) bench::FailErrno("close " + path);
  if (lines_left != 0) {
    Fail("the demo generator stopped early: " +
         (wrote.ok() ? std::string("no error") : wrote.status().ToString()));
  }
  return written;
}

// ---------------------------------------------------------------------------
// The changes and the reference that applies them.

struct Change {
  bool upsert = true;
  std::string file;  // the CSV to upsert, or the predicate's text file
  std::string predicate;
};

std::string IdList(const std::vector<uint64_t>& ids) {
  std::string list;
  for (uint64_t id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
  return list;
}

// Distinct ids in [1, rows] outside `taken`, `count` of them; adds them to
// `taken` when `keep` (so later draws avoid them).
std::vector<uint64_t> DrawIds(lakehouse::SplitMix64& rng, uint64_t rows, uint64_t count,
                              std::set<uint64_t>& taken, bool keep) {
  std::set<uint64_t> drawn;
  while (drawn.size() < count) {
    const uint64_t id = 1 + rng.Below(rows);
    if (!taken.count(id)) drawn.insert(id);
  }
  if (keep) taken.insert(drawn.begin(), drawn.end());
  return {drawn.begin(), drawn.end()};
}

uint64_t CountRows(bench::AnchorDb& ref, const std::string& table) {
  lakehouse::query::QueryResult result;
  const std::string sql = "SELECT count(*) FROM " + table;
  if (duckdb_query(ref.connection(), sql.c_str(), result.out()) != DuckDBSuccess) {
    Fail("reference: " + std::string(duckdb_result_error(result.get())));
  }
  return duckdb_value_uint64(result.get(), 0, 0);
}

struct Plan {
  std::vector<Change> sequence;  // in the order both sides make them
  std::string flat_parquet;      // the rows after the sequence
  std::string whole_csv;         // every row of those, changed
  uint64_t rows_after = 0;
};

// Builds every change file from the reference table `ref` (the dataset's v1
// rows, read from its own Parquet file so the types are the same), applying
// each change to it in order, then writes the rows after them.
Plan PrepareChanges(bench::AnchorDb& ref, const Options& options, const std::string& dir) {
  Plan plan;
  lakehouse::SplitMix64 rng(0x0C4A96E5);
  // Deleted ids are drawn first, so no upsert updates an id a delete took.
  std::set<uint64_t> deleted;
  std::vector<std::vector<uint64_t>> delete_ids;
  for (int d = 0; d < options.compared; ++d) {
    delete_ids.push_back(DrawIds(rng, options.rows, kRowsPerDelete, deleted, true));
  }
  const std::string changed =
      "* REPLACE (round(desired_rate * 1.05 + 0.25, 2) AS desired_rate, "
      "years_experience + 1 AS years_experience)";
  uint64_t next_new_id = options.rows + 1;
  int upserts_made = 0;
  auto add_upsert = [&]() {
    const int k = ++upserts_made;
    std::set<uint64_t> avoid = deleted;
    const auto updated = DrawIds(rng, options.rows, kUpdatesPerUpsert, avoid, false);
    const auto copied = DrawIds(rng, options.rows, kNewPerUpsert, avoid, false);
    const std::string file = dir + "/upsert-" + std::to_string(k) + ".csv";
    ref.Exec("CREATE TEMP TABLE u AS SELECT " + changed + " FROM ref WHERE id IN (" +
             IdList(updated) + ") UNION ALL SELECT * REPLACE (" + std::to_string(next_new_id - 1) +
             " + row_number() OVER (ORDER BY id) AS id) FROM ref WHERE id IN (" + IdList(copied) +
             ")");
    next_new_id += kNewPerUpsert;
    ref.Exec("COPY u TO " + SqlString(file) + " (HEADER)");
    ref.Exec("DELETE FROM ref WHERE id IN (SELECT id FROM u)");
    ref.Exec("INSERT INTO ref SELECT * FROM u");
    ref.Exec("DROP TABLE u");
    plan.sequence.push_back({true, file, ""});
  };
  for (int k = 0; k < options.compared; ++k) add_upsert();
  for (int d = 0; d < options.compared; ++d) {
    Change change{false, dir + "/delete-" + std::to_string(d + 1) + ".sql",
                  std::string(kKey) + " IN (" + IdList(delete_ids[d]) + ")"};
    FILE* f = std::fopen(change.file.c_str(), "w");
    if (f == nullptr || std::fputs(change.predicate.c_str(), f) < 0 || std::fclose(f) != 0) {
      bench::FailErrno("write " + change.file);
    }
    ref.Exec("DELETE FROM ref WHERE " + change.predicate);
    plan.sequence.push_back(change);
  }
  for (int k = options.compared; k < options.upserts && !g_interrupted; ++k) {
    add_upsert();
    if (upserts_made % 25 == 0) {
      std::printf("  prepared %d of %d upsert files\n", upserts_made, options.upserts);
      std::fflush(stdout);
    }
  }
  plan.flat_parquet = dir + "/flat.parquet";
  ref.Exec("COPY ref TO " + SqlString(plan.flat_parquet) + " (FORMAT parquet)");
  plan.whole_csv = dir + "/whole.csv";
  ref.Exec("COPY (SELECT " + changed + " FROM ref) TO " + SqlString(plan.whole_csv) + " (HEADER)");
  plan.rows_after = CountRows(ref, "ref");
  return plan;
}

// ---------------------------------------------------------------------------
// Our side, over HTTP.

struct Answer {
  int status = 0;
  json body;
  double ms = 0;
};

Answer PostJson(httplib::Client& client, const std::string& target, const std::string& body) {
  const auto start = Clock::now();
  auto result = client.Post(target, body, "application/json");
  Answer answer;
  answer.ms = Ms(start);
  if (!result) Fail("POST " + target + ": " + httplib::to_string(result.error()));
  answer.status = result->status;
  answer.body = json::parse(result->body, nullptr, false);
  if (answer.body.is_discarded()) answer.body = result->body;
  return answer;
}

Answer PostFileTo(httplib::Client& client, const std::string& target, const std::string& path) {
  auto upload = bench::PostFile(client, target, path);
  Answer answer;
  answer.status = upload.status;
  answer.ms = upload.seconds * 1000;
  answer.body = json::parse(upload.body, nullptr, false);
  if (answer.body.is_discarded()) answer.body = upload.body;
  return answer;
}

Answer Expect(Answer answer, int status, const std::string& what) {
  if (answer.status != status) {
    Fail(what + " answered " + std::to_string(answer.status) + ": " + answer.body.dump());
  }
  return answer;
}

json GetJson(httplib::Client& client, const std::string& target) {
  auto result = client.Get(target);
  if (!result || result->status != 200) {
    Fail("GET " + target + " failed" + (result ? ": " + result->body : ""));
  }
  return json::parse(result->body);
}

// What a version wrote: its data files and deletion vectors that the version
// before it did not list.
struct Written {
  uint64_t data_bytes = 0;
  uint64_t delete_bytes = 0;
  uint64_t total() const { return data_bytes + delete_bytes; }
};

std::set<std::string> KeysOf(const json& manifest) {
  std::set<std::string> keys;
  for (const auto& file : manifest["files"]) {
    keys.insert(file["key"].get<std::string>());
    for (const auto& d : file.value("deletes", json::array()))
      keys.insert(d["key"].get<std::string>());
  }
  return keys;
}

Written NewObjects(const json& before, const json& after) {
  const auto old_keys = KeysOf(before);
  Written written;
  for (const auto& file : after["files"]) {
    if (!old_keys.count(file["key"].get<std::string>()))
      written.data_bytes += file["bytes"].get<uint64_t>();
    for (const auto& d : file.value("deletes", json::array())) {
      if (!old_keys.count(d["key"].get<std::string>()))
        written.delete_bytes += d["bytes"].get<uint64_t>();
    }
  }
  return written;
}

// One change made on our side.
struct OurChange {
  double ms = 0;
  Written written;
  uint64_t dataset_bytes = 0;  // of the version it was computed from
  uint64_t store_growth = 0;   // of the whole store, manifests included
  uint64_t version = 0;
};

class Api {
 public:
  Api(bench::ServeInProcess& serve, const std::string& objects_dir)
      : client_(serve.Client()), objects_dir_(objects_dir) {}

  httplib::Client& client() { return *client_; }

  json Manifest(const std::string& dataset, uint64_t version) {
    return GetJson(*client_, "/v1/datasets/" + dataset + "/versions/" + std::to_string(version));
  }
  json Current(const std::string& dataset) { return GetJson(*client_, "/v1/datasets/" + dataset); }

  OurChange Make(const Change& change, uint64_t expected_updates, uint64_t expected_inserts) {
    const json before = Current(kDataset);
    const uint64_t store_before = TreeBytes(objects_dir_);
    Answer answer;
    if (change.upsert) {
      answer = Expect(PostFileTo(*client_,
                                 std::string("/v1/datasets/") + kDataset +
                                     "/ingest?format=csv&mode=upsert&key=" + kKey,
                                 change.file),
                      201, "upsert " + change.file);
      if (answer.body.value("rows_updated", uint64_t{0}) != expected_updates ||
          answer.body.value("rows_inserted", uint64_t{0}) != expected_inserts) {
        Fail("upsert " + change.file + " answered " + answer.body.dump());
      }
    } else {
      answer = Expect(PostJson(*client_, std::string("/v1/datasets/") + kDataset + "/delete",
                               json{{"where", change.predicate}}.dump()),
                      201, "delete " + change.file);
      if (answer.body.value("rows_deleted", uint64_t{0}) != kRowsPerDelete) {
        Fail("delete " + change.file + " answered " + answer.body.dump());
      }
    }
    OurChange made;
    made.ms = answer.ms;
    made.version = answer.body["version"].get<uint64_t>();
    const json after = Manifest(kDataset, made.version);
    made.written = NewObjects(before, after);
    made.dataset_bytes = before["bytes"].get<uint64_t>();
    made.store_growth = TreeBytes(objects_dir_) - store_before;
    return made;
  }

  // POSTs the query; returns its rows (checked against `expected` when set)
  // and the time.
  std::pair<json, double> Query(const std::string& sql, const json* expected) {
    Answer answer =
        Expect(PostJson(*client_, "/v1/query", json{{"sql", sql}}.dump()), 200, "query " + sql);
    json rows = answer.body["rows"];
    if (expected && rows != *expected) {
      Fail("query " + sql + " returned " + rows.dump() + ", expected " + expected->dump());
    }
    return {std::move(rows), answer.ms};
  }

  // One warm-up, then `runs` timed runs: the median ms.
  double TimeQuery(const std::string& sql, const json& expected, int runs) {
    Query(sql, &expected);
    std::vector<double> ms;
    for (int r = 0; r < runs && !g_interrupted; ++r) ms.push_back(Query(sql, &expected).second);
    return bench::Median(ms);
  }

 private:
  std::unique_ptr<httplib::Client> client_;
  std::string objects_dir_;
};

// The aggregate every query comparison runs: a scan of every row, three
// columns. The averages are rounded so results compare exactly whatever
// order the rows were summed in.
std::string AggregateSql(const std::string& table) {
  return "SELECT state, count(*) AS candidates, round(avg(desired_rate), 4) AS avg_rate, "
         "round(avg(years_experience), 4) AS avg_years FROM " +
         table + " GROUP BY state ORDER BY state";
}

// The same through the reference DuckDB, as JSON rows like the API's.
json ReferenceRows(bench::AnchorDb& ref, const std::string& table) {
  lakehouse::query::QueryResult result;
  const std::string sql =
      "SELECT to_json(list(json_array(*COLUMNS(*)))) FROM (" + AggregateSql(table) + ")";
  if (duckdb_query(ref.connection(), sql.c_str(), result.out()) != DuckDBSuccess) {
    Fail("reference: " + std::string(duckdb_result_error(result.get())));
  }
  char* text = duckdb_value_varchar(result.get(), 0, 0);
  json rows = json::parse(text);
  duckdb_free(text);
  return rows;
}

// ---------------------------------------------------------------------------
// The peer: lance_peer.mjs under node, its JSON lines read as they come.

struct PeerOp {
  std::string op;
  double ms = 0;
  uint64_t bytes_written = 0;
  uint64_t table_bytes_before = 0;
};

struct PeerRun {
  std::string unavailable;  // why there are no figures, when there are none
  std::string versions;
  double cpu_s = 0;  // the peer process's CPU time
  double create_s = 0;
  uint64_t table_bytes = 0;
  std::vector<PeerOp> upserts, deletes;
};

// One JSON line of the peer, printed as it comes and added to `run`; a
// change that touched other rows than expected is an `error`.
void ReadPeerRecord(const json& record, const std::string& line, PeerRun& run, std::string& error) {
  const std::string op = record.value("op", "");
  if (op == "peer") {
    run.versions = "LanceDB " + record.value("lancedb", "?") + ", apache-arrow " +
                   record.value("arrow", "?") + ", node " + record.value("node", "?");
    std::printf("peer: %s\n", run.versions.c_str());
  } else if (op == "progress") {
    std::printf("peer: read %s rows of the CSV\n",
                bench::Thousands(record.value("rows", 0.0)).c_str());
  } else if (op == "create") {
    run.create_s = record.value("ms", 0.0) / 1000;
    run.table_bytes = record.value("table_bytes", uint64_t{0});
    std::printf(
        "peer: table created from the CSV: %s rows, %s on disk (CSV to Arrow %.1f s, "
        "create_table %.1f s)\n",
        bench::Thousands(record.value("rows", 0.0)).c_str(), Mb(run.table_bytes).c_str(),
        record.value("parse_ms", 0.0) / 1000, run.create_s);
  } else if (op == "upsert" || op == "delete") {
    PeerOp done{op, record.value("ms", 0.0), record.value("bytes_written", uint64_t{0}),
                record.value("table_bytes_before", uint64_t{0})};
    auto& list = op == "upsert" ? run.upserts : run.deletes;
    list.push_back(done);
    const bool ok = op == "upsert"
                        ? record.value("rows_updated", 0) == static_cast<int>(kUpdatesPerUpsert) &&
                              record.value("rows_inserted", 0) == static_cast<int>(kNewPerUpsert)
                        : record.value("rows_deleted", 0) == static_cast<int>(kRowsPerDelete);
    if (!ok) error = "LanceDB's " + op + " changed other rows than expected: " + line;
    std::printf("peer: %s %zu: %.1f ms, %s bytes written\n", op.c_str(), list.size(), done.ms,
                bench::Thousands(static_cast<double>(done.bytes_written)).c_str());
  } else if (op == "error") {
    error = record.value("message", "unknown error");
  }
  std::fflush(stdout);
}

PeerRun RunPeer(const std::string& root, const std::string& base_csv, const json& schema,
                const std::vector<Change>& changes) {
  PeerRun run;
  const std::string modules = LAKEHOUSE_LANCEDB_DIR;
  run.unavailable = bench::LancePeerMissing(modules);
  if (!run.unavailable.empty()) return run;
  std::vector<std::string> args = {"node",      LAKEHOUSE_LANCE_PEER_SCRIPT,
                                   "--modules", modules,
                                   "--dir",     root + "/lance",
                                   "--base",    base_csv,
                                   "--schema",  schema.dump(),
                                   "--key",     kKey};
  for (const Change& change : changes) {
    args.push_back(change.upsert ? "--upsert" : "--delete");
    args.push_back(change.file);
  }
  std::string error;
  const bench::PeerExit exit =
      bench::RunJsonLinesPeer(std::move(args), root + "/lance-peer.stderr",
                              [&](const json& record, const std::string& line) {
                                ReadPeerRecord(record, line, run, error);
                              });
  if (!exit.started) {
    run.unavailable = exit.error;
    return run;
  }
  run.cpu_s = exit.cpu_s;
  if (error.empty()) error = exit.error;
  if (error.empty() && (run.upserts.size() + run.deletes.size() != changes.size())) {
    error = "the peer reported " + std::to_string(run.upserts.size() + run.deletes.size()) +
            " of " + std::to_string(changes.size()) + " changes";
  }
  if (!error.empty()) {
    run.unavailable = "LanceDB failed: " + error;
    run.upserts.clear();
    run.deletes.clear();
  }
  return run;
}

// ---------------------------------------------------------------------------

std::vector<double> MsOf(const std::vector<OurChange>& changes) {
  std::vector<double> ms;
  for (const auto& c : changes) ms.push_back(c.ms);
  return ms;
}
std::vector<double> MsOf(const std::vector<PeerOp>& ops) {
  std::vector<double> ms;
  for (const auto& o : ops) ms.push_back(o.ms);
  return ms;
}

double Share(const OurChange& c) {
  return static_cast<double>(c.written.total()) / static_cast<double>(c.dataset_bytes);
}

// The change that wrote the largest share of its dataset, and its number.
std::pair<const OurChange*, size_t> Worst(const std::vector<OurChange>& changes) {
  size_t worst = 0;
  for (size_t i = 1; i < changes.size(); ++i) {
    if (Share(changes[i]) > Share(changes[worst])) worst = i;
  }
  return {&changes[worst], worst + 1};
}

void PrintWorst(const char* what, const std::vector<OurChange>& changes) {
  const auto [worst, number] = Worst(changes);
  std::printf(
      "%s bytes written: the largest share was %s #%zu of %zu: %s B (data file %s B + deletion "
      "vectors %s B) of the %s B dataset it changed\n",
      what, what, number, changes.size(),
      bench::Thousands(static_cast<double>(worst->written.total())).c_str(),
      bench::Thousands(static_cast<double>(worst->written.data_bytes)).c_str(),
      bench::Thousands(static_cast<double>(worst->written.delete_bytes)).c_str(),
      bench::Thousands(static_cast<double>(worst->dataset_bytes)).c_str());
}

void PrintChanges(const char* what, const std::vector<OurChange>& ours,
                  const std::vector<PeerOp>& peer) {
  std::printf("%s\n", what);
  std::printf("  %3s %12s %10s %10s %9s %12s | %12s %12s %9s\n", "#", "lakehouse ms", "data B",
              "deletes B", "% of ds", "store grew B", "lancedb ms", "written B", "% of tbl");
  for (size_t i = 0; i < ours.size(); ++i) {
    const OurChange& c = ours[i];
    std::printf(
        "  %3zu %12.1f %10s %10s %9s %12s", i + 1, c.ms,
        bench::Thousands(static_cast<double>(c.written.data_bytes)).c_str(),
        bench::Thousands(static_cast<double>(c.written.delete_bytes)).c_str(),
        Percent(static_cast<double>(c.written.total()), static_cast<double>(c.dataset_bytes))
            .c_str(),
        bench::Thousands(static_cast<double>(c.store_growth)).c_str());
    if (i < peer.size()) {
      const PeerOp& p = peer[i];
      std::printf(
          " | %12.1f %12s %9s\n", p.ms,
          bench::Thousands(static_cast<double>(p.bytes_written)).c_str(),
          Percent(static_cast<double>(p.bytes_written), static_cast<double>(p.table_bytes_before))
              .c_str());
    } else {
      std::printf(" | %12s %12s %9s\n", "-", "-", "-");
    }
  }
}

int Run(const Options& options, const std::string& root) {
  std::printf(
      "changes_bench: upsert, delete and compaction through the HTTP API vs LanceDB 0.31.0 and "
      "freshly ingested tables, %s\n",
      options.run_kind());
  bench::PrintMachine(root);
  std::fflush(stdout);

  // 1. The input.
  const std::string base_csv = root + "/candidates.csv";
  std::printf("generating %s demo candidates (scale %llu, cut to the first %s rows)...\n",
              bench::Thousands(static_cast<double>(options.rows)).c_str(),
              static_cast<unsigned long long>((options.rows + 1999) / 2000),
              bench::Thousands(static_cast<double>(options.rows)).c_str());
  std::fflush(stdout);
  auto start = Clock::now();
  const uint64_t csv_bytes = WriteDemoCandidatesCsv(base_csv, options.rows);
  std::printf("input: candidates.csv, %s rows, %s, generated in %.1f s\n",
              bench::Thousands(static_cast<double>(options.rows)).c_str(),
              Mb(static_cast<double>(csv_bytes)).c_str(), bench::SecondsSince(start));

  // 2. Version 1 of the dataset.
  bench::ServeInProcess serve(root + "/data", true);
  const auto& config = serve.config();
  Api api(serve, root + "/data/objects");
  std::printf(
      "api: in-process server as `serve` wires it (LocalObjectStore, StoreCatalog, Ingestor and "
      "QueryEngine: threads=%d, memory_limit=%s), 127.0.0.1:%d, keep-alive client, request log "
      "off\n",
      config.queryd.threads, config.queryd.memory_limit.c_str(), serve.port());
  std::printf("loading it through the API (overwrite ingest)...\n");
  std::fflush(stdout);
  const auto loaded =
      bench::IngestFile(api.client(), kDataset, base_csv, "overwrite", options.rows);
  const json v1 = api.Current(kDataset);
  const uint64_t v1_version = v1["version"].get<uint64_t>();
  std::printf("data: %s version %llu: %s rows, %s Parquet, ingested in %.1f s\n", kDataset,
              static_cast<unsigned long long>(v1_version),
              bench::Thousands(v1["rows"].get<double>()).c_str(),
              Mb(v1["bytes"].get<double>()).c_str(), loaded.seconds);
  json schema = json::array();
  for (const auto& column : v1["schema"]) {
    schema.push_back({{"name", column["name"]}, {"type", column["type"]}});
  }
  std::printf("schema: %s\n", schema.dump().c_str());

  // 3. The changes, prepared by the reference DuckDB.
  bench::AnchorDb ref(config.queryd.threads, config.queryd.memory_limit, root + "/ref-spill");
  {
    std::string files;
    for (const auto& path : serve.DataFilePaths(kDataset)) {
      files += (files.empty() ? "" : ", ") + SqlString(path);
    }
    ref.Exec("CREATE TABLE ref AS SELECT * FROM read_parquet([" + files + "])");
  }
  const json rows_v1 = ReferenceRows(ref, "ref");
  std::printf(
      "preparing the changes (%d upserts of %llu updated + %llu new rows, %d deletes of "
      "%llu ids) with a reference DuckDB that applies them too...\n",
      options.upserts, static_cast<unsigned long long>(kUpdatesPerUpsert),
      static_cast<unsigned long long>(kNewPerUpsert), options.compared,
      static_cast<unsigned long long>(kRowsPerDelete));
  std::fflush(stdout);
  start = Clock::now();
  Plan plan = PrepareChanges(ref, options, root);
  if (g_interrupted) return 130;
  const json rows_after = ReferenceRows(ref, "ref");
  ref.Exec("DROP TABLE ref");
  std::printf("prepared in %.1f s\n", bench::SecondsSince(start));

  // 4. LanceDB: its table and its part of the sequence, alone on the machine.
  const size_t compared_changes = 2 * static_cast<size_t>(options.compared);
  const std::vector<Change> peer_changes(plan.sequence.begin(),
                                         plan.sequence.begin() + compared_changes);
  std::printf(
      "running LanceDB (bench/changes/lance_peer.mjs: create the table, %d upserts, %d "
      "deletes)...\n",
      options.compared, options.compared);
  std::fflush(stdout);
  const auto cpu_peer_before = bench::SampleCpu();
  PeerRun peer = RunPeer(root, base_csv, schema, peer_changes);
  const auto cpu_peer_after = bench::SampleCpu();
  if (!peer.unavailable.empty()) std::printf("peer: UNAVAILABLE: %s\n", peer.unavailable.c_str());
  std::filesystem::remove_all(root + "/lance");
  if (g_interrupted) return 130;

  // 5. Ours: the query on version 1 before any change, then the sequence.
  const auto cpu_before = bench::SampleCpu();
  const std::string v1_table =
      "\"" + std::string(kDataset) + "@" + std::to_string(v1_version) + "\"";
  const double v1_before_ms = api.TimeQuery(AggregateSql(v1_table), rows_v1, options.query_runs);
  std::printf("query on version %llu before the changes: %.2f ms (median of %d)\n",
              static_cast<unsigned long long>(v1_version), v1_before_ms, options.query_runs);
  std::printf("making the changes through the API...\n");
  std::fflush(stdout);
  std::vector<OurChange> upserts, deletes;
  for (const Change& change : plan.sequence) {
    if (g_interrupted) return 130;
    if (change.upsert) {
      upserts.push_back(api.Make(change, kUpdatesPerUpsert, kNewPerUpsert));
    } else {
      deletes.push_back(api.Make(change, 0, 0));
    }
    if (upserts.size() % 10 == 0 && change.upsert) {
      std::printf("  %zu of %d upserts made (last %.1f ms)\n", upserts.size(), options.upserts,
                  upserts.back().ms);
      std::fflush(stdout);
    }
  }
  const json after_changes = api.Current(kDataset);
  if (after_changes["rows"].get<uint64_t>() != plan.rows_after) {
    Fail("the dataset has " + after_changes["rows"].dump() + " rows after the changes");
  }
  size_t files_after = after_changes["files"].size(), deletes_after = 0;
  for (const auto& file : after_changes["files"])
    deletes_after += file.value("deletes", json::array()).size();
  std::printf("after the changes: version %s, %s rows, %zu data files, %zu deletion vectors, %s\n",
              after_changes["version"].dump().c_str(),
              bench::Thousands(after_changes["rows"].get<double>()).c_str(), files_after,
              deletes_after, Mb(after_changes["bytes"].get<double>()).c_str());

  // 6. Queries after the changes, on the compacted anchor, after compact.
  const double current_ms = api.TimeQuery(AggregateSql(kDataset), rows_after, options.query_runs);
  const double v1_after_ms = api.TimeQuery(AggregateSql(v1_table), rows_v1, options.query_runs);
  std::printf("loading the same rows as one table (%s, Parquet overwrite)...\n", kFlat);
  std::fflush(stdout);
  const Answer flat = Expect(
      PostFileTo(api.client(),
                 std::string("/v1/datasets/") + kFlat + "/ingest?format=parquet&mode=overwrite",
                 plan.flat_parquet),
      201, "ingest " + std::string(kFlat));
  if (flat.body["rows"] != after_changes["rows"])
    Fail("the flat table's rows differ: " + flat.body.dump());
  const double flat_ms = api.TimeQuery(AggregateSql(kFlat), rows_after, options.query_runs);

  std::printf("compacting (POST /v1/datasets/%s/compact)...\n", kDataset);
  std::fflush(stdout);
  std::string compact_unavailable;
  double compact_ms = 0, compacted_query_ms = 0;
  json compacted;
  {
    const Answer answer =
        PostJson(api.client(), std::string("/v1/datasets/") + kDataset + "/compact", "");
    const std::string message =
        answer.body.is_object() ? answer.body.value("/error/message"_json_pointer, "") : "";
    if (answer.status == 404 && message.starts_with("no route")) {
      compact_unavailable = "compact route not available";
    } else if (answer.status != 201) {
      compact_unavailable =
          "compact answered " + std::to_string(answer.status) + ": " + answer.body.dump();
    } else if (answer.body.value("rows", json()) != after_changes["rows"]) {
      compact_unavailable = "compact changed the rows: " + answer.body.dump();
    } else {
      compact_ms = answer.ms;
      compacted = api.Current(kDataset);
      compacted_query_ms = api.TimeQuery(AggregateSql(kDataset), rows_after, options.query_runs);
    }
  }
  if (!compact_unavailable.empty()) std::printf("compact: %s\n", compact_unavailable.c_str());

  // 7. The whole table upserted against an overwrite of the same file.
  std::printf(
      "upserting the whole table (%s rows, every one updated) and overwriting with the "
      "same file...\n",
      bench::Thousands(after_changes["rows"].get<double>()).c_str());
  std::fflush(stdout);
  const uint64_t whole_rows = after_changes["rows"].get<uint64_t>();
  std::vector<double> overwrite_ms;
  double whole_upsert_ms = 0;
  auto overwrite = [&]() {
    overwrite_ms.push_back(
        bench::IngestFile(api.client(), kWhole, plan.whole_csv, "overwrite", whole_rows).seconds *
        1000);
  };
  overwrite();
  {
    const Answer answer = Expect(PostFileTo(api.client(),
                                            std::string("/v1/datasets/") + kFlat +
                                                "/ingest?format=csv&mode=upsert&key=" + kKey,
                                            plan.whole_csv),
                                 201, "upsert the whole table");
    if (answer.body.value("rows_updated", uint64_t{0}) != whole_rows ||
        answer.body.value("rows_inserted", uint64_t{1}) != 0) {
      Fail("the whole-table upsert answered " + answer.body.dump());
    }
    whole_upsert_ms = answer.ms;
  }
  overwrite();
  const auto cpu_after = bench::SampleCpu();

  // 8. The figures and the goals.
  const size_t compared = static_cast<size_t>(options.compared);
  const std::vector<OurChange> compared_upserts(upserts.begin(), upserts.begin() + compared);
  std::printf("\n");
  PrintChanges("upserts of 1,000 rows by id (900 updated + 100 new), the compared ones:",
               compared_upserts, peer.upserts);
  PrintChanges("deletes of 1,000 rows by id (id IN (...)):", deletes, peer.deletes);
  std::vector<double> all_upsert_ms = MsOf(upserts);
  std::vector<double> upsert_bytes;
  for (const auto& u : upserts) upsert_bytes.push_back(static_cast<double>(u.written.total()));
  std::printf(
      "all %zu of our upserts: median %.1f ms (min %.1f, max %.1f); written median %s B, max %s B "
      "(max %s%% of the dataset)\n",
      upserts.size(), bench::Median(all_upsert_ms), bench::Min(all_upsert_ms),
      *std::max_element(all_upsert_ms.begin(), all_upsert_ms.end()),
      bench::Thousands(bench::Median(upsert_bytes)).c_str(),
      bench::Thousands(*std::max_element(upsert_bytes.begin(), upsert_bytes.end())).c_str(),
      bench::Fixed(100 * Share(*Worst(upserts).first), 3).c_str());
  std::printf("\n");
  bench::PrintCpuContention(cpu_before, cpu_after);
  if (peer.unavailable.empty()) {
    // The peer is a child process, so its CPU is not this process's.
    const double wall_s =
        std::chrono::duration<double>(cpu_peer_after.at - cpu_peer_before.at).count();
    const double others_s =
        std::max(0.0, cpu_peer_after.busy_s - cpu_peer_before.busy_s - peer.cpu_s -
                          (cpu_peer_after.self_s - cpu_peer_before.self_s));
    std::printf("lancedb: cpu over %.1f s: the peer process %.2f CPUs, everything else %.2f CPUs\n",
                wall_s, peer.cpu_s / wall_s, others_s / wall_s);
    if (others_s / wall_s > 0.25) {
      std::printf("WARNING: other work competed for the %u CPUs while LanceDB ran; %s\n",
                  std::thread::hardware_concurrency(), bench::kContentionSharedByRatios);
    }
  }

  std::printf("\n");
  const std::string peer_na = "n/a (LanceDB unavailable: " + peer.unavailable + ")";
  auto peer_ms = [&](double ms) {
    return peer.unavailable.empty() ? bench::Fixed(ms, 1) + " ms" : std::string("unavailable");
  };
  {
    const double ours = bench::Median(MsOf(compared_upserts));
    const double theirs = bench::Median(MsOf(peer.upserts));
    std::printf(
        "upsert of 1,000 rows: lakehouse %.1f ms, lancedb merge_insert %s (medians of %zu)\n", ours,
        peer_ms(theirs).c_str(), compared);
    bench::PrintGoal("upsert time <= 1.0x LanceDB merge_insert",
                     peer.unavailable.empty() ? Times(ours, theirs) : peer_na,
                     peer.unavailable.empty() && ours <= theirs);
    PrintWorst("upsert", upserts);
    const double share = Share(*Worst(upserts).first);
    bench::PrintGoal("upsert bytes <= 0.5% of the dataset (max over the upserts)",
                     bench::Fixed(100 * share, 3) + "%", share <= 0.005);
  }
  {
    const double ours = bench::Median(MsOf(deletes));
    const double theirs = bench::Median(MsOf(peer.deletes));
    std::printf("delete of 1,000 rows: lakehouse %.1f ms, lancedb delete %s (medians of %zu)\n",
                ours, peer_ms(theirs).c_str(), deletes.size());
    bench::PrintGoal("delete time <= 1.0x LanceDB delete",
                     peer.unavailable.empty() ? Times(ours, theirs) : peer_na,
                     peer.unavailable.empty() && ours <= theirs);
    PrintWorst("delete", deletes);
    const double share = Share(*Worst(deletes).first);
    bench::PrintGoal("delete bytes <= 0.5% of the dataset (max over the deletes)",
                     bench::Fixed(100 * share, 3) + "%", share <= 0.005);
  }
  {
    std::printf(
        "query (%s): after the %zu upserts and %zu deletes %.2f ms, on %s (same rows, one fresh "
        "table) %.2f ms (medians of %d)\n",
        "state, count, avg(desired_rate), avg(years_experience) GROUP BY state", upserts.size(),
        deletes.size(), current_ms, kFlat, flat_ms, options.query_runs);
    bench::PrintGoal("query after the upserts <= 1.5x the compacted table",
                     Times(current_ms, flat_ms), current_ms <= 1.5 * flat_ms);
    if (compact_unavailable.empty()) {
      std::printf("compact: %.1f ms, version %s, %zu data files; query after it %.2f ms\n",
                  compact_ms, compacted["version"].dump().c_str(), compacted["files"].size(),
                  compacted_query_ms);
      bench::PrintGoal("query after compact <= 1.1x the compacted table",
                       Times(compacted_query_ms, flat_ms), compacted_query_ms <= 1.1 * flat_ms);
    } else {
      std::printf("compact: not measured: %s\n", compact_unavailable.c_str());
      bench::PrintGoal("query after compact <= 1.1x the compacted table",
                       "n/a (" + compact_unavailable + ")", false);
    }
  }
  {
    const double anchor = bench::Median(overwrite_ms);
    std::printf(
        "whole table (%s rows, CSV): upsert by id %.0f ms, overwrite ingest of the same file %.0f "
        "ms "
        "(median of %zu: %.0f, %.0f)\n",
        bench::Thousands(static_cast<double>(whole_rows)).c_str(), whole_upsert_ms, anchor,
        overwrite_ms.size(), overwrite_ms[0], overwrite_ms[1]);
    bench::PrintGoal("whole-table upsert <= 1.5x overwrite ingest", Times(whole_upsert_ms, anchor),
                     whole_upsert_ms <= 1.5 * anchor);
  }
  {
    std::printf(
        "time travel: query on version %llu before the changes %.2f ms, after %.2f ms (medians of "
        "%d)\n",
        static_cast<unsigned long long>(v1_version), v1_before_ms, v1_after_ms, options.query_runs);
    bench::PrintGoal("version-1 query after the upserts <= 1.1x before",
                     Times(v1_after_ms, v1_before_ms), v1_after_ms <= 1.1 * v1_before_ms);
  }
  return g_interrupted ? 130 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::RunInScratchDir(kTool, ParseOptions(argc, argv), "bench-changes-tmp", Run);
}
