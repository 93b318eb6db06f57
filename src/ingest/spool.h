// Spools an upload's body to a scratch file, refusing on the way in what DuckDB must never read.
//
// Private to src/ingest. Refused while spooling: a body over the size limit
// (kTooLarge, before reading when its length is known), JSON too deep or
// with too many or too long keys (ingestor.h), an empty body, and JSON that
// ends with a comma. A CSV in another encoding is written as UTF-8 (a byte
// the encoding lacks is kInvalidArgument naming its line), less the lines
// the request skips (fewer lines than that is kInvalidArgument).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "ingest/ingestor.h"
#include "storage/object_store.h"

namespace lakehouse::ingest {

// The unit of writes to the spool file and of reads back from it.
inline constexpr size_t kSpoolBlock = 1 << 20;

struct Spooled {
  std::string path;    // dir/source.<csv|json|parquet>
  uint64_t bytes = 0;  // of the upload as sent
  // Set when the file differs from the upload (transcoded, or lines
  // skipped): the upload's SHA-256 (hex), taken on the way in.
  std::optional<std::string> sha256;
};

Result<Spooled> Spool(const std::string& dir, const IngestRequest& request, uint64_t max_bytes,
                      const storage::BodyProducer& body);

}  // namespace lakehouse::ingest
