// Compaction of a dataset version: the same rows in fewer, larger files,
// with the rows its deletion vectors remove left out.
//
// Order of operations: the new files are written under fresh keys, then a
// catalog replace computed from the current version commits them in place
// of the files they rewrite (files that need no rewriting stay as they
// are). A crash before the commit leaves unreferenced files that vacuum
// sweeps; earlier versions keep their own files, so time travel is
// untouched. A lost race removes the new files and compacts again.
#pragma once

#include <string>

#include "ingest/ingestor.h"
#include "ingest/row_changes.h"

namespace lakehouse::ingest {

struct CompactionRequest {
  std::string dataset;
  uint64_t file_bytes = 128ull << 20;  // the size to write files of
  std::string work_dir;                // scratch space of this compaction alone
};

Result<CompactResult> CompactDataset(const RowChangeContext& context,
                                     const CompactionRequest& request);

}  // namespace lakehouse::ingest
