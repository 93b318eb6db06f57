// HttpCatalog: each Catalog call as a request to catalogd's Datasets routes, JSON decoded back.
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
                : method == "PUT"    ? lease->Put(path, body, "application/json")
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
  if (versions.empty()) return DatasetNotFound(name);
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
    // Older catalogds answer without it.
    report.kept_tagged = body.value("kept_tagged", std::vector<uint64_t>());
  } catch (const json::exception&) {
    return Status::IoError("catalogd answered a malformed vacuum report");
  }
  return report;
}

namespace {
std::string TagPath(std::string_view name, std::string_view tag) {
  // Valid names and tags need no escaping in a path.
  return "/v1/datasets/" + std::string(name) + "/tags/" + std::string(tag);
}
}  // namespace

Status HttpCatalog::PutTag(std::string_view name, std::string_view tag, uint64_t version) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  LH_RETURN_IF_ERROR(ValidateTagName(tag));
  return Call("PUT", TagPath(name, tag), json{{"version", version}}.dump()).status();
}

Result<std::vector<Tag>> HttpCatalog::ListTags(std::string_view name) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  LH_ASSIGN_OR_RETURN(json body, Call("GET", "/v1/datasets/" + std::string(name) + "/tags"));
  auto items = body.is_object() ? body.find("tags") : body.end();
  if (items == body.end() || !items->is_array()) {
    return Status::IoError("catalogd answered a malformed tag listing");
  }
  std::vector<Tag> tags;
  for (const auto& item : *items) {
    LH_ASSIGN_OR_RETURN(auto tag, TagFromJson(item));
    tags.push_back(std::move(tag));
  }
  return tags;
}

Result<uint64_t> HttpCatalog::GetTag(std::string_view name, std::string_view tag) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  LH_RETURN_IF_ERROR(ValidateTagName(tag));
  auto no_such_tag = [&] {
    return Status::NotFound("dataset " + std::string(name) + " has no tag \"" + std::string(tag) +
                            "\"");
  };
  auto tags = ListTags(name);
  // An unknown dataset has no tags either: answered as StoreCatalog does.
  if (!tags.ok() && tags.status().code() == StatusCode::kNotFound) return no_such_tag();
  if (!tags.ok()) return tags.status();
  for (const auto& t : *tags) {
    if (t.tag == tag) return t.version;
  }
  return no_such_tag();
}

Status HttpCatalog::DeleteTag(std::string_view name, std::string_view tag) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  LH_RETURN_IF_ERROR(ValidateTagName(tag));
  return Call("DELETE", TagPath(name, tag)).status();
}

Result<std::vector<uint64_t>> HttpCatalog::RewriteFiles(std::string_view name,
                                                        const FileRewrites& rewrites) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  LH_ASSIGN_OR_RETURN(json body,
                      Call("POST", "/v1/datasets/" + std::string(name) + "/rewrite-files",
                           FileRewritesToJson(rewrites).dump()));
  try {
    return body.at("versions").get<std::vector<uint64_t>>();
  } catch (const json::exception&) {
    return Status::IoError("catalogd answered a malformed rewrite report");
  }
}

}  // namespace lakehouse::catalog
