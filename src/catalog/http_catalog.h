// The Catalog as a client of catalogd over HTTP (the Datasets routes), for
// services running in their own processes. Thread-safe: calls share a pool
// of keep-alive connections (http/client_pool.h) and hold no other state.
#pragma once

#include <memory>

#include <nlohmann/json.hpp>
#include "catalog/catalog.h"

#include "http/client_pool.h"

namespace lakehouse::catalog {

class HttpCatalog final : public Catalog {
 public:
  static Result<std::unique_ptr<HttpCatalog>> Create(const http::ClientOptions& options);

  Result<DatasetListing> ListDatasets() override;
  Result<Manifest> GetCurrent(std::string_view name) override;
  Result<Manifest> GetVersion(std::string_view name, uint64_t version) override;
  Result<std::vector<Manifest>> ListVersions(std::string_view name) override;
  Result<Manifest> Commit(const CommitRequest& request) override;
  Result<Manifest> DeleteDataset(std::string_view name) override;
  Result<VacuumReport> Vacuum(std::string_view name, uint64_t keep) override;
  Status PutTag(std::string_view name, std::string_view tag, uint64_t version) override;
  Result<std::vector<Tag>> ListTags(std::string_view name) override;
  // Through the listing: there is no route for one tag.
  Result<uint64_t> GetTag(std::string_view name, std::string_view tag) override;
  Status DeleteTag(std::string_view name, std::string_view tag) override;
  Result<std::vector<uint64_t>> RewriteFiles(std::string_view name,
                                             const FileRewrites& rewrites) override;

 private:
  explicit HttpCatalog(std::unique_ptr<http::ClientPool> pool) : pool_(std::move(pool)) {}
  // Sends a request and returns the parsed JSON body of a 2xx answer.
  Result<nlohmann::json> Call(const std::string& method, const std::string& path,
                              const std::string& body = "");

  std::unique_ptr<http::ClientPool> pool_;
};

}  // namespace lakehouse::catalog
