// ingest: failures retold for the client. A full disk is kNoSpace (507)
// whichever layer noticed it — our own writes by errno, DuckDB's only by its
// message text — and no message names a path on the server: the path goes to
// the log, the client hears about "the upload".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse::ingest {

struct IngestRequest;

// The name the client gave the upload, for messages: its file name, else
// "the upload".
std::string UploadName(const IngestRequest& request);

// The status for a full disk: "the server's disk is full: cannot <doing>".
Status DiskFull(std::string_view doing);

// An errno failure of ours on a scratch file: kNoSpace for ENOSPC and EDQUOT,
// else the errno's status with `doing` and the errno text. The path is
// logged, never put in the message.
Status ScratchFailure(int err, std::string_view doing, const std::string& path);

// Whether an error text (DuckDB's: it reports errno only as text) says a disk
// or quota is full, including DuckDB's "failed to offload data block", which
// means its spill directory's disk is full.
bool MentionsFullDisk(std::string_view text);

// Whether the filesystem holding `dir` has fewer than `bytes` available to
// unprivileged writers. False when it cannot tell.
bool HasLessFreeThan(const std::string& dir, uint64_t bytes);

// `text` with every path that starts with `dir` (up to the next quote,
// space, colon or end) replaced by `replacement`.
std::string RedactPathsUnder(std::string text, std::string_view dir, std::string_view replacement);

}  // namespace lakehouse::ingest
