// Compaction of a dataset version: the same rows in fewer, larger files,
// with the rows its deletion vectors remove left out. A minor compaction
// merges only the small files that upserts add, so that a dataset changed
// by many small upserts is not read as hundreds of tiny files.
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
  // A minor compaction when set: only the small files (under file_bytes /
  // kSmallFileDivisor, such as each upsert adds) are merged, with their
  // deletes, and only once there are at least this many; larger files and
  // their deletion vectors stay as they are. 0: a full compaction.
  size_t min_small_files = 0;
};

inline constexpr uint64_t kSmallFileDivisor = 16;

Result<CompactResult> CompactDataset(const RowChangeContext& context,
                                     const CompactionRequest& request);

}  // namespace lakehouse::ingest
