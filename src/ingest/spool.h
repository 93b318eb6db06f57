// Spools an upload's body to a scratch file, refusing on the way in what DuckDB must never read.
//
// Private to src/ingest. Refused while spooling: a body over the size limit
// (kTooLarge, before reading when its length is known), JSON too deep or
// with too many or too long keys (ingestor.h), an empty body, and JSON that
// ends with a comma.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/status.h"
#include "ingest/ingestor.h"
#include "storage/object_store.h"

namespace lakehouse::ingest {

// The unit of writes to the spool file and of reads back from it.
inline constexpr size_t kSpoolBlock = 1 << 20;

struct Spooled {
  std::string path;  // dir/source.<csv|json|parquet>
  uint64_t bytes = 0;
};

Result<Spooled> Spool(const std::string& dir, const IngestRequest& request, uint64_t max_bytes,
                      const storage::BodyProducer& body);

}  // namespace lakehouse::ingest
