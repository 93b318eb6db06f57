// Dataset route handlers: listing, versions, ingest, delete, erase, compact, tags, restore, commit.
#include "server/dataset_routes.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "catalog/manifest_codec.h"
#include "catalog/restore.h"
#include "common/time_format.h"
#include "server/http_server.h"
#include "server/ingest_params.h"
#include "server/request_body.h"

namespace lakehouse::server {
namespace {

using nlohmann::json;

constexpr const char* kName = R"(/v1/datasets/([^/]+))";

Result<uint64_t> ParseUnsigned(const std::string& text, std::string_view what) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument(std::string(what) + " must be a non-negative integer, got \"" +
                                   text + "\"");
  }
  return value;
}

// A predicate is a line of SQL, not a document.
constexpr size_t kMaxPredicateBodyBytes = 64 << 10;

// The fields of each JSON body the dataset routes take.
constexpr std::string_view kTagFields[] = {"version"};
constexpr std::string_view kRestoreFields[] = {"version", "tag"};
constexpr std::string_view kWhereFields[] = {"where"};
// As catalog::CommitRequestToJson and FileRewritesToJson write them.
constexpr std::string_view kCommitFields[] = {
    "dataset", "mode",   "operation", "counts", "restored_from",   "mixed_schema",
    "erasure", "schema", "files",     "source", "expected_version"};
constexpr std::string_view kRewriteFields[] = {"erasure", "files", "deletes"};

// {"version": N} or, where `tag_allowed`, {"tag": "T"}: exactly one of them.
Result<catalog::RestoreTarget> ParseTarget(const std::string& body, bool tag_allowed) {
  LH_ASSIGN_OR_RETURN(json j,
                      ParseJsonObject(body, tag_allowed ? JsonFields(kRestoreFields) : kTagFields));
  catalog::RestoreTarget target;
  for (auto& [key, value] : j.items()) {
    if (key == "version") {
      if (!value.is_number_unsigned()) {
        return Status::InvalidArgument("\"version\" must be a non-negative integer");
      }
      target.version = value.get<uint64_t>();
    } else if (key == "tag") {
      if (!value.is_string()) return Status::InvalidArgument("\"tag\" must be a string");
      target.tag = value.get<std::string>();
    }
  }
  if (target.version && target.tag) {
    return Status::InvalidArgument("give \"version\" or \"tag\", not both");
  }
  if (!target.version && !target.tag) {
    return Status::InvalidArgument(tag_allowed ? "\"version\" or \"tag\" is required"
                                               : "\"version\" is required");
  }
  return target;
}

json DatasetJson(const catalog::Manifest& m) {
  json out = catalog::ManifestToJson(m);
  out["name"] = m.dataset;
  out["updated"] = FormatRfc3339Ms(m.created_unix_ms);
  return out;
}

void HandleIngest(ingest::Ingestor& ingestor, const httplib::Request& request,
                  httplib::Response& response, const httplib::ContentReader& reader) {
  auto parsed = IngestRequestFromQuery(request, request.matches[1]);
  if (!parsed.ok()) return WriteError(response, parsed.status());
  ingest::IngestRequest ingest = std::move(*parsed);
  auto length = ContentLength(request);
  if (!length.ok()) return WriteError(response, length.status());
  ingest.content_length = *length;
  auto result = ingestor.Ingest(ingest, StreamBody(reader));
  if (!result.ok()) {
    response.set_header("Connection", "close");  // the rest of the body may be unread
    return WriteError(response, result.status());
  }
  json body = {{"dataset", ingest.dataset},
               {"version", result->manifest.version},
               {"operation", catalog::OperationName(result->manifest.operation)},
               {"rows_added", result->rows_added},
               {"rows", result->manifest.rows}};
  if (!ingest.key.empty()) {
    body["rows_inserted"] = result->rows_added;
    body["rows_updated"] = result->rows_updated;
  }
  WriteJson(response, 201, body.dump());
}

// A body {"where": "<predicate>"}, as delete and erase take.
Result<std::string> ParseWhere(const httplib::Request& request,
                               const httplib::ContentReader& reader) {
  LH_ASSIGN_OR_RETURN(std::string body, ReadBoundedBody(request, reader, kMaxPredicateBodyBytes));
  LH_ASSIGN_OR_RETURN(json parsed, ParseJsonObject(body, kWhereFields));
  if (!parsed.contains("where") || !parsed["where"].is_string()) {
    return Status::InvalidArgument(
        "\"where\" is required: a string holding a SQL boolean expression over the dataset's "
        "columns");
  }
  return parsed["where"].get<std::string>();
}

// POST .../delete {"where": "<predicate>"}
void HandleDeleteRows(ingest::Ingestor& ingestor, const httplib::Request& request,
                      httplib::Response& response, const httplib::ContentReader& reader) {
  ingest::DeleteRowsRequest remove;
  remove.dataset = request.matches[1];
  if (Status s = catalog::ValidateDatasetName(remove.dataset); !s.ok()) {
    return WriteError(response, s);
  }
  auto where = ParseWhere(request, reader);
  if (!where.ok()) return WriteError(response, where.status());
  remove.where = std::move(*where);
  auto result = ingestor.DeleteRows(remove);
  if (!result.ok()) return WriteError(response, result.status());
  json out = {{"dataset", remove.dataset},
              {"version", result->version},
              {"rows_deleted", result->rows_deleted},
              {"rows", result->rows}};
  if (result->manifest) out["operation"] = catalog::OperationName(result->manifest->operation);
  WriteJson(response, result->manifest ? 201 : 200, out.dump());
}

// POST .../erase {"where": "<predicate>"}
void HandleErase(ingest::Ingestor& ingestor, const ErasureListener& on_erased,
                 const httplib::Request& request, httplib::Response& response,
                 const httplib::ContentReader& reader) {
  ingest::EraseRequest erase;
  erase.dataset = request.matches[1];
  if (Status s = catalog::ValidateDatasetName(erase.dataset); !s.ok()) {
    return WriteError(response, s);
  }
  auto where = ParseWhere(request, reader);
  if (!where.ok()) return WriteError(response, where.status());
  erase.where = std::move(*where);
  auto record = ingestor.Erase(erase);
  if (!record.ok()) return WriteError(response, record.status());
  if (record->rows_erased == 0) {
    return WriteJson(response, 200, json{{"dataset", erase.dataset}, {"rows_erased", 0}}.dump());
  }
  json out = ingest::ErasureToJson(*record, /*with_keys=*/false);
  if (on_erased) {
    auto indexes = on_erased(erase.dataset);
    if (!indexes.ok()) {
      return WriteError(
          response,
          Status(indexes.status().code(),
                 "the rows were erased from every version of " + erase.dataset +
                     ", but its text indexes still hold them: " + indexes.status().message() +
                     "; POST /v1/datasets/" + erase.dataset + "/indexes/reconcile to drop them"));
    }
    out["indexes"] = std::move(*indexes);
  }
  WriteJson(response, 201, out.dump());
}

// POST .../commit
void HandleCommit(catalog::Catalog& catalog, const httplib::Request& request,
                  httplib::Response& response, const httplib::ContentReader& reader) {
  auto body = ReadBoundedBody(request, reader, 64 << 20);
  if (!body.ok()) return WriteError(response, body.status());
  auto parsed = ParseJsonObject(*body, kCommitFields);
  if (!parsed.ok()) return WriteError(response, parsed.status());
  auto commit = catalog::CommitRequestFromJson(*parsed);
  if (!commit.ok()) return WriteError(response, commit.status());
  if (commit->dataset != request.matches[1].str()) {
    return WriteError(response, Status::InvalidArgument("dataset in body and path differ"));
  }
  auto manifest = catalog.Commit(*commit);
  if (!manifest.ok()) return WriteError(response, manifest.status());
  WriteJson(response, 201, catalog::ManifestToJson(*manifest).dump());
}

// POST .../rewrite-files
void HandleRewriteFiles(catalog::Catalog& catalog, const httplib::Request& request,
                        httplib::Response& response, const httplib::ContentReader& reader) {
  auto body = ReadBoundedBody(request, reader, 64 << 20);
  if (!body.ok()) return WriteError(response, body.status());
  auto parsed = ParseJsonObject(*body, kRewriteFields);
  if (!parsed.ok()) return WriteError(response, parsed.status());
  auto rewrites = catalog::FileRewritesFromJson(*parsed);
  if (!rewrites.ok()) {
    return WriteError(response, Status::InvalidArgument(rewrites.status().message()));
  }
  auto versions = catalog.RewriteFiles(request.matches[1].str(), *rewrites);
  if (!versions.ok()) return WriteError(response, versions.status());
  WriteJson(response, 200, json{{"versions", *versions}}.dump());
}

// POST .../compact
void HandleCompact(ingest::Ingestor& ingestor, const httplib::Request& request,
                   httplib::Response& response) {
  const std::string dataset = request.matches[1];
  auto result = ingestor.Compact(dataset);
  if (!result.ok()) return WriteError(response, result.status());
  json out = {{"dataset", dataset},
              {"version", result->version},
              {"files_rewritten", result->files_rewritten},
              {"files_written", result->files_written}};
  if (result->manifest) {
    out["operation"] = catalog::OperationName(result->manifest->operation);
    out["rows"] = result->manifest->rows;
  }
  WriteJson(response, result->manifest ? 201 : 200, out.dump());
}

// GET .../erasures
void HandleListErasures(ingest::Ingestor& ingestor, const httplib::Request& request,
                        httplib::Response& response) {
  const std::string name = request.matches[1].str();
  auto records = ingestor.ListErasures(name);
  if (!records.ok()) return WriteError(response, records.status());
  json list = json::array();
  for (const auto& r : *records) list.push_back(ingest::ErasureToJson(r, false));
  WriteJson(response, 200, json{{"dataset", name}, {"erasures", list}}.dump());
}

// PUT .../tags/T {"version": N}
void HandlePutTag(catalog::Catalog& catalog, const httplib::Request& request,
                  httplib::Response& response, const httplib::ContentReader& reader) {
  auto body = ReadBoundedBody(request, reader);
  if (!body.ok()) return WriteError(response, body.status());
  auto target = ParseTarget(*body, /*tag_allowed=*/false);
  if (!target.ok()) return WriteError(response, target.status());
  const std::string name = request.matches[1].str();
  const std::string tag = request.matches[2].str();
  Status put = catalog.PutTag(name, tag, *target->version);
  if (!put.ok()) return WriteError(response, put);
  WriteJson(response, 200,
            json{{"dataset", name}, {"tag", tag}, {"version", *target->version}}.dump());
}

void RegisterListingRoutes(httplib::Server& router, catalog::Catalog& catalog) {
  router.Get("/v1/datasets", [&catalog](const httplib::Request&, httplib::Response& response) {
    // Damaged manifests are listed beside the good datasets, never a 500.
    auto listing = catalog.ListDatasets();
    if (!listing.ok()) return WriteError(response, listing.status());
    WriteJson(response, 200, catalog::ListingToJson(*listing).dump());
  });
  router.Get(kName, [&catalog](const httplib::Request& request, httplib::Response& response) {
    auto manifest = catalog.GetCurrent(request.matches[1].str());
    if (!manifest.ok()) return WriteError(response, manifest.status());
    WriteJson(response, 200, DatasetJson(*manifest).dump());
  });
  router.Get(std::string(kName) + "/versions",
             [&catalog](const httplib::Request& request, httplib::Response& response) {
               auto versions = catalog.ListVersions(request.matches[1].str());
               if (!versions.ok()) return WriteError(response, versions.status());
               json list = json::array();
               for (const auto& m : *versions) list.push_back(catalog::ManifestToJson(m));
               WriteJson(response, 200, json{{"versions", list}}.dump());
             });
  router.Get(std::string(kName) + "/versions/([^/]+)",
             [&catalog](const httplib::Request& request, httplib::Response& response) {
               auto version = ParseUnsigned(request.matches[2].str(), "version");
               if (!version.ok()) return WriteError(response, version.status());
               auto manifest = catalog.GetVersion(request.matches[1].str(), *version);
               if (!manifest.ok()) return WriteError(response, manifest.status());
               WriteJson(response, 200, catalog::ManifestToJson(*manifest).dump());
             });
  router.Delete(kName, [&catalog](const httplib::Request& request, httplib::Response& response) {
    auto deleted = catalog.DeleteDataset(request.matches[1].str());
    if (!deleted.ok()) return WriteError(response, deleted.status());
    response.status = 204;
  });
  router.Post(std::string(kName) + "/vacuum",
              [&catalog](const httplib::Request& request, httplib::Response& response) {
                auto keep = ParseUnsigned(
                    request.has_param("keep") ? request.get_param_value("keep") : "", "keep");
                if (!keep.ok()) return WriteError(response, keep.status());
                auto report = catalog.Vacuum(request.matches[1].str(), *keep);
                if (!report.ok()) return WriteError(response, report.status());
                WriteJson(response, 200,
                          json{{"removed_versions", report->removed_versions},
                               {"removed_files", report->removed_files},
                               {"kept_tagged", report->kept_tagged}}
                              .dump());
              });
}

// What catalog::HttpCatalog calls: services that do not hold the catalog commit through these.
void RegisterCatalogWriteRoutes(httplib::Server& router, catalog::Catalog& catalog) {
  router.Post(std::string(kName) + "/commit",
              ConsumeBody([&catalog](const httplib::Request& request, httplib::Response& response,
                                     const httplib::ContentReader& reader) {
                HandleCommit(catalog, request, response, reader);
              }));
  router.Post(std::string(kName) + "/rewrite-files",
              ConsumeBody([&catalog](const httplib::Request& request, httplib::Response& response,
                                     const httplib::ContentReader& reader) {
                HandleRewriteFiles(catalog, request, response, reader);
              }));
}

void RegisterRowChangeRoutes(httplib::Server& router, ingest::Ingestor* ingestor,
                             const ErasureListener& on_erased) {
  router.Post(std::string(kName) + "/compact", [ingestor](const httplib::Request& request,
                                                          httplib::Response& response) {
    if (ingestor == nullptr) {
      return WriteError(response, Status::Unavailable("this process does not change datasets"));
    }
    HandleCompact(*ingestor, request, response);
  });
  router.Post(std::string(kName) + "/delete",
              ConsumeBody([ingestor](const httplib::Request& request, httplib::Response& response,
                                     const httplib::ContentReader& reader) {
                if (ingestor == nullptr) {
                  return WriteError(response,
                                    Status::Unavailable("this process does not change datasets"));
                }
                HandleDeleteRows(*ingestor, request, response, reader);
              }));
  // The listener is copied: the route outlives this function's argument.
  router.Post(std::string(kName) + "/erase",
              ConsumeBody([ingestor, on_erased](const httplib::Request& request,
                                                httplib::Response& response,
                                                const httplib::ContentReader& reader) {
                if (ingestor == nullptr) {
                  return WriteError(response,
                                    Status::Unavailable("this process does not change datasets"));
                }
                HandleErase(*ingestor, on_erased, request, response, reader);
              }));
  router.Get(std::string(kName) + "/erasures", [ingestor](const httplib::Request& request,
                                                          httplib::Response& response) {
    if (ingestor == nullptr) {
      return WriteError(response, Status::Unavailable("this process does not change datasets"));
    }
    HandleListErasures(*ingestor, request, response);
  });
}

void RegisterTagAndRestoreRoutes(httplib::Server& router, catalog::Catalog& catalog) {
  router.Get(std::string(kName) + "/tags",
             [&catalog](const httplib::Request& request, httplib::Response& response) {
               const std::string name = request.matches[1].str();
               auto tags = catalog.ListTags(name);
               if (!tags.ok()) return WriteError(response, tags.status());
               json list = json::array();
               for (const auto& tag : *tags) list.push_back(catalog::TagToJson(tag));
               WriteJson(response, 200, json{{"dataset", name}, {"tags", list}}.dump());
             });
  router.Put(std::string(kName) + "/tags/([^/]+)",
             ConsumeBody([&catalog](const httplib::Request& request, httplib::Response& response,
                                    const httplib::ContentReader& reader) {
               HandlePutTag(catalog, request, response, reader);
             }));
  router.Delete(std::string(kName) + "/tags/([^/]+)",
                [&catalog](const httplib::Request& request, httplib::Response& response) {
                  const std::string name = request.matches[1].str();
                  const std::string tag = request.matches[2].str();
                  Status deleted = catalog.DeleteTag(name, tag);
                  if (!deleted.ok()) return WriteError(response, deleted);
                  WriteJson(response, 200, json{{"dataset", name}, {"tag", tag}}.dump());
                });
  router.Post(std::string(kName) + "/restore",
              ConsumeBody([&catalog](const httplib::Request& request, httplib::Response& response,
                                     const httplib::ContentReader& reader) {
                auto body = ReadBoundedBody(request, reader);
                if (!body.ok()) return WriteError(response, body.status());
                auto target = ParseTarget(*body, /*tag_allowed=*/true);
                if (!target.ok()) return WriteError(response, target.status());
                auto manifest = catalog::Restore(catalog, request.matches[1].str(), *target);
                if (!manifest.ok()) return WriteError(response, manifest.status());
                WriteJson(response, 200, catalog::ManifestToJson(*manifest).dump());
              }));
}

void RegisterIngestRoute(httplib::Server& router, ingest::Ingestor* ingestor) {
  router.Post(std::string(kName) + "/ingest",
              ConsumeBody([ingestor](const httplib::Request& request, httplib::Response& response,
                                     const httplib::ContentReader& reader) {
                if (ingestor == nullptr) {
                  return WriteError(response, Status::Unavailable("this process does not ingest"));
                }
                HandleIngest(*ingestor, request, response, reader);
              }));
}

}  // namespace

// Each route's path pattern is distinct, so the order of the groups does not matter.
void RegisterDatasetRoutes(httplib::Server& router, catalog::Catalog& catalog,
                           ingest::Ingestor* ingestor, const ErasureListener& on_erased) {
  RegisterListingRoutes(router, catalog);
  RegisterCatalogWriteRoutes(router, catalog);
  RegisterRowChangeRoutes(router, ingestor, on_erased);
  RegisterTagAndRestoreRoutes(router, catalog);
  RegisterIngestRoute(router, ingestor);
}

}  // namespace lakehouse::server
