// bench/vectors: vectord's vector::Index against the libraries it could have
// been, called directly, in the same run, compiled with the same flags
// (except FAISS, which comes compiled from Debian):
//   vectord   vector::Index (src/vector: hnswlib 0.8.0's graph with
//             vectord's distance kernels, string ids, metadata, locks),
//             Search with a per-call ef
//   engine    vectord's own engine called directly: hnswlib 0.8.0
//             HierarchicalNSW given vector::DistanceSpace (the kernels vectord
//             picks at run time: AVX-512F, AVX2+FMA or hnswlib's), setEf +
//             searchKnn. vectord / engine is the cost of vectord's wrapper.
//   hnswlib   hnswlib 0.8.0 as shipped (its kernels chosen at compile time:
//             SSE in this portable build), setEf + searchKnn
//   usearch   usearch 2.26.2 index_dense_t, NumKong kernels (runtime dispatch)
//   faiss     FAISS 1.7.3 IndexHNSWFlat from Debian, efSearch per ef, one
//             OpenMP thread for search
//   brute     hnswlib's BruteforceSearch: an exact scan with hnswlib's kernels
// All graphs: M=16, ef_construction=200.
//
// Data:
//   sift10k   real SIFT descriptors, 10,000 x 128, 100 queries, l2, with the
//             top-100 ground truth shipped beside them (../shared/data/sift10k)
//   gen768    generated, 20,000 x 768 unit vectors (clusters with a
//             low-rank spread, like text embeddings), 200 queries, cosine;
//             ground truth by exact scan here. Cosine is the inner product of
//             unit vectors in every engine (vectord's cosine does exactly that).
//   gen128    (--big N) generated, N x 128, l2
//
// Per data set:
//  1. Build time: vectord on 1 thread (Add in batches of 256 items: Add uses
//     min(cores, ceil(n/256)) workers, so 1) and 2 threads (one Add of all),
//     the engine and hnswlib direct the same two ways; usearch and faiss on
//     2 threads.
//  2. recall@10 and single-thread QPS per ef (16..256), engines interleaved
//     in rotating order, each timed pass over the queries after an untimed
//     one by the same engine (warm caches), QPS from the median pass. Searched:
//     the 1-thread builds of vectord and the engine, which are the same graph
//     (same seed, order and distance), so their difference is vectord's own
//     cost. Goals: best QPS at recall@10 >= 0.95, vectord / its engine called
//     directly >= 0.9, vectord / the fastest library (hnswlib as shipped,
//     usearch, faiss) >= 1.0.
//  3. LHV1: Snapshot + EncodePrefix + the graph appended -> bytes (save);
//     Decode + Index::Restore (load), in memory, no disk. Goal: the 2-thread
//     rebuild takes >= 10x the load. Checked after the load: a sample of
//     stored vectors are their own nearest at distance 0 and Get returns them
//     as added, and every search answers as before the save.
// Then, on sift10k: search through POST /v1/indexes/{name}/search on an
// in-process server (HttpServer + RegisterVectorRoutes over an in-memory
// VectorService, as `lakehouse vectord` wires them) with a keep-alive client,
// against the same searches in-process. Goal: median added <= 0.2 ms.
#include <faiss/IndexHNSW.h>
#include <faiss/utils/utils.h>
#include <hnswlib/hnswlib.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <numbers>
#include <string>
#include <thread>
#include <usearch/index_dense.hpp>
#include <vector>

#include "bench/common/bench_common.h"
#include "common/config.h"
#include "common/splitmix64.h"
#include "server/http_server.h"
#include "server/vector_routes.h"
#include "storage/local_object_store.h"
#include "vector/distance.h"
#include "vector/index.h"
#include "vector/lhv1.h"
#include "vector/vector_service.h"

namespace {

namespace bench = lakehouse::bench;
namespace vector = lakehouse::vector;
namespace server = lakehouse::server;
using bench::Clock;
using bench::Fail;
using bench::g_interrupted;
using nlohmann::json;

constexpr const char* kTool = "vectors_bench";
constexpr size_t kK = 10;
constexpr uint32_t kM = 16;
constexpr uint32_t kEfConstruction = 200;
constexpr size_t kSeed = 100;  // vectord's hnswlib random_seed
constexpr uint32_t kEfs[] = {16, 24, 32, 48, 64, 96, 128, 256};
constexpr double kRecallGoal = 0.95;
constexpr uint64_t kNoId = std::numeric_limits<uint64_t>::max();

struct Options : bench::CommonOptions {
  uint64_t gen768 = 20'000;
  uint64_t big = 0;  // 0: no gen128 set
  double budget_s = 1.0;
  int http_rounds = 5;
  uint64_t grow = 50'000;  // vectors of the incremental persistence section
  uint64_t grow_dim = 128;
  bool grow_only = false;
};

void Usage(FILE* out) {
  std::fprintf(
      out,
      "usage: vectors_bench [--gen768 N] [--big N] [--budget S] [--quick] [--dir PARENT] "
      "[--keep]\n"
      "  --gen768 N   base vectors of the generated 768-dim set (default 20000)\n"
      "  --big N      also a generated N x 128 l2 set (default: none; 100000 adds about 3\n"
      "               minutes)\n"
      "  --budget S   seconds of timed search per ef and data set, all engines "
      "(default 1)\n"
      "  --quick      gen768 of 4000 x 50 queries, short budgets: a sanity check,\n"
      "               numbers are not meaningful\n"
      "  --grow N     vectors of the persistence section: added over HTTP in\n"
      "               batches of 1,000, persisted vs in memory (default 50000)\n"
      "  --grow-dim D their dimension (default 128)\n"
      "  --grow-only  run only the persistence section\n"
      "  --dir PARENT make the scratch directory under PARENT (default: .)\n"
      "  --keep       leave the scratch directory in place\n");
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  bool gen_set = false, budget_set = false;
  bench::ParseArguments(argc, argv, kTool, Usage, options, [&](const std::string& arg, int& i) {
    if (arg == "--gen768") {
      options.gen768 =
          bench::ParseCount(bench::OptionValue(argc, argv, i, kTool), "--gen768", kTool);
      gen_set = true;
    } else if (arg == "--grow") {
      options.grow = bench::ParseCount(bench::OptionValue(argc, argv, i, kTool), "--grow", kTool);
    } else if (arg == "--grow-dim") {
      options.grow_dim =
          bench::ParseCount(bench::OptionValue(argc, argv, i, kTool), "--grow-dim", kTool);
      if (options.grow_dim == 0 || options.grow_dim > 4096) Fail("--grow-dim must be 1..4096");
    } else if (arg == "--grow-only") {
      options.grow_only = true;
    } else if (arg == "--big") {
      options.big = bench::ParseCount(bench::OptionValue(argc, argv, i, kTool), "--big", kTool);
    } else if (arg == "--budget") {
      const std::string value = bench::OptionValue(argc, argv, i, kTool);
      char* end = nullptr;
      options.budget_s = std::strtod(value.c_str(), &end);
      if (end != value.c_str() + value.size() || !(options.budget_s > 0)) {
        std::fprintf(stderr, "%s: --budget takes a positive number of seconds\n", kTool);
        std::exit(2);
      }
      budget_set = true;
    } else {
      return false;
    }
    return true;
  });
  if (options.quick) {
    if (!gen_set) options.gen768 = 4'000;
    if (!budget_set) options.budget_s = 0.2;
    options.http_rounds = 2;
  }
  return options;
}

// ---------------------------------------------------------------------------
// Data sets.

struct Dataset {
  std::string name;
  std::string about;
  vector::Metric metric = vector::Metric::kL2;
  size_t dim = 0;
  size_t n = 0;
  size_t nq = 0;
  std::vector<float> base;      // n x dim
  std::vector<float> queries;   // nq x dim
  std::vector<uint64_t> truth;  // nq x kK: the true nearest, nearest first

  const float* Base(size_t i) const { return base.data() + i * dim; }
  const float* Query(size_t q) const { return queries.data() + q * dim; }
};

// .fvecs / .ivecs: records of an int32 dimension and that many 4-byte values.
template <typename T>
std::vector<T> ReadVecs(const std::string& path, size_t& dim, size_t& count) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    Fail(
        "cannot open " + path +
        " (set LAKEHOUSE_TEST_DATA to the folder of the public data sets; default ../shared/data)");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<T> values;
  dim = 0;
  count = 0;
  size_t at = 0;
  while (at < bytes.size()) {
    int32_t d = 0;
    if (bytes.size() - at < sizeof d) Fail(path + ": truncated record");
    std::memcpy(&d, bytes.data() + at, sizeof d);
    at += sizeof d;
    if (d <= 0 || (dim != 0 && static_cast<size_t>(d) != dim)) Fail(path + ": bad dimension");
    dim = static_cast<size_t>(d);
    if (bytes.size() - at < dim * sizeof(T)) Fail(path + ": truncated record");
    const size_t old = values.size();
    values.resize(old + dim);
    std::memcpy(values.data() + old, bytes.data() + at, dim * sizeof(T));
    at += dim * sizeof(T);
    ++count;
  }
  return values;
}

Dataset LoadSift() {
  const std::string dir = bench::TestDataDir() + "/sift10k/";
  Dataset data;
  data.name = "sift10k";
  data.metric = vector::Metric::kL2;
  size_t qdim = 0, gdim = 0, gcount = 0;
  data.base = ReadVecs<float>(dir + "siftsmall_base.fvecs", data.dim, data.n);
  data.queries = ReadVecs<float>(dir + "siftsmall_query.fvecs", qdim, data.nq);
  const auto truth = ReadVecs<int32_t>(dir + "siftsmall_groundtruth.ivecs", gdim, gcount);
  if (qdim != data.dim || gcount != data.nq || gdim < kK) Fail("sift10k: files disagree");
  data.truth.resize(data.nq * kK);
  for (size_t q = 0; q < data.nq; ++q) {
    for (size_t j = 0; j < kK; ++j)
      data.truth[q * kK + j] = static_cast<uint64_t>(truth[q * gdim + j]);
  }
  data.about = "real SIFT descriptors, l2, ground truth shipped with the set";
  return data;
}

// Normal deviates by Box-Muller over splitmix64: the same numbers every run.
class Rng {
 public:
  explicit Rng(uint64_t seed) : uniform_(seed) {}
  uint64_t Next() { return uniform_.Next(); }
  double Uniform() { return uniform_.Uniform(); }
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(Uniform()));
    const double theta = 2.0 * std::numbers::pi * Uniform();
    spare_ = r * std::sin(theta);
    has_spare_ = true;
    return r * std::cos(theta);
  }

 private:
  lakehouse::SplitMix64 uniform_;
  bool has_spare_ = false;
  double spare_ = 0;
};

// Points around `clusters` centres (N(0,1) per component); each cluster
// spreads along its own `rank` random directions, the r-th with scale
// spread / (1 + decay r), plus isotropic noise, so the data has a lower
// intrinsic dimension than its components, as embeddings do. For cosine every
// vector is scaled to unit length.
struct Shape {
  size_t clusters;
  size_t rank;
  double noise;
  double spread;
  double decay;
};

void Generate(Dataset& data, uint64_t seed, const Shape& shape) {
  Rng rng(seed);
  const size_t clusters = shape.clusters, rank = shape.rank;
  const size_t dim = data.dim;
  std::vector<float> centres(clusters * dim), bases(clusters * rank * dim);
  for (float& x : centres) x = static_cast<float>(rng.Normal());
  for (float& x : bases) x = static_cast<float>(rng.Normal() / std::sqrt(static_cast<double>(dim)));
  std::vector<double> point(dim);
  auto draw = [&](float* out) {
    const size_t c = rng.Next() % clusters;
    for (size_t d = 0; d < dim; ++d) point[d] = centres[c * dim + d] + shape.noise * rng.Normal();
    for (size_t r = 0; r < rank; ++r) {
      const double z = rng.Normal() * shape.spread / (1.0 + shape.decay * static_cast<double>(r));
      const float* basis = bases.data() + (c * rank + r) * dim;
      for (size_t d = 0; d < dim; ++d)
        point[d] += z * basis[d] * std::sqrt(static_cast<double>(dim));
    }
    double norm = 1;
    if (data.metric == vector::Metric::kCosine) {
      norm = 0;
      for (double x : point) norm += x * x;
      norm = std::sqrt(norm);
    }
    for (size_t d = 0; d < dim; ++d) out[d] = static_cast<float>(point[d] / norm);
  };
  data.base.resize(data.n * dim);
  data.queries.resize(data.nq * dim);
  for (size_t i = 0; i < data.n; ++i) draw(data.base.data() + i * dim);
  for (size_t q = 0; q < data.nq; ++q) draw(data.queries.data() + q * dim);
}

std::unique_ptr<hnswlib::SpaceInterface<float>> MakeSpace(const Dataset& data) {
  if (data.metric == vector::Metric::kL2) return std::make_unique<hnswlib::L2Space>(data.dim);
  return std::make_unique<hnswlib::InnerProductSpace>(data.dim);
}

// Runs fn(i) for i in [0, n) on every core.
template <typename Fn>
void ParallelFor(size_t n, size_t threads, Fn fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

size_t Cores() { return std::max(1u, std::thread::hardware_concurrency()); }

// ---------------------------------------------------------------------------
// The engines, behind one interface for the timed loop.

class Engine {
 public:
  virtual ~Engine() = default;
  virtual void SetEf(uint32_t ef) = 0;
  // The ids of the k nearest, nearest first (kNoId past the end).
  virtual void Search(const float* query, size_t k, uint64_t* out) = 0;
};

class VectordEngine final : public Engine {
 public:
  VectordEngine(const vector::Index& index, size_t dim) : index_(index), dim_(dim) {}
  void SetEf(uint32_t ef) override { ef_ = ef; }
  void Search(const float* query, size_t k, uint64_t* out) override {
    auto hits = index_.Search(std::span<const float>(query, dim_), k, ef_);
    if (!hits.ok()) Fail("vectord search: " + hits.status().ToString());
    size_t i = 0;
    for (; i < hits->size() && i < k; ++i) {
      const std::string& id = (*hits)[i].id;
      std::from_chars(id.data(), id.data() + id.size(), out[i]);
    }
    for (; i < k; ++i) out[i] = kNoId;
  }

 private:
  const vector::Index& index_;
  size_t dim_;
  uint32_t ef_ = 64;
};

template <typename Graph>
class HnswlibEngine final : public Engine {
 public:
  explicit HnswlibEngine(Graph& graph) : graph_(graph) {}
  void SetEf(uint32_t ef) override {
    if constexpr (requires { graph_.setEf(ef); }) graph_.setEf(ef);
  }
  void Search(const float* query, size_t k, uint64_t* out) override {
    auto top = graph_.searchKnn(query, k);
    for (size_t i = k; i-- > 0;) {
      if (i >= top.size()) {
        out[i] = kNoId;
        continue;
      }
      out[i] = top.top().second;
      top.pop();
    }
  }

 private:
  Graph& graph_;
};

class UsearchEngine final : public Engine {
 public:
  explicit UsearchEngine(unum::usearch::index_dense_t& index) : index_(index) {}
  void SetEf(uint32_t ef) override { index_.change_expansion_search(ef); }
  void Search(const float* query, size_t k, uint64_t* out) override {
    auto result = index_.search(query, k, /*thread=*/0);
    if (!result) Fail(std::string("usearch search: ") + result.error.release());
    const size_t found = result.dump_to(out, k);
    for (size_t i = found; i < k; ++i) out[i] = kNoId;
  }

 private:
  unum::usearch::index_dense_t& index_;
};

class FaissEngine final : public Engine {
 public:
  explicit FaissEngine(faiss::IndexHNSWFlat& index) : index_(index) {}
  void SetEf(uint32_t ef) override { index_.hnsw.efSearch = static_cast<int>(ef); }
  void Search(const float* query, size_t k, uint64_t* out) override {
    float distances[kK];
    faiss::Index::idx_t ids[kK];
    index_.search(1, query, static_cast<faiss::Index::idx_t>(k), distances, ids);
    for (size_t i = 0; i < k; ++i) out[i] = ids[i] < 0 ? kNoId : static_cast<uint64_t>(ids[i]);
  }

 private:
  faiss::IndexHNSWFlat& index_;
};

double RecallAt10(const Dataset& data, const std::vector<uint64_t>& found) {
  size_t hits = 0;
  for (size_t q = 0; q < data.nq; ++q) {
    const uint64_t* truth = data.truth.data() + q * kK;
    for (size_t j = 0; j < kK; ++j) {
      const uint64_t id = found[q * kK + j];
      hits += std::find(truth, truth + kK, id) != truth + kK ? 1 : 0;
    }
  }
  return static_cast<double>(hits) / static_cast<double>(data.nq * kK);
}

// One pass over every query; returns its seconds.
double Pass(Engine& engine, const Dataset& data, std::vector<uint64_t>& found) {
  const auto start = Clock::now();
  for (size_t q = 0; q < data.nq; ++q) engine.Search(data.Query(q), kK, found.data() + q * kK);
  return bench::SecondsSince(start);
}

// Exact top-kK of every query (the generated sets' ground truth).
void ComputeTruth(Dataset& data) {
  auto space = MakeSpace(data);
  hnswlib::BruteforceSearch<float> exact(space.get(), data.n);
  for (size_t i = 0; i < data.n; ++i) exact.addPoint(data.Base(i), i);
  data.truth.assign(data.nq * kK, kNoId);
  ParallelFor(data.nq, Cores(), [&](size_t q) {
    auto top = exact.searchKnn(data.Query(q), kK);
    for (size_t j = top.size(); j-- > 0;) {
      data.truth[q * kK + j] = top.top().second;
      top.pop();
    }
  });
}

// ---------------------------------------------------------------------------
// Builds.

vector::IndexParams Params(const Dataset& data, const std::string& name) {
  vector::IndexParams params;
  params.name = name;
  params.dim = static_cast<uint32_t>(data.dim);
  params.metric = data.metric;
  params.m = kM;
  params.ef_construction = kEfConstruction;
  params.ef_search = 64;
  return params;
}

std::vector<vector::Item> Items(const Dataset& data, size_t from, size_t to) {
  std::vector<vector::Item> items(to - from);
  for (size_t i = from; i < to; ++i) {
    items[i - from].id = std::to_string(i);
    items[i - from].vector.assign(data.Base(i), data.Base(i) + data.dim);
  }
  return items;
}

// Builds vectord's Index with Add batches of `batch` items (the items are
// made before the clock starts); returns the seconds of the Adds.
std::unique_ptr<vector::Index> BuildVectord(const Dataset& data, size_t batch, double& seconds) {
  auto created = vector::Index::Create(Params(data, "bench"));
  bench::Check(created.status(), "create the vectord index");
  std::unique_ptr<vector::Index> index = std::move(*created);
  std::vector<std::vector<vector::Item>> batches;
  for (size_t from = 0; from < data.n; from += batch) {
    batches.push_back(Items(data, from, std::min(data.n, from + batch)));
  }
  const auto start = Clock::now();
  for (auto& items : batches) bench::Check(index->Add(std::move(items)), "vectord add");
  seconds = bench::SecondsSince(start);
  if (index->size() != data.n) Fail("vectord index has the wrong size");
  return index;
}

// hnswlib as vectord drives it: the first point alone, the rest spread over
// `threads` threads.
std::unique_ptr<hnswlib::HierarchicalNSW<float>> BuildHnswlib(const Dataset& data,
                                                              hnswlib::SpaceInterface<float>& space,
                                                              size_t threads, double& seconds) {
  const auto start = Clock::now();
  auto graph =
      std::make_unique<hnswlib::HierarchicalNSW<float>>(&space, data.n, kM, kEfConstruction, kSeed);
  graph->addPoint(data.Base(0), 0);
  ParallelFor(data.n - 1, threads, [&](size_t i) { graph->addPoint(data.Base(i + 1), i + 1); });
  seconds = bench::SecondsSince(start);
  return graph;
}

unum::usearch::index_dense_t BuildUsearch(const Dataset& data, size_t threads, double& seconds) {
  using namespace unum::usearch;
  const auto start = Clock::now();
  metric_punned_t metric(
      data.dim, data.metric == vector::Metric::kL2 ? metric_kind_t::l2sq_k : metric_kind_t::ip_k,
      scalar_kind_t::f32_k);
  index_dense_config_t config(kM, kEfConstruction, 64);
  auto made = index_dense_t::make(metric, config);
  if (!made) Fail(std::string("usearch make: ") + made.error.release());
  index_dense_t index = std::move(made.index);
  if (!index.try_reserve(index_limits_t(data.n, threads))) Fail("usearch reserve");
  std::atomic<size_t> next{0};
  auto work = [&](size_t thread) {
    for (size_t i = next++; i < data.n; i = next++) {
      auto added = index.add(i, data.Base(i), thread);
      if (!added) Fail(std::string("usearch add: ") + added.error.release());
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& t : pool) t.join();
  seconds = bench::SecondsSince(start);
  return index;
}

std::unique_ptr<faiss::IndexHNSWFlat> BuildFaiss(const Dataset& data, int threads,
                                                 double& seconds) {
  omp_set_num_threads(threads);
  const auto start = Clock::now();
  auto index = std::make_unique<faiss::IndexHNSWFlat>(
      static_cast<int>(data.dim), static_cast<int>(kM),
      data.metric == vector::Metric::kL2 ? faiss::METRIC_L2 : faiss::METRIC_INNER_PRODUCT);
  index->hnsw.efConstruction = static_cast<int>(kEfConstruction);
  index->add(static_cast<faiss::Index::idx_t>(data.n), data.base.data());
  seconds = bench::SecondsSince(start);
  omp_set_num_threads(1);
  return index;
}

// ---------------------------------------------------------------------------
// The run of one data set.

constexpr const char* kEngineNames[] = {"vectord", "engine", "hnswlib", "usearch", "faiss"};
// The libraries a goal compares vectord with: hnswlib, usearch, faiss.
constexpr size_t kFirstLibrary = 2, kEndLibrary = 5;
constexpr size_t kEngines = std::size(kEngineNames);

struct Cell {
  double recall = 0;
  double qps = 0;
};

// QPS where recall@10 first crosses `recall`, log-linear between the two
// efs around it; below_grid when the smallest ef already reaches it (then
// it is that ef's QPS, a lower bound).
struct Interpolated {
  double qps = 0;
  bool below_grid = false;
};

Interpolated AtRecall(const std::vector<Cell>& row, double recall) {
  if (row.empty() || row[0].qps <= 0) return {};
  if (row[0].recall >= recall) return {row[0].qps, true};
  for (size_t e = 0; e + 1 < row.size(); ++e) {
    const Cell& lo = row[e];
    const Cell& hi = row[e + 1];
    if (lo.recall < recall && hi.recall >= recall && lo.qps > 0 && hi.qps > 0) {
      const double t = (recall - lo.recall) / (hi.recall - lo.recall);
      return {std::exp(std::log(lo.qps) + t * (std::log(hi.qps) - std::log(lo.qps))), false};
    }
  }
  return {};
}

struct Best {
  double qps = 0;
  uint32_t ef = 0;
  double recall = 0;
};

std::string Qps(double qps) { return qps > 0 ? bench::Thousands(qps) : "n/a"; }

void RunDataset(Dataset& data, const Options& options) {
  const double n = static_cast<double>(data.n);
  std::printf("\n== %s: %s x %zu, %s, %zu queries (%s) ==\n", data.name.c_str(),
              bench::Thousands(n).c_str(), data.dim,
              std::string(vector::MetricName(data.metric)).c_str(), data.nq, data.about.c_str());
  std::fflush(stdout);
  auto space = MakeSpace(data);

  // 1. Builds, one at a time, each alone on the machine.
  double vectord_1t = 0, vectord_2t = 0, hnswlib_1t = 0, hnswlib_2t = 0, usearch_s = 0, faiss_s = 0,
         engine_1t = 0, engine_2t = 0;
  auto vectord = BuildVectord(data, 256, vectord_1t);
  std::unique_ptr<vector::Index> vectord_parallel = BuildVectord(data, data.n, vectord_2t);
  auto hnsw = BuildHnswlib(data, *space, 1, hnswlib_1t);
  BuildHnswlib(data, *space, Cores(), hnswlib_2t);  // timed only
  auto usearch = BuildUsearch(data, Cores(), usearch_s);
  auto faiss_index = BuildFaiss(data, static_cast<int>(Cores()), faiss_s);
  vector::DistanceSpace engine_space(data.metric, data.dim);
  auto engine = BuildHnswlib(data, engine_space, 1, engine_1t);
  BuildHnswlib(data, engine_space, Cores(), engine_2t);  // timed only

  const size_t cores = Cores();
  std::printf("build (s), M=%u, ef_construction=%u      1 thread  %zu threads\n", kM,
              kEfConstruction, cores);
  std::printf("  %-36s %9.2f %10.2f\n", "vectord Index", vectord_1t, vectord_2t);
  std::printf("  %-36s %9.2f %10.2f\n", "engine direct (hnswlib + kernels)", engine_1t, engine_2t);
  std::printf("  %-36s %9.2f %10.2f\n", "hnswlib direct (as shipped)", hnswlib_1t, hnswlib_2t);
  std::printf("  %-36s %9s %10.2f\n", "usearch (threads given to add)", "-", usearch_s);
  std::printf("  %-36s %9s %10.2f\n", "faiss (OpenMP threads)", "-", faiss_s);
  std::printf(
      "  (vectord 1 thread: Add in batches of 256 items, for which Add starts min(cores, "
      "ceil(n/256)) = 1 worker; %zu threads: one Add of all %s items. hnswlib direct: "
      "addPoint, the first point alone then the rest over the threads, as vectord does)\n",
      cores, bench::Thousands(n).c_str());
  std::printf(
      "  ratio vectord / engine direct build time: 1 thread %s, %zu threads %s; vectord / "
      "hnswlib as shipped: 1 thread %s, %zu threads %s\n",
      bench::Ratio(vectord_1t, engine_1t).c_str(), cores,
      bench::Ratio(vectord_2t, engine_2t).c_str(), bench::Ratio(vectord_1t, hnswlib_1t).c_str(),
      cores, bench::Ratio(vectord_2t, hnswlib_2t).c_str());
  std::fflush(stdout);

  // 2. Search.
  VectordEngine vectord_engine(*vectord, data.dim);
  HnswlibEngine<hnswlib::HierarchicalNSW<float>> hnswlib_engine(*hnsw);
  UsearchEngine usearch_engine(usearch);
  FaissEngine faiss_engine(*faiss_index);
  HnswlibEngine<hnswlib::HierarchicalNSW<float>> engine_engine(*engine);
  Engine* engines[kEngines] = {&vectord_engine, &engine_engine, &hnswlib_engine, &usearch_engine,
                               &faiss_engine};
  omp_set_num_threads(1);

  std::vector<uint64_t> found(data.nq * kK);
  std::vector<std::vector<Cell>> cells(kEngines, std::vector<Cell>(std::size(kEfs)));
  size_t min_passes = std::numeric_limits<size_t>::max();
  const auto cpu_before = bench::SampleCpu();
  for (size_t e = 0; e < std::size(kEfs) && !g_interrupted; ++e) {
    for (Engine* engine : engines) engine->SetEf(kEfs[e]);
    // Untimed pass: warms the caches and gives the recall.
    for (size_t i = 0; i < kEngines; ++i) {
      Pass(*engines[i], data, found);
      cells[i][e].recall = RecallAt10(data, found);
    }
    std::vector<std::vector<double>> seconds(kEngines);
    double spent = 0;
    size_t round = 0;
    for (; round < 200 && (round < 3 || spent < options.budget_s) && !g_interrupted; ++round) {
      for (size_t j = 0; j < kEngines; ++j) {
        const size_t i = (round + j) % kEngines;
        // The engine before this one filled the caches with its own index:
        // an untimed pass warms them for this one, as a steady stream would.
        Pass(*engines[i], data, found);
        const double s = Pass(*engines[i], data, found);
        seconds[i].push_back(s);
        spent += s;
      }
    }
    min_passes = std::min(min_passes, round);
    for (size_t i = 0; i < kEngines; ++i) {
      cells[i][e].qps = static_cast<double>(data.nq) / bench::Median(seconds[i]);
    }
  }
  // Brute force: ef means nothing to it.
  hnswlib::BruteforceSearch<float> exact(space.get(), data.n);
  for (size_t i = 0; i < data.n; ++i) exact.addPoint(data.Base(i), i);
  HnswlibEngine<hnswlib::BruteforceSearch<float>> brute_engine(exact);
  Pass(brute_engine, data, found);
  const double brute_recall = RecallAt10(data, found);
  std::vector<double> brute_seconds;
  for (double spent = 0;
       brute_seconds.size() < 3 || (spent < options.budget_s && brute_seconds.size() < 20);) {
    brute_seconds.push_back(Pass(brute_engine, data, found));
    spent += brute_seconds.back();
    if (g_interrupted) break;
  }
  const double brute_qps = static_cast<double>(data.nq) / bench::Median(brute_seconds);
  const auto cpu_after = bench::SampleCpu();

  std::printf(
      "search, 1 thread, k=%zu: recall@10 and QPS (queries / median pass; >= %zu timed passes "
      "per engine and ef, each after an untimed one, engines interleaved)\n",
      kK, min_passes);
  std::printf("  %4s", "ef");
  for (const char* name : kEngineNames) std::printf("  %-18s", name);
  std::printf("  %s\n", "vectord/engine QPS");
  for (size_t e = 0; e < std::size(kEfs); ++e) {
    std::printf("  %4u", kEfs[e]);
    for (size_t i = 0; i < kEngines; ++i) {
      std::printf("  %5.3f %12s", cells[i][e].recall, Qps(cells[i][e].qps).c_str());
    }
    std::printf("  %s\n", bench::Ratio(cells[0][e].qps, cells[1][e].qps).c_str());
  }
  std::printf("  brute force (hnswlib BruteforceSearch, exact scan): recall %.3f, %s QPS\n",
              brute_recall, Qps(brute_qps).c_str());
  std::printf(
      "  (vectord and the engine search the same graph, their 1-thread builds, with vectord's "
      "\"%s\" kernels. usearch: NumKong's \"%s\" kernels, picked for this CPU at run time)\n",
      std::string(engine_space.kernel()).c_str(), usearch.metric().isa_name());

  std::vector<Best> best(kEngines);
  for (size_t i = 0; i < kEngines; ++i) {
    for (size_t e = 0; e < std::size(kEfs); ++e) {
      if (cells[i][e].recall >= kRecallGoal && cells[i][e].qps > best[i].qps) {
        best[i] = {cells[i][e].qps, kEfs[e], cells[i][e].recall};
      }
    }
  }
  std::printf("best QPS at recall@10 >= %.2f:\n", kRecallGoal);
  for (size_t i = 0; i < kEngines; ++i) {
    if (best[i].qps > 0) {
      std::printf("  %-9s %12s  (ef %u, recall %.3f)%s\n", kEngineNames[i],
                  Qps(best[i].qps).c_str(), best[i].ef, best[i].recall, "");
    } else {
      std::printf("  %-9s %12s  (no ef up to %u reaches it)\n", kEngineNames[i], "n/a",
                  kEfs[std::size(kEfs) - 1]);
    }
  }
  std::printf("  %-9s %12s  (exact, recall %.3f)\n", "brute", Qps(brute_qps).c_str(), brute_recall);
  size_t fastest = kFirstLibrary;
  for (size_t i = kFirstLibrary + 1; i < kEndLibrary; ++i) {
    if (best[i].qps > best[fastest].qps) fastest = i;
  }
  const std::string vs_engine = bench::Ratio(best[0].qps, best[1].qps);
  const std::string vs_fastest = bench::Ratio(best[0].qps, best[fastest].qps);
  std::printf("ratio vectord / its engine called directly (best QPS at recall >= %.2f): %s\n",
              kRecallGoal, vs_engine.c_str());
  std::printf("ratio vectord / hnswlib as shipped: %s\n",
              bench::Ratio(best[0].qps, best[2].qps).c_str());
  std::printf("ratio vectord / fastest library (%s): %s\n", kEngineNames[fastest],
              vs_fastest.c_str());
  bench::PrintGoal(data.name + ": vectord >= 0.9x its engine called directly", vs_engine,
                   best[1].qps > 0 && best[0].qps >= 0.9 * best[1].qps);
  bench::PrintGoal(
      data.name + ": vectord >= 1.0x the fastest library (" + kEngineNames[fastest] + ")",
      vs_fastest, best[fastest].qps > 0 && best[0].qps >= best[fastest].qps);
  // The goals' figure moves in ef steps: an engine just under 0.95 at one ef
  // is judged at the next. Interpolated at 0.95 exactly, for comparison.
  std::vector<Interpolated> at_goal(kEngines);
  std::printf("info: QPS at recall@10 = %.2f interpolated between the efs around it:", kRecallGoal);
  for (size_t i = 0; i < kEngines; ++i) {
    at_goal[i] = AtRecall(cells[i], kRecallGoal);
    std::printf(" %s %s%s", kEngineNames[i], at_goal[i].below_grid ? ">=" : "",
                Qps(at_goal[i].qps).c_str());
  }
  size_t fastest_at = kFirstLibrary;
  for (size_t i = kFirstLibrary + 1; i < kEndLibrary; ++i) {
    if (at_goal[i].qps > at_goal[fastest_at].qps) fastest_at = i;
  }
  std::printf("; vectord / engine %s, vectord / fastest library (%s) %s\n",
              bench::Ratio(at_goal[0].qps, at_goal[1].qps).c_str(), kEngineNames[fastest_at],
              bench::Ratio(at_goal[0].qps, at_goal[fastest_at].qps).c_str());
  std::printf("search: ");
  bench::PrintCpuContention(cpu_before, cpu_after);
  std::fflush(stdout);
  if (g_interrupted) return;

  // 3. LHV1 save and load of the parallel-built index, against its rebuild.
  std::vector<double> save_ms, load_ms;
  std::string bytes;
  std::unique_ptr<vector::Index> restored;
  for (int run = 0; run < 3; ++run) {
    auto start = Clock::now();
    auto image = vectord_parallel->Snapshot();
    bench::Check(image.status(), "snapshot");
    auto prefix = vector::lhv1::EncodePrefix(*image);
    bench::Check(prefix.status(), "LHV1 prefix");
    std::string encoded = std::move(*prefix);
    encoded += image->graph;
    save_ms.push_back(bench::SecondsSince(start) * 1000);
    bytes = std::move(encoded);

    std::string copy = bytes;
    start = Clock::now();
    auto decoded = vector::lhv1::Decode(std::move(copy));
    bench::Check(decoded.status(), "LHV1 decode");
    auto loaded = vector::Index::Restore(std::move(*decoded));
    bench::Check(loaded.status(), "LHV1 restore");
    load_ms.push_back(bench::SecondsSince(start) * 1000);
    restored = std::move(*loaded);
  }
  // Check, after the load: every sampled stored vector, searched for with
  // the largest ef, is its own nearest at distance 0 (cosine: 1 - the float
  // dot product of a unit vector with itself, within 1e-5), as it was before
  // (in a hard graph HNSW can miss a point; that is the graph, not LHV1);
  // Get returns it as added; every query and sample gets the same answer
  // (ids and distances) as before.
  constexpr size_t kSample = 200;
  const uint32_t self_ef = kEfs[std::size(kEfs) - 1];
  const bool l2 = data.metric == vector::Metric::kL2;
  const double tolerance = l2 ? 0.0 : 1e-5;
  auto same_hits = [](const std::vector<vector::Hit>& a, const std::vector<vector::Hit>& b) {
    bool equal = a.size() == b.size();
    for (size_t j = 0; equal && j < a.size(); ++j) {
      equal = a[j].id == b[j].id && a[j].distance == b[j].distance;
    }
    return equal;
  };
  auto own_nearest = [&](const std::vector<vector::Hit>& hits, const std::string& id) {
    if (hits.empty() || std::abs(hits[0].distance) > tolerance) return false;
    for (const auto& hit : hits) {
      if (hit.id == id && std::abs(hit.distance) <= tolerance) return true;
    }
    return false;
  };
  size_t own = 0, own_before = 0, got = 0, same = 0;
  for (size_t s = 0; s < kSample; ++s) {
    const size_t i = s * data.n / kSample;
    const std::string id = std::to_string(i);
    const std::span<const float> stored(data.Base(i), data.dim);
    auto before = vectord_parallel->Search(stored, kK, self_ef);
    auto after = restored->Search(stored, kK, self_ef);
    bench::Check(before.status(), "search");
    bench::Check(after.status(), "search the restored index");
    own += own_nearest(*after, id) ? 1 : 0;
    own_before += own_nearest(*before, id) ? 1 : 0;
    same += same_hits(*before, *after) ? 1 : 0;
    auto item = restored->Get(id);
    bench::Check(item.status(), "get from the restored index");
    bool exact = item->vector.size() == data.dim;
    for (size_t d = 0; exact && d < data.dim; ++d) {
      exact =
          std::abs(item->vector[d] - stored[d]) <= tolerance * std::max(1.0f, std::abs(stored[d]));
    }
    got += exact ? 1 : 0;
  }
  for (size_t q = 0; q < data.nq; ++q) {
    const std::span<const float> query(data.Query(q), data.dim);
    auto before = vectord_parallel->Search(query, kK, 64);
    auto after = restored->Search(query, kK, 64);
    bench::Check(before.status(), "search");
    bench::Check(after.status(), "search the restored index");
    same += same_hits(*before, *after) ? 1 : 0;
  }
  const double save = bench::Median(save_ms), load = bench::Median(load_ms);
  std::printf(
      "LHV1 (in memory, median of 3): %.1f MB; save (Snapshot + EncodePrefix + graph) %.1f ms, "
      "load (Decode + Index::Restore) %.1f ms; rebuild on %zu threads %.1f ms\n",
      static_cast<double>(bytes.size()) / 1e6, save, load, cores, vectord_2t * 1000);
  std::printf(
      "  check after the load: %zu of %zu sampled stored vectors are their own nearest at distance "
      "%s with ef %u (%zu before it); Get returns %zu of %zu %s; %zu of %zu searches (the "
      "sample and the queries) answer as before, ids and distances\n",
      own, kSample, l2 ? "0" : "<= 1e-5 (cosine)", self_ef, own_before, got, kSample,
      l2 ? "exactly as added" : "as added within 1e-5 (cosine keeps unit vectors and norms)", same,
      kSample + data.nq);
  if (own != own_before || got != kSample || same != kSample + data.nq) {
    Fail(data.name + ": the restored index differs from the one saved");
  }
  const std::string ratio = bench::Ratio(vectord_2t * 1000, load);
  std::printf("ratio rebuild / load: %s\n", ratio.c_str());
  bench::PrintGoal(data.name + ": LHV1 load >= 10x faster than a rebuild", ratio + "x",
                   vectord_2t * 1000 >= 10 * load);
  std::fflush(stdout);
}

// ---------------------------------------------------------------------------
// Search over HTTP against in-process, on sift10k.

void RunHttp(const Dataset& data, const Options& options) {
  std::printf("\n== HTTP: POST /v1/indexes/sift/search vs Index::Search in-process (%s) ==\n",
              data.name.c_str());
  auto service = vector::VectorService::Open(nullptr);
  bench::Check(service.status(), "open the vector service");
  server::HttpServer http(lakehouse::Config{}.http, 64 << 20);
  server::RegisterVectorRoutes(http.router(), **service);
  bench::ServerThread running(http, "bind the vectord server");
  httplib::Client client("127.0.0.1", running.port());
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);  // as http::ClientPool and the other benches
  client.set_read_timeout(600, 0);
  client.set_write_timeout(600, 0);

  auto post = [&](const std::string& path, const std::string& body, int want) {
    auto result = client.Post(path, body, "application/json");
    if (!result) Fail("POST " + path + ": " + httplib::to_string(result.error()));
    if (result->status != want) {
      Fail("POST " + path + " answered " + std::to_string(result->status) + ": " +
           result->body.substr(0, 300));
    }
    return std::move(result->body);
  };
  post("/v1/indexes",
       json{{"name", "sift"},
            {"dim", data.dim},
            {"metric", "l2"},
            {"m", kM},
            {"ef_construction", kEfConstruction}}
           .dump(),
       201);
  const auto fill_start = Clock::now();
  for (size_t from = 0; from < data.n; from += 1000) {
    json items = json::array();
    for (size_t i = from; i < std::min(data.n, from + 1000); ++i) {
      items.push_back({{"id", std::to_string(i)},
                       {"vector", std::vector<float>(data.Base(i), data.Base(i) + data.dim)}});
    }
    post("/v1/indexes/sift/vectors", json{{"items", items}}.dump(), 200);
  }
  const double fill_s = bench::SecondsSince(fill_start);
  auto found = (*service)->Find("sift");
  bench::Check(found.status(), "find the index");
  const vector::Index& index = **found;
  std::printf(
      "server: HttpServer + RegisterVectorRoutes over VectorService::Open(nullptr) (in memory), "
      "%d HTTP worker threads, 127.0.0.1:%d; filled with %s vectors through POST .../vectors in "
      "batches of 1,000 in %.2f s\n",
      lakehouse::Config{}.http.threads, running.port(), bench::Thousands(double(data.n)).c_str(),
      fill_s);

  std::vector<std::string> bodies(data.nq);
  for (size_t q = 0; q < data.nq; ++q) {
    bodies[q] = json{
        {"vector", std::vector<float>(data.Query(q), data.Query(q) + data.dim)},
        {"k", kK}}.dump();
  }
  // Check: the same answers both ways (untimed).
  for (size_t q = 0; q < data.nq; ++q) {
    auto local = index.Search(std::span<const float>(data.Query(q), data.dim), kK);
    bench::Check(local.status(), "search");
    const json remote = json::parse(post("/v1/indexes/sift/search", bodies[q], 200));
    const json& results = remote.at("results");
    bool equal = results.size() == local->size();
    for (size_t j = 0; equal && j < local->size(); ++j) {
      equal = results[j].at("id") == (*local)[j].id;
    }
    if (!equal) Fail("query " + std::to_string(q) + ": HTTP and in-process answers differ");
  }

  std::vector<double> local_us, http_us;
  size_t response_bytes = 0;
  const auto cpu_before = bench::SampleCpu();
  for (int round = 0; round < options.http_rounds && !g_interrupted; ++round) {
    for (size_t q = 0; q < data.nq; ++q) {
      for (int i = 0; i < 2; ++i) {
        const auto start = Clock::now();
        if ((round + q + i) % 2 == 0) {
          auto hits = index.Search(std::span<const float>(data.Query(q), data.dim), kK);
          local_us.push_back(bench::SecondsSince(start) * 1e6);
          if (!hits.ok() || hits->size() != kK) Fail("in-process search");
        } else {
          auto result = client.Post("/v1/indexes/sift/search", bodies[q], "application/json");
          http_us.push_back(bench::SecondsSince(start) * 1e6);
          if (!result || result->status != 200) Fail("POST /v1/indexes/sift/search");
          response_bytes = result->body.size();
        }
      }
    }
  }
  const auto cpu_after = bench::SampleCpu();
  const double local = bench::Median(local_us), remote = bench::Median(http_us);
  const double added_ms = (remote - local) / 1000;
  std::printf(
      "%zu searches each way, k=%zu, ef 64 (the index's default), alternating; request body "
      "about %zu bytes, response about %zu bytes (ids, distances, metadata {})\n",
      local_us.size(), kK, bodies[0].size(), response_bytes);
  std::printf("  in-process Index::Search: median %.1f us (p90 %.1f)\n", local, [&] {
    auto v = local_us;
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() * 9 / 10];
  }());
  std::printf("  HTTP keep-alive round trip: median %.1f us (p90 %.1f)\n", remote, [&] {
    auto v = http_us;
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() * 9 / 10];
  }());
  std::printf("  added by HTTP (median HTTP - median in-process): %.3f ms\n", added_ms);
  bench::PrintGoal("search over HTTP adds <= 0.2 ms (median)", bench::Fixed(added_ms, 3) + " ms",
                   added_ms <= 0.2);
  std::printf("http: ");
  bench::PrintCpuContention(cpu_before, cpu_after);
}

// ---------------------------------------------------------------------------
// Incremental persistence: what a growing index costs to store.

// Forwards to a store and counts the bytes put through it.
class CountingStore : public lakehouse::storage::ObjectStore {
 public:
  explicit CountingStore(lakehouse::storage::ObjectStore& target) : target_(target) {}
  lakehouse::Result<lakehouse::storage::ObjectInfo> Put(
      std::string_view key, const lakehouse::storage::BodyProducer& body,
      const lakehouse::storage::PutOptions& options) override {
    return target_.Put(
        key,
        [&](const lakehouse::storage::ChunkWriter& write) {
          return body([&](std::string_view chunk) {
            written_ += chunk.size();
            return write(chunk);
          });
        },
        options);
  }
  lakehouse::Result<lakehouse::storage::ObjectInfo> Get(
      std::string_view key, lakehouse::storage::ObjectSink& sink) override {
    return target_.Get(key, sink);
  }
  lakehouse::Result<lakehouse::storage::ObjectInfo> Head(std::string_view key) override {
    return target_.Head(key);
  }
  lakehouse::Status Delete(std::string_view key) override { return target_.Delete(key); }
  lakehouse::Result<lakehouse::storage::ListPage> List(
      const lakehouse::storage::ListOptions& options) override {
    return target_.List(options);
  }
  uint64_t written() const { return written_.load(); }

 private:
  lakehouse::storage::ObjectStore& target_;
  std::atomic<uint64_t> written_{0};
};

double PeakRssMb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024;
  }
  return 0;
}

// Fills index "grow" through POST .../vectors in batches of 1,000 on a
// server over `service`; returns each batch's seconds.
std::vector<double> FillOverHttp(vector::VectorService& service, const std::vector<float>& data,
                                 size_t n, size_t dim) {
  server::HttpServer http(lakehouse::Config{}.http, 64 << 20);
  server::RegisterVectorRoutes(http.router(), service);
  bench::ServerThread running(http, "bind the vectord server");
  httplib::Client client("127.0.0.1", running.port());
  client.set_keep_alive(true);
  client.set_read_timeout(600, 0);
  client.set_write_timeout(600, 0);
  auto post = [&](const std::string& path, const std::string& body, int want) {
    auto result = client.Post(path, body, "application/json");
    if (!result || result->status != want) Fail("POST " + path + " failed");
    return json::parse(result->body);
  };
  post("/v1/indexes", json{{"name", "grow"}, {"dim", dim}, {"metric", "l2"}}.dump(), 201);
  std::vector<double> batches;
  for (size_t from = 0; from < n && !g_interrupted; from += 1000) {
    json items = json::array();
    for (size_t i = from; i < std::min(n, from + 1000); ++i) {
      items.push_back({{"id", std::to_string(i)},
                       {"vector", std::vector<float>(&data[i * dim], &data[i * dim] + dim)}});
    }
    std::string body = json{{"items", std::move(items)}}.dump();
    const auto start = Clock::now();
    json answer = post("/v1/indexes/grow/vectors", body, 200);
    batches.push_back(bench::SecondsSince(start));
    if (service.persistent() && !answer.value("persisted", false))
      Fail("a batch was not persisted");
  }
  return batches;
}

double MeanOf(const std::vector<double>& v, size_t from, size_t to) {
  double sum = 0;
  for (size_t i = from; i < to; ++i) sum += v[i];
  return to > from ? sum / double(to - from) : 0;
}

void RunGrow(const Options& options, const std::string& root) {
  const size_t n = options.grow;
  const size_t dim = options.grow_dim;
  std::printf("\n== incremental persistence: %s x %zu l2 vectors over HTTP, batches of 1,000 ==\n",
              bench::Thousands(double(n)).c_str(), dim);
  std::vector<float> data(n * dim);
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  for (float& x : data) x = normal(rng);
  const double raw_bytes = double(n) * double(dim) * sizeof(float);

  auto local = lakehouse::storage::LocalObjectStore::Open({root + "/grow-objects", 1ull << 40});
  bench::Check(local.status(), "open the local store");
  CountingStore counting(**local);
  double persisted_s = 0, load_s = 0, stored_bytes = 0;
  std::vector<double> batches;
  {
    auto service = vector::VectorService::Open(&counting);
    bench::Check(service.status(), "open the persistent vector service");
    const auto start = Clock::now();
    batches = FillOverHttp(**service, data, n, dim);
    persisted_s = bench::SecondsSince(start);
  }  // joins a compaction still running, so its bytes count
  const double written = double(counting.written());
  {
    lakehouse::storage::ListOptions list;
    list.prefix = "_vectors/";
    auto page = (*local)->List(list);
    bench::Check(page.status(), "list _vectors/");
    for (const auto& object : page->objects) stored_bytes += double(object.size);
    const auto start = Clock::now();
    auto reopened = vector::VectorService::Open(&counting);
    bench::Check(reopened.status(), "reopen the vector service");
    load_s = bench::SecondsSince(start);
    auto count = (*reopened)->Describe("grow");
    if (!count.ok() || count->count != n) Fail("the restarted service lacks vectors");
  }
  const double peak_mb = PeakRssMb();
  double ephemeral_s = 0;
  std::vector<double> ephemeral_batches;
  {
    auto service = vector::VectorService::Open(nullptr);
    bench::Check(service.status(), "open the ephemeral vector service");
    const auto start = Clock::now();
    ephemeral_batches = FillOverHttp(**service, data, n, dim);
    ephemeral_s = bench::SecondsSince(start);
  }
  const size_t tenth = std::max<size_t>(1, batches.size() / 10);
  const double first = MeanOf(batches, 0, tenth);
  const double last = MeanOf(batches, batches.size() - tenth, batches.size());
  const double amplification = written / raw_bytes;
  const double throughput = ephemeral_s / persisted_s;
  const double growth = last / first;
  const double load_ratio = ephemeral_s / load_s;
  std::printf(
      "server: HttpServer + RegisterVectorRoutes over VectorService on a local store (as serve); "
      "default compaction (deltas over 25%% of the base, or 1,000 of them)\n");
  std::printf("  persisted fill %.2f s, in-memory fill %.2f s; %s written for %s of raw vectors\n",
              persisted_s, ephemeral_s, bench::Thousands(written).c_str(),
              bench::Thousands(raw_bytes).c_str());
  std::printf(
      "  batch time: first 10%% %.1f ms, last 10%% %.1f ms (in memory: %.1f ms, %.1f ms: the "
      "graph's own growth)\n",
      first * 1000, last * 1000, MeanOf(ephemeral_batches, 0, tenth) * 1000,
      MeanOf(ephemeral_batches, ephemeral_batches.size() - tenth, ephemeral_batches.size()) * 1000);
  std::printf("  restart: loaded in %.2f s; rebuilding by re-adding took %.2f s\n", load_s,
              ephemeral_s);
  std::printf("  stored %s bytes; peak RSS %.0f MB = %.2f x the stored index\n",
              bench::Thousands(stored_bytes).c_str(), peak_mb,
              peak_mb * 1024 * 1024 / std::max(1.0, stored_bytes));
  bench::PrintGoal("bytes written / raw vector bytes <= 3.0", bench::Fixed(amplification, 2),
                   amplification <= 3.0);
  bench::PrintGoal("add throughput persisted / in memory >= 0.8", bench::Fixed(throughput, 2),
                   throughput >= 0.8);
  bench::PrintGoal("last 10% of batches / first 10% <= 1.5x", bench::Fixed(growth, 2) + "x",
                   growth <= 1.5);
  bench::PrintGoal("restart load >= 10x faster than a rebuild", bench::Fixed(load_ratio, 1) + "x",
                   load_ratio >= 10);
}

int Run(const Options& options, const std::string& root) {
  if (options.grow_only) {
    RunGrow(options, root);
    return g_interrupted ? 130 : 0;
  }
  std::printf("vectors_bench: vectord's Index vs hnswlib, usearch, FAISS and an exact scan, %s\n",
              options.run_kind());
  bench::PrintMachine(root, bench::MachineLine::kBrief);
#if defined(USE_AVX512)
  const char* hnswlib_simd = "AVX-512 (chosen at compile time)";
#elif defined(USE_AVX)
  const char* hnswlib_simd = "AVX (chosen at compile time)";
#elif defined(USE_SSE)
  const char* hnswlib_simd = "SSE only (chosen at compile time: no -mavx in the flags)";
#else
  const char* hnswlib_simd = "plain C++ loops";
#endif
  std::printf(
      "compiled with: %s (vectord, hnswlib, usearch and this bench; NumKong's C kernels "
      "too, plus its own per-function target attributes)\n",
      LAKEHOUSE_BENCH_CXX_FLAGS);
  std::printf("kernels: hnswlib as shipped: %s; vectord and its engine: %s, chosen at run time\n",
              hnswlib_simd,
              std::string(vector::DistanceSpace(vector::Metric::kL2, 128).kernel()).c_str());
  std::printf("         faiss: Debian libfaiss-dev 1.7.3 as Debian compiled it (%s)\n",
              faiss::get_compile_options().c_str());
  std::fflush(stdout);

  std::vector<Dataset> sets;
  sets.push_back(LoadSift());
  {
    Dataset gen;
    gen.name = "gen768";
    gen.metric = vector::Metric::kCosine;
    gen.dim = 768;
    gen.n = options.gen768;
    gen.nq = options.quick ? 50 : 200;
    gen.about =
        "generated: 32 clusters spread along 128 directions + noise, unit vectors; ground truth "
        "by exact scan";
    Generate(gen, 768, {.clusters = 32, .rank = 128, .noise = 0.5, .spread = 2, .decay = 0.01});
    sets.push_back(std::move(gen));
  }
  if (options.big > 0) {
    Dataset gen;
    gen.name = "gen128";
    gen.metric = vector::Metric::kL2;
    gen.dim = 128;
    gen.n = options.big;
    gen.nq = 200;
    gen.about =
        "generated: 128 clusters spread along 16 directions + noise; ground truth by exact scan";
    Generate(gen, 128, {.clusters = 128, .rank = 16, .noise = 0.2, .spread = 2, .decay = 0.1});
    sets.push_back(std::move(gen));
  }
  for (auto& set : sets) {
    if (set.truth.empty()) {
      const auto start = Clock::now();
      ComputeTruth(set);
      std::printf("data: %s generated and its exact top-10 computed in %.1f s\n", set.name.c_str(),
                  bench::SecondsSince(start));
    }
  }

  for (auto& set : sets) {
    if (g_interrupted) break;
    RunDataset(set, options);
  }
  if (!g_interrupted) RunHttp(sets[0], options);
  if (!g_interrupted) RunGrow(options, root);
  return g_interrupted ? 130 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::RunInScratchDir(kTool, ParseOptions(argc, argv), "bench-vectors-tmp", Run);
}
