// Where engines find a table's objects: the full location of an object key,
// as Iceberg metadata names it.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "iceberg/table_publisher.h"
#include "storage/object_store.h"

namespace lakehouse::iceberg {

// `configured` (the `[iceberg] location` setting), when set: it + "/" + key,
// for engines that see the store's root there (an S3 URI, a mount, an HTTP
// server). Otherwise a store keeping objects on this machine gives
// "file://" + the object's path, percent-encoded (the local backend names
// directories `<segment>%2F`, so a `%` in a path is encoded as %25); an S3
// bucket gives "s3://<bucket>/<key>". A store that is neither (storaged over
// HTTP) has no location engines can read: kInvalidArgument saying to set it.
// `store` must outlive the answer.
Result<LocationOf> LocationsFor(const storage::ObjectStore& store, std::string_view configured,
                                std::string_view s3_bucket);

// "file://" + `path` with every byte but unreserved ones and '/' percent-encoded.
std::string FileUri(std::string_view path);

}  // namespace lakehouse::iceberg
