// ingest: a file in (CSV, JSON, Parquet), a new dataset version out.
//
// The body is spooled to a scratch file (and hashed while DuckDB reads it),
// DuckDB converts it to one zstd Parquet file, the file is stored under a
// fresh key below catalog::DataFilePrefix, and then the version is committed.
// On any failure nothing is committed and the data object is removed again.
//
// Append rules: column names must match the dataset's, in order. A CSV is
// read with the dataset's column types, so a value that does not fit is an
// error naming its line. JSON and Parquet columns are cast to the dataset's
// type when that is safe: a narrower integer to a wider one or to DOUBLE,
// FLOAT to DOUBLE, DATE to TIMESTAMP, anything to VARCHAR. Anything else is
// kUnprocessable naming the column; an overwrite replaces the schema.
//
// What is refused before DuckDB decides anything: JSON nested deeper than
// kMaxJsonDepth, with a key longer than kMaxIngestJsonKeyBytes or with more
// than kMaxIngestJsonKeys distinct keys (kUnprocessable naming the line and
// byte; checked while spooling, so DuckDB never sees such a file); a CSV
// record whose field count differs from the first record's (kInvalidArgument
// naming its line). A CSV is never read with skipped lines, comments or a
// different column count than its first record, and the rows stored must be
// exactly the file's records less its header, else kUnprocessable.
//
// A full disk, ours or DuckDB's, is kNoSpace. No error message names a server
// path; paths are logged.
//
// Open settles erasures a crash interrupted (erasure.h); when storage does
// not answer yet, each change (and ListErasures) tries again first, and
// fails while that fails.
//
// Thread-safe: Ingest may be called concurrently; each call works in its own
// scratch directory. The store and catalog must outlive the Ingestor.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "ingest/erasure.h"
#include "storage/object_store.h"

namespace lakehouse::ingest {

enum class Format { kCsv, kJson, kParquet };
Result<Format> ParseFormat(std::string_view name);
// The format a file name suggests (by extension), if any.
std::optional<Format> FormatFromFileName(std::string_view file_name);

struct IngestRequest;
// The CSV options of `request` (a copy with the encoding's name made
// canonical), or kInvalidArgument naming the option and what it accepts.
// Ingest checks them too; a server checks them before reading a body.
Result<IngestRequest> ValidateCsvOptions(IngestRequest request);
// The encodings accepted, canonical names first (aliases map onto them).
std::string AcceptedEncodings();

struct IngestOptions {
  std::string scratch_dir;  // on the store's filesystem when the store is local
  uint64_t max_bytes = 5ull << 30;
  uint64_t compact_file_bytes = 128ull << 20;  // what Compact writes files of
  // After an upsert, a minor compaction (compaction.h) once the dataset has
  // this many small files; 0: never.
  size_t auto_compact_small_files = 8;
  int threads = 2;
  std::string memory_limit = "2GB";
  // Makes the directory one ingest works in, below scratch_dir, and returns
  // its path; unset, a fresh "ingest-<random>". The ingest writes
  // source.<csv|json|parquet> and data.parquet there (following symlinks)
  // and removes the directory when done. Tests substitute a directory whose
  // files cannot be written, to see a full disk handled.
  std::function<Result<std::string>(const std::string& scratch_dir)> make_work_dir = nullptr;
};

// Shapes of JSON refused before DuckDB reads it (beside kMaxJsonDepth).
inline constexpr size_t kMaxIngestJsonKeyBytes = 4096;
inline constexpr size_t kMaxIngestJsonKeys = 50000;

struct IngestRequest {
  std::string dataset;
  Format format = Format::kCsv;
  catalog::WriteMode mode = catalog::WriteMode::kAppend;
  std::string file_name;                   // recorded as the version's source
  std::optional<uint64_t> content_length;  // when known: 413 before reading
  // CSV dialect overrides; detected from the file when absent.
  std::optional<char> delimiter;
  std::optional<bool> header;
  // More CSV options (ValidateCsvOptions says what is accepted). The text
  // standing for NULL; the file's encoding, transcoded to UTF-8 while
  // spooling (empty: UTF-8); lines before the header to drop (notes an
  // export puts first), still counted in the line numbers errors give; and
  // strptime formats for DATE and TIMESTAMP values.
  std::optional<std::string> null_string;
  std::string encoding;
  uint64_t skip_lines = 0;
  std::optional<std::string> date_format;
  std::optional<std::string> timestamp_format;
  // A plain append whose bytes equal the current version's source (the
  // same export sent twice) is kConflict naming that version, unless forced.
  bool force = false;
  // An upsert when set (with mode kAppend): the upload's rows replace the
  // current version's rows with the same values in these columns, and the
  // rest are inserted. Every key column must be a column of the dataset
  // (else kInvalidArgument naming it); a NULL key or a key twice in the
  // upload is kUnprocessable naming the key and its line. The rows replaced
  // are marked deleted (row_changes.h), so only the upload is written.
  std::vector<std::string> key;
  // With mode kAppend (or an upsert): columns are matched by name; columns
  // new to the dataset are added at its end (earlier rows read NULL),
  // columns the upload lacks are NULL in its rows, and a column whose upload
  // type is a wider integer, or DOUBLE over FLOAT, widens the dataset's.
  // Anything else that does not fit is kUnprocessable naming the column.
  // The version records that its files' schemas differ (mixed_schema).
  bool evolve_schema = false;
};

// Removes the rows of the current version that `where` holds for: a SQL
// boolean expression over the dataset's columns, checked by the query fence
// (query/sql_fence.h, CheckPredicate) before anything runs.
struct DeleteRowsRequest {
  std::string dataset;
  std::string where;
};

struct IngestResult {
  catalog::Manifest manifest;
  uint64_t rows_added = 0;    // rows inserted
  uint64_t rows_updated = 0;  // an upsert's rows that replaced stored ones
};

struct CompactResult {
  std::optional<catalog::Manifest> manifest;  // unset: nothing to rewrite
  uint64_t version = 0;                       // the new version, or the current one
  uint64_t files_rewritten = 0;
  uint64_t files_written = 0;
};

struct DeleteRowsResult {
  // The new version; unset when no row matched (then no version was made).
  std::optional<catalog::Manifest> manifest;
  uint64_t version = 0;  // the new version, or the current one
  uint64_t rows_deleted = 0;
  uint64_t rows = 0;  // rows of `version`
};

class Ingestor {
 public:
  static Result<std::unique_ptr<Ingestor>> Open(const IngestOptions& options,
                                                storage::ObjectStore& store,
                                                catalog::Catalog& catalog);
  virtual ~Ingestor() = default;
  virtual Result<IngestResult> Ingest(const IngestRequest& request,
                                      const storage::BodyProducer& body) = 0;
  // kNotFound for an unknown dataset; a predicate the fence refuses is
  // kPermissionDenied or kInvalidArgument naming the problem, one DuckDB
  // cannot apply (an unknown column) kInvalidArgument.
  virtual Result<DeleteRowsResult> DeleteRows(const DeleteRowsRequest& request) = 0;
  // A new version, operation compact, with the same rows: the files with
  // deletes and the files under half of compact_file_bytes are rewritten
  // into files of about compact_file_bytes, in the dataset's schema. When
  // there is nothing to rewrite (at most one small file and no deletes), no
  // version is made. A race lost to another writer is computed again.
  virtual Result<CompactResult> Compact(const std::string& dataset) = 0;
  // Removes the rows `where` holds for from every kept version, down to
  // the stored bytes (erasure.h). The predicate is checked as DeleteRows'
  // is. Erasures take turns; interrupted ones were settled by Open.
  virtual Result<ErasureRecord> Erase(const EraseRequest& request) = 0;
  // The dataset's erasure log, oldest first (empty for a dataset never erased).
  virtual Result<std::vector<ErasureRecord>> ListErasures(const std::string& dataset) = 0;
};

}  // namespace lakehouse::ingest
