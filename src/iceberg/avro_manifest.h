// Iceberg format-version 2 manifests and manifest lists as the Avro object
// container files engines read: the spec's schemas, with every field id.
//
// The schema embedded in each file is the spec's own, written as Iceberg's
// Java library writes it: `field-id` on every field, `element-id` on lists,
// maps with int keys as arrays of {key, value} records marked
// "logicalType": "map", optional fields as ["null", T] defaulting to null.
// Tables are unpartitioned: the `partition` struct is empty, the partition
// spec "[]" with id 0, and no manifest has partition summaries.
//
// Output is deterministic: equal input gives equal bytes (the sync marker is
// derived from the content, not drawn at random). The files are uncompressed
// ("null" codec) and hold at most one data block; with nothing to list they
// hold the header alone, which is still a valid, empty file.
//
// Errors: kInvalidArgument when an entry's file content disagrees with the
// manifest's (a manifest lists data files or delete files, never both);
// kInternal when Avro C fails (out of memory, or a bug here), with its
// message. Pure functions: safe to call from any thread at once. Avro C keeps
// its last error text in one process-wide buffer, so if two calls fail at
// the same moment, one message may be the other's.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "iceberg/table_model.h"

namespace lakehouse::iceberg {

// A manifest file (Avro object container) listing `entries`.
Result<std::string> EncodeManifest(const ManifestHeader& header,
                                   const std::vector<ManifestEntry>& entries);

// A manifest list file listing `manifests`.
Result<std::string> EncodeManifestList(const ManifestListHeader& header,
                                       const std::vector<ManifestListEntry>& manifests);

}  // namespace lakehouse::iceberg
