#include "catalog/http_catalog.h"

#include "catalog/manifest_codec.h"
#include "http/http_status.h"

namespace lakehouse::catalog {

using nlohmann::json;

Result<std::unique_ptr<HttpCatalog>> HttpCatalog::Create(const http::ClientOptions& options) {
  LH_ASSIGN_OR_RETURN(auto pool, http::ClientPool::Create(options));
  return std::unique_ptr<HttpCatalog>(new HttpCatalog(std::move(pool)));
}

Result<json> HttpCatalog::Call(const std::string& method, const std::string& path,
                               const std::string& body) {
  auto lease = pool_->Acquire();
  auto result = method == "GET"      ? lease->Get(path)
                : method == "DELETE" ? lease->Delete(path)
                                     : lease->Post(path, body, "application/json");
  if (!result) {
    lease.Discard();
    return pool_->TransportError(result.error());
  }
  if (result->status < 200 || result->status >= 300) {
    return http::StatusFromHttp(result->status, result->body);
  }
  if (result->body.empty()) return json(nullptr);
  auto parsed = json::parse(result->body, nullptr, false);
  if (parsed.is_discarded()) return Status::IoError(pool_->base_url() + " answered malformed JSON");
  return parsed;
}

Result<DatasetListing> HttpCatalog::ListDatasets() {
  LH_ASSIGN_OR_RETURN(json body, Call("GET", "/v1/datasets"));
  return ListingFromJson(body);
}

Result<Manifest> HttpCatalog::GetCurrent(std::string_view name) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  LH_ASSIGN_OR_RETURN(json body, Call("GET", "/v1/datasets/" + std::string(name)));
  return ManifestFromJson(body);
}

Result<Manifest> HttpCatalog::GetVersion(std::string_view name, uint64_t version) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  LH_ASSIGN_OR_RETURN(json body, Call("GET", "/v1/datasets/" + std::string(name) + "/versions/" +
                                                 std::to_string(version)));
  return ManifestFromJson(body);
}

Result<std::vector<Manifest>> HttpCatalog::ListVersions(std::string_view name) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  LH_ASSIGN_OR_RETURN(json body, Call("GET", "/v1/datasets/" + std::string(name) + "/versions"));
  std::vector<Manifest> out;
  for (const auto& item : body.value("versions", json::array())) {
    LH_ASSIGN_OR_RETURN(auto manifest, ManifestFromJson(item));
    out.push_back(std::move(manifest));
  }
  return out;
}

Result<Manifest> HttpCatalog::Commit(const CommitRequest& request) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(request.dataset));
  LH_ASSIGN_OR_RETURN(json body, Call("POST", "/v1/datasets/" + request.dataset + "/commit",
                                      CommitRequestToJson(request).dump()));
  return ManifestFromJson(body);
}

Result<Manifest> HttpCatalog::DeleteDataset(std::string_view name) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  LH_ASSIGN_OR_RETURN(json body, Call("DELETE", "/v1/datasets/" + std::string(name)));
  (void)body;
  // DELETE answers 204; the tombstone is the newest version.
  LH_ASSIGN_OR_RETURN(auto versions, ListVersions(name));
  if (versions.empty()) return Status::NotFound("no dataset named " + std::string(name));
  return versions.back();
}

Result<VacuumReport> HttpCatalog::Vacuum(std::string_view name, uint64_t keep) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  LH_ASSIGN_OR_RETURN(json body, Call("POST", "/v1/datasets/" + std::string(name) +
                                                  "/vacuum?keep=" + std::to_string(keep)));
  VacuumReport report;
  try {
    report.removed_versions = body.at("removed_versions").get<std::vector<uint64_t>>();
    report.removed_files = body.at("removed_files").get<std::vector<std::string>>();
  } catch (const json::exception&) {
    return Status::IoError("catalogd answered a malformed vacuum report");
  }
  return report;
}

}  // namespace lakehouse::catalog
