// bench/ingest's Iceberg figures: metadata cost per commit, and load-table latency.
#include "bench/ingest/iceberg_figures.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "iceberg/locations.h"
#include "iceberg/table_publisher.h"
#include "server/iceberg_routes.h"

namespace lakehouse::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kDataset = "published";

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// The file streamed into the ingestor in 1 MiB pieces, in process.
Status IngestInProcess(ingest::Ingestor& ingestor, const std::string& csv) {
  ingest::IngestRequest request;
  request.dataset = kDataset;
  request.mode = catalog::WriteMode::kOverwrite;
  request.file_name = "candidates.csv";
  request.force = true;
  return ingestor
      .Ingest(request,
              [&](const storage::ChunkWriter& write) {
                std::ifstream in(csv, std::ios::binary);
                std::string buffer(1 << 20, '\0');
                while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) ||
                       in.gcount() > 0) {
                  LH_RETURN_IF_ERROR(write(std::string_view(buffer.data(), in.gcount())));
                }
                return Status::Ok();
              })
      .status();
}

std::map<std::string, uint64_t> TableObjects(storage::ObjectStore& store) {
  std::map<std::string, uint64_t> out;
  storage::ListOptions list;
  list.prefix = iceberg::TablePrefix(kDataset);
  list.limit = storage::kMaxListLimit;
  while (true) {
    auto page = store.List(list);
    Check(page.status(), "list the table's objects");
    for (const auto& o : page->objects) out[o.key] = o.size;
    if (!page->next) break;
    list.start_after = *page->next;
  }
  return out;
}

struct Latency {
  double median_ms = 0;
  double p95_ms = 0;
};

Latency TimeGets(httplib::Client& client, const std::string& path, int requests) {
  std::vector<double> ms;
  for (int i = 0; i < requests; ++i) {
    const auto t = Clock::now();
    auto res = client.Get(path);
    ms.push_back(Seconds(t) * 1e3);
    if (!res || res->status != 200) {
      Check(Status::Internal("GET " + path + " failed"), "load the table");
    }
  }
  std::sort(ms.begin(), ms.end());
  return {Median(ms), ms[ms.size() * 95 / 100]};
}

}  // namespace

bool RunIcebergFigures(ServeInProcess& serve, const std::string& csv, const std::string& root,
                       uint64_t rows, int runs) {
  auto locations = iceberg::LocationsFor(serve.store(), "", "");
  Check(locations.status(), "Iceberg locations");
  iceberg::TablePublisher publisher(serve.catalog(), serve.store(),
                                    {*locations, root + "/iceberg-scratch"});
  std::printf(
      "\niceberg: each run commits an overwrite of the %s-row CSV (Ingestor, in process), then "
      "publishes the dataset's Iceberg table (TablePublisher::Publish: footer statistics, "
      "manifest, manifest list, metadata JSON); 1 untimed warm-up, %d timed runs\n",
      Thousands(static_cast<double>(rows)).c_str(), runs);
  auto warm = IngestInProcess(serve.ingestor(), csv);
  Check(warm, "warm-up ingest");
  Check(publisher.Publish(kDataset), "warm-up publish");
  std::vector<double> commit_s, publish_s, bytes;
  for (int r = 0; r < runs; ++r) {
    const auto before = TableObjects(serve.store());
    auto t = Clock::now();
    Check(IngestInProcess(serve.ingestor(), csv), "ingest");
    commit_s.push_back(Seconds(t));
    t = Clock::now();
    Check(publisher.Publish(kDataset), "publish");
    publish_s.push_back(Seconds(t));
    uint64_t written = 0;
    for (const auto& [key, size] : TableObjects(serve.store())) {
      auto old = before.find(key);
      if (old == before.end() || old->second != size) written += size;
    }
    bytes.push_back(static_cast<double>(written));
    std::printf("  run %d: commit %.3f s, Iceberg publish %.1f ms, %s bytes written\n", r + 1,
                commit_s.back(), publish_s.back() * 1e3, Thousands(bytes.back()).c_str());
  }
  const double commit = Median(commit_s), publish = Median(publish_s);
  const double ratio = (commit + publish) / commit;
  std::printf("iceberg metadata per commit: %.1f ms, %s bytes (medians); commit alone %.3f s\n",
              publish * 1e3, Thousands(Median(bytes)).c_str(), commit);
  PrintGoal("commit with Iceberg metadata <= 1.1x the commit without it (1M-row ingest, medians)",
            "ratio " + Fixed(ratio, 3) + " (" + Fixed(commit + publish, 3) + " s / " +
                Fixed(commit, 3) + " s)",
            ratio <= 1.1);

  server::RegisterIcebergRoutes(serve.router(), publisher, "lakehouse");
  auto client = serve.Client();
  const std::string table = std::string("/iceberg/v1/namespaces/lakehouse/tables/") + kDataset;
  const std::string dataset = std::string("/v1/datasets/") + kDataset;
  TimeGets(*client, table, 20);
  const Latency load = TimeGets(*client, table, 500);
  const Latency info = TimeGets(*client, dataset, 500);
  std::printf(
      "latency: REST load table (%zu versions), 500 GETs on one keep-alive connection: median "
      "%.3f ms, p95 %.3f ms; GET %s: median %.3f ms, p95 %.3f ms; ratio of medians %s\n",
      serve.catalog().ListVersions(kDataset)->size(), load.median_ms, load.p95_ms, dataset.c_str(),
      info.median_ms, info.p95_ms, Ratio(load.median_ms, info.median_ms).c_str());
  return true;
}

}  // namespace lakehouse::bench
