// The writer claim: which one of the processes sharing a store writes `_vectors/`.
//
// Private to src/vector. The claim is the object VectorService::kWriterKey,
// put if absent; vector_service.h gives the rules (who wins, who follows,
// when a claim left by a crash is taken back).
#pragma once

#include <string>

#include "common/status.h"
#include "storage/object_store.h"
#include "vector/vector_service.h"

namespace lakehouse::vector {

// What this process is after claiming.
struct WriterClaim {
  bool read_only = false;
  std::string writer;  // the holder's id as its claim names it (ours when we write)
  std::string token;   // this process's claim, to release only our own
};

// Claims the writer role for `writer_id` (empty: "pid <n>") as `role`
// allows, or learns who holds it. `claim` is filled in as it goes, so that
// after a failure it still says what was attempted: a put that reported an
// error may yet have stored our claim, and ReleaseWriterClaim removes it.
Status TakeWriterClaim(storage::ObjectStore& store, VectorRole role, const std::string& writer_id,
                       WriterClaim& claim);

// Deletes the claim object if it is still ours (same token); a no-op for a
// reader or when another process took the claim over.
void ReleaseWriterClaim(storage::ObjectStore& store, const WriterClaim& claim);

}  // namespace lakehouse::vector
