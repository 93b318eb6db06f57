// The in-process parts `serve` wires together, over a temp directory: store,
// catalog, ingestor and query engine, for tests that exercise them directly.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "catalog/store_catalog.h"
#include "ingest/ingestor.h"
#include "query/query_engine.h"
#include "storage/local_object_store.h"
#include "testing/temp_dir.h"
#include "testing/test_data.h"

namespace lakehouse::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class EmbeddedLakehouse {
 public:
  explicit EmbeddedLakehouse(uint64_t max_ingest_bytes = 64ull << 20, int timeout_ms = 30000) {
    auto store = storage::LocalObjectStore::Open({dir_.path() + "/objects", 1ull << 30});
    if (!store.ok()) throw std::runtime_error(store.status().ToString());
    store_ = std::move(*store);
    catalog_ = std::make_unique<catalog::StoreCatalog>(*store_);
    ingest::IngestOptions ingest_options;
    ingest_options.scratch_dir = dir_.path() + "/scratch/ingest";
    ingest_options.max_bytes = max_ingest_bytes;
    auto ingestor = ingest::Ingestor::Open(ingest_options, *store_, *catalog_);
    if (!ingestor.ok()) throw std::runtime_error(ingestor.status().ToString());
    ingestor_ = std::move(*ingestor);
    query::QueryEngineOptions query_options;
    query_options.scratch_dir = dir_.path() + "/scratch/query";
    query_options.timeout_ms = timeout_ms;
    query_options.connections = 4;
    auto engine = query::QueryEngine::Open(query_options, *catalog_, *store_);
    if (!engine.ok()) throw std::runtime_error(engine.status().ToString());
    engine_ = std::move(*engine);
  }

  Result<ingest::IngestResult> Ingest(const std::string& dataset, const std::string& bytes,
                                      ingest::Format format = ingest::Format::kCsv,
                                      catalog::WriteMode mode = catalog::WriteMode::kAppend,
                                      const std::string& file_name = "upload.csv",
                                      bool evolve = false) {
    ingest::IngestRequest request;
    request.evolve_schema = evolve;
    request.dataset = dataset;
    request.format = format;
    request.mode = mode;
    request.file_name = file_name;
    return ingestor_->Ingest(request, [&](const storage::ChunkWriter& write) {
      // Several chunks, as over the network.
      for (size_t at = 0; at < bytes.size(); at += 65536) {
        LH_RETURN_IF_ERROR(write(std::string_view(bytes).substr(at, 65536)));
      }
      return Status::Ok();
    });
  }

  // Any request, its body sent in pieces of `piece` bytes.
  Result<ingest::IngestResult> IngestWith(ingest::IngestRequest request, const std::string& bytes,
                                          size_t piece = 65536) {
    if (request.file_name.empty()) request.file_name = "upload.csv";
    return ingestor_->Ingest(request, [&](const storage::ChunkWriter& write) {
      for (size_t at = 0; at < bytes.size(); at += piece) {
        LH_RETURN_IF_ERROR(write(std::string_view(bytes).substr(at, piece)));
      }
      return Status::Ok();
    });
  }

  // An upsert of a CSV by `key` (comma-separated columns).
  Result<ingest::IngestResult> Upsert(const std::string& dataset, const std::string& csv,
                                      std::vector<std::string> key, bool evolve = false) {
    ingest::IngestRequest request;
    request.dataset = dataset;
    request.file_name = "upsert.csv";
    request.key = std::move(key);
    request.evolve_schema = evolve;
    return ingestor_->Ingest(request,
                             [&](const storage::ChunkWriter& write) { return write(csv); });
  }

  Result<ingest::DeleteRowsResult> DeleteRows(const std::string& dataset,
                                              const std::string& where) {
    return ingestor_->DeleteRows({dataset, where});
  }

  // Runs a query and returns its JSON text: {"columns":..., "rows":[...]}.
  Result<std::string> QueryJson(const std::string& sql, size_t limit = 100000,
                                std::map<std::string, uint64_t> as_of = {},
                                std::map<std::string, uint64_t>* versions = nullptr,
                                bool* truncated = nullptr) {
    query::QueryRequest request{sql, limit, std::move(as_of)};
    LH_ASSIGN_OR_RETURN(auto cursor, engine_->Execute(request));
    std::string rows;
    while (true) {
      LH_ASSIGN_OR_RETURN(bool more, cursor->NextJson(rows));
      if (!more) break;
    }
    if (versions != nullptr) *versions = cursor->versions();
    if (truncated != nullptr) *truncated = cursor->truncated();
    return "[" + rows + "]";
  }

  const std::string& dir() const { return dir_.path(); }
  storage::LocalObjectStore& store() { return *store_; }
  catalog::StoreCatalog& catalog() { return *catalog_; }
  query::QueryEngine& engine() { return *engine_; }
  ingest::Ingestor& ingestor() { return *ingestor_; }

  // Every object key under a prefix.
  std::vector<std::string> Keys(const std::string& prefix) {
    std::vector<std::string> keys;
    storage::ListOptions options;
    options.prefix = prefix;
    auto page = store_->List(options);
    if (page.ok()) {
      for (const auto& o : page->objects) keys.push_back(o.key);
    }
    return keys;
  }

 private:
  TempDir dir_;
  std::unique_ptr<storage::LocalObjectStore> store_;
  std::unique_ptr<catalog::StoreCatalog> catalog_;
  std::unique_ptr<ingest::Ingestor> ingestor_;
  std::unique_ptr<query::QueryEngine> engine_;
};

}  // namespace lakehouse::testing
