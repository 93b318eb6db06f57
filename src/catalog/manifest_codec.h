// Manifests and tags as JSON: the exact bytes committed under _catalog/, and
// the shape served by the Datasets API.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "catalog/catalog.h"

namespace lakehouse::catalog {

nlohmann::json ManifestToJson(const Manifest& manifest);
// Rejects anything but a well-formed manifest (a corrupt object is kIoError).
Result<Manifest> ManifestFromJson(const nlohmann::json& json);
Result<Manifest> ParseManifest(std::string_view text);

nlohmann::json CommitRequestToJson(const CommitRequest& request);
Result<CommitRequest> CommitRequestFromJson(const nlohmann::json& json);

nlohmann::json SummaryToJson(const DatasetSummary& summary);
Result<DatasetSummary> SummaryFromJson(const nlohmann::json& json);

// GET /v1/datasets: {"datasets": [summary...], "damaged": [{"key", "error"}]}.
nlohmann::json ListingToJson(const DatasetListing& listing);
Result<DatasetListing> ListingFromJson(const nlohmann::json& json);

std::optional<Operation> ParseOperation(std::string_view name);

// {"tag", "version", "created"}: a tag object and an item of GET .../tags.
nlohmann::json TagToJson(const Tag& tag);
// Rejects anything but a well-formed tag with a valid name (kIoError).
Result<Tag> TagFromJson(const nlohmann::json& json);

// An erasure's rewrites: {"erasure", "files": [{"old", "new"}], "deletes":
// [{"old", "new"}]}, a deletion vector's "new" null where nothing is left. Malformed is kIoError.
nlohmann::json FileRewritesToJson(const FileRewrites& rewrites);
Result<FileRewrites> FileRewritesFromJson(const nlohmann::json& json);

}  // namespace lakehouse::catalog
