// The ingestor: spool, check, convert with DuckDB, store, commit.
#include "ingest/ingestor.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <random>

#include "common/json_depth.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "common/sql_quote.h"
#include "ingest/compaction.h"
#include "ingest/csv_records.h"
#include "ingest/failures.h"
#include "ingest/random_id.h"
#include "ingest/row_changes.h"
#include "query/duckdb_handles.h"
#include "query/sql_fence.h"

namespace lakehouse::ingest {
namespace {

constexpr size_t kSpoolBlock = 1 << 20;

// A scratch directory removed with everything in it.
class ScratchDir {
 public:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The SHA-256 of a file, as hex.
Result<std::string> Sha256OfFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ScratchFailure(errno, "reread the spooled upload", path);
  Sha256Stream hash;
  std::unique_ptr<char[]> buffer(new char[kSpoolBlock]);
  while (true) {
    ssize_t n = ::read(fd, buffer.get(), kSpoolBlock);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status error = ScratchFailure(errno, "reread the spooled upload", path);
      ::close(fd);
      return error;
    }
    if (n == 0) break;
    Status hashed = hash.Update(std::string_view(buffer.get(), static_cast<size_t>(n)));
    if (!hashed.ok()) {
      ::close(fd);
      return hashed;
    }
  }
  ::close(fd);
  return hash.FinishHex();
}

bool IsInteger(const std::string& t) {
  return t == "TINYINT" || t == "SMALLINT" || t == "INTEGER" || t == "BIGINT" || t == "UTINYINT" ||
         t == "USMALLINT" || t == "UINTEGER" || t == "UBIGINT" || t == "HUGEINT";
}

int IntegerRank(const std::string& t) {
  if (t == "TINYINT" || t == "UTINYINT") return 1;
  if (t == "SMALLINT" || t == "USMALLINT") return 2;
  if (t == "INTEGER" || t == "UINTEGER") return 3;
  if (t == "BIGINT" || t == "UBIGINT") return 4;
  return 5;
}

// Whether a column of type `from` may be appended to one of type `to`.
bool SafeWidening(const std::string& from, const std::string& to) {
  if (from == to || to == "VARCHAR") return true;
  if (IsInteger(from) && IsInteger(to)) {
    bool from_unsigned = from.front() == 'U';
    bool to_unsigned = to.front() == 'U';
    if (from_unsigned == to_unsigned) return IntegerRank(from) <= IntegerRank(to);
    return from_unsigned && IntegerRank(from) < IntegerRank(to);  // u32 fits i64
  }
  if (IsInteger(from) && to == "DOUBLE") return true;
  if (from == "FLOAT" && to == "DOUBLE") return true;
  if (from == "DATE" && to == "TIMESTAMP") return true;
  return false;
}

// The type a dataset column of type `stored` takes to hold an upload column
// of type `uploaded` too, when schema evolution may widen it: a wider
// integer of the same signedness, or DOUBLE over FLOAT. Never VARCHAR: text
// in a number column is an error to report, not a schema to adopt.
std::optional<std::string> WidenedType(const std::string& stored, const std::string& uploaded) {
  if (SafeWidening(uploaded, stored) && stored != "VARCHAR") return stored;
  if (stored == uploaded) return stored;
  if (IsInteger(stored) && IsInteger(uploaded) && stored.front() == uploaded.front() &&
      IntegerRank(stored) < IntegerRank(uploaded)) {
    return uploaded;
  }
  if (stored == "FLOAT" && uploaded == "DOUBLE") return uploaded;
  return std::nullopt;
}

constexpr int kMaxEvolveAttempts = 50;

// The last byte of a file that is not JSON whitespace, if any.
std::optional<char> LastNonSpace(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  off_t end = ::lseek(fd, 0, SEEK_END);
  char buffer[4096];
  std::optional<char> last;
  while (end > 0 && !last) {
    off_t start = std::max<off_t>(0, end - static_cast<off_t>(sizeof buffer));
    ssize_t n = ::pread(fd, buffer, static_cast<size_t>(end - start), start);
    if (n != static_cast<ssize_t>(end - start)) break;
    for (ssize_t i = n - 1; i >= 0; --i) {
      char c = buffer[i];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        last = c;
        break;
      }
    }
    end = start;
  }
  ::close(fd);
  return last;
}

// The name the client gave the upload, for messages.
std::string UploadName(const IngestRequest& request) {
  return request.file_name.empty() ? "the upload" : request.file_name;
}

const char* FormatName(Format format) {
  static constexpr const char* kNames[] = {"CSV", "JSON", "Parquet"};
  return kNames[static_cast<int>(format)];
}

// A DuckDB failure with less than this free on the scratch disk is taken for
// a full disk even when its text does not say so (DuckDB may have removed its
// partial file before we look, so the margin is generous).
constexpr uint64_t kNearlyFullBytes = 64ull << 20;

// The dialect DuckDB's sniffer settled on, and what it implies.
struct CsvPlan {
  CsvDialect dialect;
  bool header = true;
  size_t fields = 0;       // of the first record
  uint64_t data_rows = 0;  // records less the header
};

// A record with a different field count than the first record's.
Status RaggedRow(const CsvShape& shape, const IngestRequest& request) {
  return Status::InvalidArgument(
      "cannot read " + UploadName(request) + " as CSV: line " + std::to_string(shape.ragged->line) +
      " has " + std::to_string(shape.ragged->fields) + " fields but line " +
      std::to_string(shape.first->line) + " has " + std::to_string(shape.first->fields) +
      " (every row needs as many fields as the first)");
}

// One of the sniffer's characters: "(empty)" stands for none.
std::optional<char> SniffedChar(const char* value) {
  if (value == nullptr || std::string_view(value) == "(empty)" || value[0] == '\0') {
    return std::nullopt;
  }
  return value[0];
}

std::string CharOption(std::optional<char> c) { return SqlString(c ? std::string(1, *c) : ""); }

class IngestorImpl final : public Ingestor {
 public:
  IngestorImpl(const IngestOptions& options, storage::ObjectStore& store, catalog::Catalog& catalog)
      : options_(options), store_(store), catalog_(catalog) {}

  Status Init() {
    std::error_code ec;
    std::filesystem::create_directories(options_.scratch_dir, ec);
    if (ec) return Status::FromErrno(ec.value(), "create " + options_.scratch_dir);
    // Leftovers of an ingest that a crash interrupted.
    for (const auto& entry : std::filesystem::directory_iterator(options_.scratch_dir, ec)) {
      if (entry.path().filename().string().starts_with("ingest-")) {
        std::filesystem::remove_all(entry.path(), ec);
      }
    }
    query::Config config;
    duckdb_create_config(config.out());
    char* error = nullptr;
    if (duckdb_open_ext(nullptr, database_.out(), config.get(), &error) != DuckDBSuccess) {
      std::string message = error ? error : "unknown";
      duckdb_free(error);
      return Status::Internal("cannot open DuckDB: " + message);
    }
    query::Connection setup;
    duckdb_connect(database_.get(), setup.out());
    LH_ASSIGN_OR_RETURN(files_, query::DataFileCache::Open({.dir = options_.scratch_dir + "/files",
                                                            .max_bytes = options_.max_bytes},
                                                           store_));
    LH_RETURN_IF_ERROR(query::RegisterDatasetScan(setup.get(), deletion_sets_));
    LH_ASSIGN_OR_RETURN(auto fence, query::SqlFence::Open(setup.get()));
    fence_.emplace(std::move(fence));
    // Ingest SQL is ours, but the file content is not: fence this database to
    // the scratch directory (and, on a local store, the data files a change
    // reads) too.
    std::string allowed = SqlString(options_.scratch_dir + "/");
    if (auto data_file = store_.LocalPathOf(catalog::DataFilePrefix("probe") + "file")) {
      allowed +=
          ", " +
          SqlString(std::filesystem::path(*data_file).parent_path().parent_path().string() + "/");
    }
    for (const std::string& sql :
         {"SET threads = " + std::to_string(options_.threads),
          "SET memory_limit = " + SqlString(options_.memory_limit),
          "SET temp_directory = " + SqlString(options_.scratch_dir + "/spill"),
          std::string("SET autoinstall_known_extensions = false"),
          std::string("SET autoload_known_extensions = false"),
          "SET allowed_directories = [" + allowed + "]",
          std::string("SET enable_external_access = false"),
          std::string("SET lock_configuration = true")}) {
      LH_RETURN_IF_ERROR(query::Exec(setup.get(), sql));
    }
    // Storage may not answer yet (catalogd before storaged): then every
    // change tries again first, and refuses until it is done.
    if (Status recovered = EnsureRecovered(); !recovered.ok()) {
      spdlog::warn("ingest: interrupted erasures not settled yet: {}", recovered.ToString());
    }
    return Status::Ok();
  }

  // A connection of this ingestor's database, for one call.
  Result<query::Connection> Connect() {
    query::Connection connection;
    if (duckdb_connect(database_.get(), connection.out()) != DuckDBSuccess) {
      return Status::Internal("cannot connect to DuckDB");
    }
    return connection;
  }

  // Settles the erasures a crash left pending, once (erasure.h).
  Status EnsureRecovered() {
    if (recovered_) return Status::Ok();
    std::lock_guard erasing(erase_mu_);
    if (recovered_) return Status::Ok();
    LH_ASSIGN_OR_RETURN(query::Connection connection, Connect());
    LH_RETURN_IF_ERROR(RecoverErasures(ChangeContext(connection.get())));
    recovered_ = true;
    return Status::Ok();
  }

  Result<DeleteRowsResult> DeleteRows(const DeleteRowsRequest& request) override;
  Result<CompactResult> Compact(const std::string& dataset) override;
  Result<ErasureRecord> Erase(const EraseRequest& request) override;
  Result<std::vector<ErasureRecord>> ListErasures(const std::string& dataset) override {
    LH_RETURN_IF_ERROR(catalog::ValidateDatasetName(dataset));
    LH_RETURN_IF_ERROR(EnsureRecovered());
    return ingest::ListErasures(store_, dataset);
  }

  Result<IngestResult> Ingest(const IngestRequest& request,
                              const storage::BodyProducer& body) override {
    LH_RETURN_IF_ERROR(EnsureRecovered());
    auto result = IngestInWorkDir(request, body);
    if (result.ok()) return result;
    // Every message should already name the upload rather than a file; this
    // is the net for one that does not.
    const Status& status = result.status();
    if (status.message().find(options_.scratch_dir) == std::string::npos) return result;
    spdlog::warn("ingest {}: {}", request.dataset, status.ToString());
    return Status(status.code(),
                  RedactPathsUnder(status.message(), options_.scratch_dir, "(scratch file)"));
  }

 private:
  struct Spooled {
    std::string path;
    uint64_t bytes = 0;
    std::string sha256;
  };
  Result<IngestResult> IngestInWorkDir(const IngestRequest& request,
                                       const storage::BodyProducer& body);
  Result<std::string> MakeWorkDir() const;
  Result<Spooled> Spool(const std::string& dir, const IngestRequest& request,
                        const storage::BodyProducer& body);
  Result<CsvPlan> PlanCsv(duckdb_connection connection, const std::string& path,
                          const IngestRequest& request);
  std::string ReaderSql(const std::string& path, const IngestRequest& request,
                        const std::optional<CsvPlan>& csv,
                        const std::vector<catalog::Column>* types) const;
  Result<std::vector<catalog::Column>> Describe(duckdb_connection connection,
                                                const std::string& reader, const std::string& path,
                                                const IngestRequest& request);
  // The SELECT list reading an append as the dataset's schema ("*" for a new
  // dataset or an overwrite); replaces `schema` by the dataset's.
  Result<std::string> AppendProjection(const IngestRequest& request,
                                       std::vector<catalog::Column>& schema, bool& read_with_types);
  // AppendProjection under schema evolution: matches columns by name and
  // replaces `schema` by the evolved one; `base` is set to the version it
  // evolved from when the schema changed.
  Result<std::string> EvolveProjection(const IngestRequest& request,
                                       std::vector<catalog::Column>& schema,
                                       std::optional<catalog::Manifest>& base);
  // Appends `file` as a version with an evolved schema, on top of whatever
  // version is current while its schema is still `base`'s.
  Result<catalog::Manifest> CommitEvolved(const IngestRequest& request,
                                          const catalog::DataFile& file,
                                          const std::vector<catalog::Column>& schema,
                                          const catalog::Manifest& base,
                                          const catalog::Source& source);
  Result<catalog::DataFile> StoreDataFile(const IngestRequest& request, const std::string& parquet,
                                          uint64_t rows);
  // After a commit that failed: nothing may refer to the file.
  void RemoveDataFile(const IngestRequest& request, const std::string& key);
  Result<catalog::Manifest> StoreAndCommit(const IngestRequest& request, const std::string& parquet,
                                           uint64_t rows,
                                           const std::vector<catalog::Column>& schema,
                                           const catalog::Source& source);
  // An upsert's keys: columns of the dataset (or, for a new one, of the
  // upload); then, in the converted upload, never NULL and never twice.
  Status CheckKeyColumns(const IngestRequest& request,
                         const std::vector<catalog::Column>& schema) const;
  Status CheckUploadKeys(duckdb_connection connection, const std::string& parquet,
                         const IngestRequest& request, const std::optional<CsvPlan>& csv) const;
  Result<IngestResult> Upsert(const IngestRequest& request, const std::string& parquet,
                              uint64_t rows, const std::vector<catalog::Column>& schema,
                              const catalog::Source& source,
                              const std::optional<catalog::Manifest>& evolved_from);
  // A minor compaction after an upsert, when the dataset's small files add
  // up to auto_compact_small_files.
  void CompactSmallFiles(const std::string& dataset, duckdb_connection connection);
  RowChangeContext ChangeContext(duckdb_connection connection) {
    return {store_, catalog_, *files_, deletion_sets_, deletion_vectors_, connection};
  }
  // A failed DuckDB statement over the upload: a full disk, too little
  // memory, or else the upload's fault, retold in terms of the upload.
  Status DuckDbFailure(duckdb_result* result, const std::string& path,
                       const IngestRequest& request) const;
  Status InputError(const std::string& message, const std::string& path,
                    const IngestRequest& request) const;

  IngestOptions options_;
  storage::ObjectStore& store_;
  catalog::Catalog& catalog_;
  std::unique_ptr<query::DataFileCache> files_;  // the data files a change reads
  query::DeletionVectorCache deletion_vectors_{store_};
  query::DeletionSets deletion_sets_;     // outlives database_, whose scans read it
  std::optional<query::SqlFence> fence_;  // for DeleteRows' predicates
  std::mutex erase_mu_;                   // erasures take turns
  std::atomic<bool> recovered_{false};    // EnsureRecovered succeeded
  query::Database database_;
};

Result<std::string> IngestorImpl::MakeWorkDir() const {
  if (options_.make_work_dir) return options_.make_work_dir(options_.scratch_dir);
  std::string dir = options_.scratch_dir + "/ingest-" + RandomId();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return ScratchFailure(ec.value(), "make scratch space for the upload", dir);
  return dir;
}

Result<IngestorImpl::Spooled> IngestorImpl::Spool(const std::string& dir,
                                                  const IngestRequest& request,
                                                  const storage::BodyProducer& body) {
  if (request.content_length && *request.content_length > options_.max_bytes) {
    return Status::TooLarge("the file is " + std::to_string(*request.content_length) +
                            " bytes; the limit is " + std::to_string(options_.max_bytes));
  }
  static constexpr const char* kExtensions[] = {"csv", "json", "parquet"};
  Spooled spooled;
  spooled.path = dir + "/source." + kExtensions[static_cast<int>(request.format)];
  // Not O_EXCL: the directory is this ingest's own, and a test may have
  // pointed the name at a device that fails writes.
  int fd = ::open(spooled.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ScratchFailure(errno, "store the upload", spooled.path);
  // DuckDB's JSON reader recurses per level of nesting: the shape is checked
  // here, on the way in, so DuckDB never sees a file that could exhaust it.
  std::optional<JsonShapeChecker> json_shape;
  if (request.format == Format::kJson) {
    json_shape.emplace(JsonShapeLimits{kMaxJsonDepth, kMaxIngestJsonKeyBytes, kMaxIngestJsonKeys});
  }
  // The body arrives in small pieces (4 KiB reads in the HTTP server): write
  // it in blocks, so a large upload costs hundreds of write(2) calls rather
  // than hundreds of thousands.
  std::vector<char> block;
  block.reserve(std::min<uint64_t>(kSpoolBlock, request.content_length.value_or(kSpoolBlock)));
  auto write_all = [&](std::string_view data) -> Status {
    while (!data.empty()) {
      ssize_t n = ::write(fd, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ScratchFailure(errno, "store the upload", spooled.path);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  };
  auto flush = [&]() -> Status {
    Status written = write_all(std::string_view(block.data(), block.size()));
    block.clear();
    return written;
  };
  Status produced = body([&](std::string_view chunk) -> Status {
    spooled.bytes += chunk.size();
    if (spooled.bytes > options_.max_bytes) {
      return Status::TooLarge("the file exceeds the limit of " +
                              std::to_string(options_.max_bytes) + " bytes");
    }
    if (json_shape && !json_shape->Feed(chunk)) {
      return Status::Unprocessable("cannot read " + UploadName(request) +
                                   " as JSON: " + json_shape->violation()->ToString());
    }
    if (block.size() + chunk.size() > kSpoolBlock) LH_RETURN_IF_ERROR(flush());
    if (chunk.size() >= kSpoolBlock) return write_all(chunk);
    block.insert(block.end(), chunk.begin(), chunk.end());
    return Status::Ok();
  });
  if (produced.ok()) produced = flush();
  if (::close(fd) != 0 && produced.ok()) {
    produced = ScratchFailure(errno, "store the upload", spooled.path);
  }
  LH_RETURN_IF_ERROR(produced);
  if (spooled.bytes == 0) return Status::InvalidArgument("the file is empty");
  return spooled;
}

// Asks DuckDB's sniffer for the dialect, with skipping lines and comments
// ruled out (either would drop rows silently), then checks every record of
// the file against the first with that dialect.
Result<CsvPlan> IngestorImpl::PlanCsv(duckdb_connection connection, const std::string& path,
                                      const IngestRequest& request) {
  std::string sql = "SELECT Delimiter, Quote, \"Escape\", HasHeader, len(Columns) FROM sniff_csv(" +
                    SqlString(path) +
                    ", skip = 0, comment = '', strict_mode = true, null_padding = false";
  if (request.delimiter) sql += ", delim = " + CharOption(request.delimiter);
  if (request.header) sql += std::string(", header = ") + (*request.header ? "true" : "false");
  sql += ")";
  query::QueryResult sniffed;
  if (duckdb_query(connection, sql.c_str(), sniffed.out()) != DuckDBSuccess) {
    return DuckDbFailure(sniffed.get(), path, request);
  }
  if (duckdb_row_count(sniffed.get()) != 1) return Status::Internal("sniff_csv returned no row");
  CsvPlan plan;
  char* delimiter = duckdb_value_varchar(sniffed.get(), 0, 0);
  char* quote = duckdb_value_varchar(sniffed.get(), 1, 0);
  char* escape = duckdb_value_varchar(sniffed.get(), 2, 0);
  plan.dialect =
      CsvDialect{SniffedChar(delimiter).value_or(','), SniffedChar(quote), SniffedChar(escape)};
  duckdb_free(delimiter);
  duckdb_free(quote);
  duckdb_free(escape);
  plan.header = duckdb_value_boolean(sniffed.get(), 3, 0);
  const int64_t columns = duckdb_value_int64(sniffed.get(), 4, 0);

  // Every reading of the file that a person might intend must agree on the
  // field count of every record, else the first record that breaks ranks is
  // named. The sniffer's alone is not enough: when rows disagree it may settle
  // on one column, or on no quoting, and so find agreement the file lacks.
  std::vector<CsvDialect> readings = {plan.dialect};
  const CsvDialect rfc4180{plan.dialect.delimiter, '"', '"'};
  if (!plan.dialect.quote) readings.push_back(rfc4180);
  if (!request.delimiter && columns == 1) {
    for (char delimiter : PlausibleDelimiters(path)) {
      if (delimiter != plan.dialect.delimiter) readings.push_back({delimiter, '"', '"'});
    }
  }
  CsvShape shape;
  for (size_t i = readings.size(); i-- > 0;) {
    LH_ASSIGN_OR_RETURN(shape, ScanCsvFile(path, readings[i]));
    if (shape.ragged) return RaggedRow(shape, request);
  }
  if (!shape.first) return Status::InvalidArgument(UploadName(request) + " has no rows");
  plan.fields = shape.first->fields;
  plan.data_rows = shape.records - (plan.header ? 1 : 0);
  return plan;
}

std::string IngestorImpl::ReaderSql(const std::string& path, const IngestRequest& request,
                                    const std::optional<CsvPlan>& csv,
                                    const std::vector<catalog::Column>* types) const {
  switch (request.format) {
    case Format::kCsv: {
      // The dialect is the one the records were counted with. strict_mode: a
      // row with the wrong number of fields is an error, not a silently
      // padded row. Types, when given, make every value prove it fits.
      const CsvDialect& dialect = csv->dialect;
      std::string sql = "read_csv(" + SqlString(path) +
                        ", auto_detect = true, strict_mode = true, null_padding = false" +
                        ", skip = 0, comment = ''" + ", delim = " + CharOption(dialect.delimiter) +
                        ", quote = " + CharOption(dialect.quote) +
                        ", escape = " + CharOption(dialect.escape) +
                        ", header = " + (csv->header ? "true" : "false");
      if (types != nullptr) {
        sql += ", types = {";
        for (size_t i = 0; i < types->size(); ++i) {
          sql += (i ? ", " : "") + SqlString((*types)[i].name) + ": " + SqlString((*types)[i].type);
        }
        sql += "}";
      }
      return sql + ")";
    }
    case Format::kJson:
      // The spool already refused deeper files; the bound also caps the
      // recursion of DuckDB's type inference.
      return "read_json(" + SqlString(path) +
             ", format = 'auto', maximum_depth = " + std::to_string(kMaxJsonDepth) + ")";
    case Format::kParquet:
      return "read_parquet(" + SqlString(path) + ")";
  }
  return "";
}

Status IngestorImpl::DuckDbFailure(duckdb_result* result, const std::string& path,
                                   const IngestRequest& request) const {
  const char* error = duckdb_result_error(result);
  std::string text = error ? error : "unknown error";
  const duckdb_error_type type = duckdb_result_error_type(result);
  const std::string dir = path.substr(0, path.rfind('/'));
  if (MentionsFullDisk(text) ||
      (type == DUCKDB_ERROR_IO && HasLessFreeThan(dir, kNearlyFullBytes))) {
    spdlog::warn("ingest {}: DuckDB ran out of disk: {}", request.dataset, text);
    return DiskFull("convert the upload");
  }
  if (type == DUCKDB_ERROR_OUT_OF_MEMORY) {
    spdlog::warn("ingest {}: DuckDB ran out of memory: {}", request.dataset, text);
    return Status::ResourceExhausted("converting " + UploadName(request) +
                                     " needs more memory than the ingest limit of " +
                                     options_.memory_limit);
  }
  return InputError(text, path, request);
}

Status IngestorImpl::InputError(const std::string& message, const std::string& path,
                                const IngestRequest& request) const {
  std::string text = message;
  // DuckDB quotes the statement it was running; that is ours, not the user's.
  if (size_t context = text.find("\n\nLINE 1:"); context != std::string::npos) {
    text.resize(context);
  }
  const std::string name = UploadName(request);
  for (size_t at = text.find(path); at != std::string::npos; at = text.find(path, at)) {
    text.replace(at, path.size(), name);
    at += name.size();
  }
  text = RedactPathsUnder(std::move(text), options_.scratch_dir, "(scratch file)");
  return Status::InvalidArgument("cannot read " + name + " as " + FormatName(request.format) +
                                 ": " + text);
}

Result<std::vector<catalog::Column>> IngestorImpl::Describe(duckdb_connection connection,
                                                            const std::string& reader,
                                                            const std::string& path,
                                                            const IngestRequest& request) {
  query::QueryResult result;
  std::string sql = "DESCRIBE SELECT * FROM " + reader;
  if (duckdb_query(connection, sql.c_str(), result.out()) != DuckDBSuccess) {
    return DuckDbFailure(result.get(), path, request);
  }
  std::vector<catalog::Column> schema;
  idx_t rows = duckdb_row_count(result.get());
  for (idx_t r = 0; r < rows; ++r) {
    char* name = duckdb_value_varchar(result.get(), 0, r);
    char* type = duckdb_value_varchar(result.get(), 1, r);
    schema.push_back({name ? name : "", type ? type : ""});
    duckdb_free(name);
    duckdb_free(type);
  }
  if (schema.empty()) return Status::InvalidArgument("the file has no columns");
  return schema;
}

Result<std::string> IngestorImpl::AppendProjection(const IngestRequest& request,
                                                   std::vector<catalog::Column>& schema,
                                                   bool& read_with_types) {
  read_with_types = false;
  if (request.mode != catalog::WriteMode::kAppend) return std::string("*");
  auto current = catalog_.GetCurrent(request.dataset);
  if (!current.ok() && current.status().code() != StatusCode::kNotFound) return current.status();
  if (!current.ok()) return std::string("*");
  const auto& existing = current->schema;
  if (existing.size() != schema.size()) {
    return Status::Unprocessable("dataset " + request.dataset + " has " +
                                 std::to_string(existing.size()) + " columns; the file has " +
                                 std::to_string(schema.size()));
  }
  std::string projection;
  for (size_t i = 0; i < existing.size(); ++i) {
    if (existing[i].name != schema[i].name) {
      return Status::Unprocessable("column " + std::to_string(i + 1) + " of dataset " +
                                   request.dataset + " is \"" + existing[i].name +
                                   "\"; the file has \"" + schema[i].name + "\"");
    }
    if (request.format != Format::kCsv && !SafeWidening(schema[i].type, existing[i].type)) {
      return Status::Unprocessable("column \"" + schema[i].name + "\" of dataset " +
                                   request.dataset + " is " + existing[i].type + "; the file has " +
                                   schema[i].type +
                                   ", which cannot be appended safely (overwrite instead)");
    }
    projection += (i ? ", " : "") + std::string("CAST(") + SqlIdentifier(schema[i].name) + " AS " +
                  existing[i].type + ") AS " + SqlIdentifier(schema[i].name);
  }
  read_with_types = request.format == Format::kCsv;
  schema = existing;
  return projection;
}

Result<catalog::DataFile> IngestorImpl::StoreDataFile(const IngestRequest& request,
                                                      const std::string& parquet, uint64_t rows) {
  catalog::DataFile file{
      catalog::DataFilePrefix(request.dataset) + RandomId() + ".parquet", rows, 0, {}};
  LH_ASSIGN_OR_RETURN(auto stored, store_.PutFile(file.key, parquet, storage::PutMode::kIfAbsent));
  file.bytes = stored.size;
  return file;
}

void IngestorImpl::RemoveDataFile(const IngestRequest& request, const std::string& key) {
  if (Status removed = store_.Delete(key); !removed.ok()) {
    spdlog::warn("ingest {}: could not remove {} after a failed commit: {}", request.dataset, key,
                 removed.ToString());
  }
}

Result<std::string> IngestorImpl::EvolveProjection(const IngestRequest& request,
                                                   std::vector<catalog::Column>& schema,
                                                   std::optional<catalog::Manifest>& base) {
  auto current = catalog_.GetCurrent(request.dataset);
  if (!current.ok() && current.status().code() != StatusCode::kNotFound) return current.status();
  if (!current.ok()) return std::string("*");  // a new dataset takes the upload's schema
  std::vector<catalog::Column> evolved;
  std::string projection;
  auto add = [&](const catalog::Column& column, const std::string& value) {
    projection += (projection.empty() ? "" : ", ") + std::string("CAST(") + value + " AS " +
                  column.type + ") AS " + SqlIdentifier(column.name);
    evolved.push_back(column);
  };
  for (const auto& column : current->schema) {
    auto uploaded = std::find_if(schema.begin(), schema.end(),
                                 [&](const catalog::Column& c) { return c.name == column.name; });
    if (uploaded == schema.end()) {
      add(column, "NULL");
      continue;
    }
    auto type = WidenedType(column.type, uploaded->type);
    if (!type) {
      return Status::Unprocessable("column \"" + column.name + "\" of dataset " + request.dataset +
                                   " is " + column.type + "; the file has " + uploaded->type +
                                   ", which schema=evolve does not widen it to (overwrite "
                                   "instead)");
    }
    add({column.name, *type}, SqlIdentifier(column.name));
  }
  for (const auto& column : schema) {
    bool known = std::any_of(current->schema.begin(), current->schema.end(),
                             [&](const catalog::Column& c) { return c.name == column.name; });
    if (!known) add(column, SqlIdentifier(column.name));
  }
  if (evolved != current->schema) base = *current;
  schema = std::move(evolved);
  return projection;
}

Result<catalog::Manifest> IngestorImpl::CommitEvolved(const IngestRequest& request,
                                                      const catalog::DataFile& file,
                                                      const std::vector<catalog::Column>& schema,
                                                      const catalog::Manifest& base,
                                                      const catalog::Source& source) {
  for (int attempt = 0; attempt < kMaxEvolveAttempts; ++attempt) {
    LH_ASSIGN_OR_RETURN(catalog::Manifest head, catalog_.GetCurrent(request.dataset));
    if (head.schema != base.schema) return SchemaChangedWhileReading(request.dataset);
    catalog::CommitRequest commit;
    commit.dataset = request.dataset;
    commit.mode = catalog::WriteMode::kReplace;
    commit.schema = schema;
    commit.files = head.files;
    commit.files.push_back(file);
    commit.source = source;
    commit.expected_version = head.version;
    commit.operation = catalog::Operation::kAppend;
    commit.counts = {file.rows, 0, 0};
    commit.mixed_schema = true;
    auto committed = catalog_.Commit(commit);
    if (committed.ok() || committed.status().code() != StatusCode::kConflict) return committed;
  }
  return Status::Conflict("too many concurrent commits to " + request.dataset + "; try again");
}

Result<catalog::Manifest> IngestorImpl::StoreAndCommit(const IngestRequest& request,
                                                       const std::string& parquet, uint64_t rows,
                                                       const std::vector<catalog::Column>& schema,
                                                       const catalog::Source& source) {
  LH_ASSIGN_OR_RETURN(catalog::DataFile file, StoreDataFile(request, parquet, rows));

  catalog::CommitRequest commit;
  commit.dataset = request.dataset;
  commit.mode = request.mode;
  commit.schema = schema;
  commit.files = {file};
  commit.source = source;
  auto manifest = catalog_.Commit(commit);
  if (!manifest.ok()) RemoveDataFile(request, file.key);
  return manifest;
}

Result<IngestResult> IngestorImpl::IngestInWorkDir(const IngestRequest& request,
                                                   const storage::BodyProducer& body) {
  LH_RETURN_IF_ERROR(catalog::ValidateDatasetName(request.dataset));
  LH_ASSIGN_OR_RETURN(std::string work_dir, MakeWorkDir());
  ScratchDir scratch(work_dir);
  LH_ASSIGN_OR_RETURN(Spooled source, Spool(scratch.path(), request, body));
  if (request.format == Format::kJson && LastNonSpace(source.path) == ',') {
    // DuckDB reads an array cut short after a comma as if it were closed:
    // a truncated file would silently lose its tail.
    return Status::InvalidArgument(
        "cannot read " + UploadName(request) +
        " as JSON: Malformed JSON: the file ends with a comma (is it cut short?)");
  }
  // The hash only goes into the manifest: compute it from the spooled file
  // while DuckDB converts it, rather than on the upload's critical path.
  // (Declared after `scratch`, so joined before the directory is removed.)
  auto sha256 = std::async(std::launch::async, Sha256OfFile, source.path);

  LH_ASSIGN_OR_RETURN(query::Connection connection, Connect());
  std::optional<CsvPlan> csv;
  if (request.format == Format::kCsv) {
    LH_ASSIGN_OR_RETURN(csv, PlanCsv(connection.get(), source.path, request));
  }
  std::string reader = ReaderSql(source.path, request, csv, nullptr);
  LH_ASSIGN_OR_RETURN(auto schema, Describe(connection.get(), reader, source.path, request));
  if (csv && schema.size() != csv->fields) {
    return Status::Unprocessable("cannot read " + UploadName(request) + " as CSV: its rows have " +
                                 std::to_string(csv->fields) + " fields but DuckDB read " +
                                 std::to_string(schema.size()) + " columns");
  }
  bool read_with_types = false;
  std::optional<catalog::Manifest> evolved_from;
  std::string projection;
  if (request.evolve_schema && request.mode == catalog::WriteMode::kAppend) {
    LH_ASSIGN_OR_RETURN(projection, EvolveProjection(request, schema, evolved_from));
  } else {
    LH_ASSIGN_OR_RETURN(projection, AppendProjection(request, schema, read_with_types));
  }
  if (!request.key.empty()) LH_RETURN_IF_ERROR(CheckKeyColumns(request, schema));
  if (read_with_types) reader = ReaderSql(source.path, request, csv, &schema);

  const std::string parquet = scratch.path() + "/data.parquet";
  std::string copy = "COPY (SELECT " + projection + " FROM " + reader + ") TO " +
                     SqlString(parquet) + " (FORMAT parquet, COMPRESSION zstd)";
  query::QueryResult copied;
  if (duckdb_query(connection.get(), copy.c_str(), copied.out()) != DuckDBSuccess) {
    return DuckDbFailure(copied.get(), source.path, request);
  }
  const uint64_t rows = duckdb_rows_changed(copied.get());
  if (csv && rows != csv->data_rows) {
    // Whatever the cause, storing fewer or more rows than the file holds
    // would change its meaning silently.
    return Status::Unprocessable("cannot read " + UploadName(request) + " as CSV: it has " +
                                 std::to_string(csv->data_rows) + " rows after the header but " +
                                 std::to_string(rows) + " were read; nothing was stored");
  }
  LH_ASSIGN_OR_RETURN(source.sha256, sha256.get());
  const catalog::Source stored_source{request.file_name, source.bytes, source.sha256};
  if (!request.key.empty()) {
    LH_RETURN_IF_ERROR(CheckUploadKeys(connection.get(), parquet, request, csv));
    return Upsert(request, parquet, rows, schema, stored_source, evolved_from);
  }
  if (evolved_from) {
    LH_ASSIGN_OR_RETURN(catalog::DataFile file, StoreDataFile(request, parquet, rows));
    auto manifest = CommitEvolved(request, file, schema, *evolved_from, stored_source);
    if (!manifest.ok()) {
      RemoveDataFile(request, file.key);
      return manifest.status();
    }
    return IngestResult{std::move(*manifest), rows, 0};
  }
  LH_ASSIGN_OR_RETURN(
      catalog::Manifest manifest,
      StoreAndCommit(request, parquet, rows, schema,
                     catalog::Source{request.file_name, source.bytes, source.sha256}));
  spdlog::info("ingest {}: version {} ({} {} rows from {} bytes)", request.dataset,
               manifest.version, catalog::OperationName(manifest.operation), rows, source.bytes);
  return IngestResult{std::move(manifest), rows};
}

Status IngestorImpl::CheckKeyColumns(const IngestRequest& request,
                                     const std::vector<catalog::Column>& schema) const {
  std::string columns;
  for (const auto& column : schema) columns += (columns.empty() ? "" : ", ") + column.name;
  for (const auto& key : request.key) {
    bool found = std::any_of(schema.begin(), schema.end(),
                             [&](const catalog::Column& column) { return column.name == key; });
    if (!found) {
      return Status::InvalidArgument("key column \"" + key + "\" is not a column of " +
                                     request.dataset + " (its columns: " + columns + ")");
    }
  }
  return Status::Ok();
}

namespace {
// Where row `row` (0-based, in file order) of an upload is, in the words
// its format has for it.
std::string RowPlace(const IngestRequest& request, const std::optional<CsvPlan>& csv,
                     uint64_t row) {
  if (csv) return "line " + std::to_string(row + (csv->header ? 2 : 1));
  if (request.format == Format::kJson) return "record " + std::to_string(row + 1);
  return "row " + std::to_string(row + 1);
}

// `id=7` or `(region=TX, id=7)`, as SQL over the upload's columns.
std::string KeyTextSql(const std::vector<std::string>& key) {
  std::string parts;
  for (const auto& column : key) {
    parts += (parts.empty() ? "" : " || ', ' || ") + SqlString(column + "=") +
             " || coalesce(CAST(" + SqlIdentifier(column) + " AS VARCHAR), 'NULL')";
  }
  return key.size() == 1 ? parts : "'(' || " + parts + " || ')'";
}
}  // namespace

Status IngestorImpl::CheckUploadKeys(duckdb_connection connection, const std::string& parquet,
                                     const IngestRequest& request,
                                     const std::optional<CsvPlan>& csv) const {
  std::string any_null, partition;
  for (const auto& column : request.key) {
    any_null += (any_null.empty() ? "" : " OR ") + SqlIdentifier(column) + " IS NULL";
    partition += (partition.empty() ? "" : ", ") + SqlIdentifier(column);
  }
  const std::string upload = "read_parquet(" + SqlString(parquet) + ")";
  // The first row with a NULL key, and the first that repeats an earlier
  // row's key (with that earlier row), in one pass each.
  const std::string sql =
      "(SELECT 0 AS kind, " + KeyTextSql(request.key) +
      " AS key_text, file_row_number AS row_at, NULL::BIGINT AS earlier_row FROM " + upload +
      " WHERE " + any_null +
      " ORDER BY file_row_number LIMIT 1) UNION ALL (SELECT 1, key_text, row_at, earlier_row "
      "FROM (SELECT " +
      KeyTextSql(request.key) +
      " AS key_text, file_row_number AS row_at, lag(file_row_number) OVER (PARTITION BY " +
      partition + " ORDER BY file_row_number) AS earlier_row FROM " + upload + " WHERE NOT (" +
      any_null + ")) WHERE earlier_row IS NOT NULL ORDER BY row_at LIMIT 1) ORDER BY kind";
  query::QueryResult result;
  if (duckdb_query(connection, sql.c_str(), result.out()) != DuckDBSuccess) {
    return Status::Internal(std::string("cannot check the upload's keys: ") +
                            duckdb_result_error(result.get()));
  }
  if (duckdb_row_count(result.get()) == 0) return Status::Ok();
  char* key = duckdb_value_varchar(result.get(), 1, 0);
  std::string key_text = key ? key : "";
  duckdb_free(key);
  const uint64_t at = static_cast<uint64_t>(duckdb_value_int64(result.get(), 2, 0));
  if (duckdb_value_int64(result.get(), 0, 0) == 0) {
    return Status::Unprocessable("the key of " + UploadName(request) + " is NULL at " +
                                 RowPlace(request, csv, at) + " (" + key_text +
                                 "): an upsert needs a key on every row; nothing was stored");
  }
  const uint64_t earlier = static_cast<uint64_t>(duckdb_value_int64(result.get(), 3, 0));
  return Status::Unprocessable("key " + key_text + " appears twice in " + UploadName(request) +
                               ", at " + RowPlace(request, csv, earlier) + " and " +
                               RowPlace(request, csv, at) +
                               ": an upsert takes each key once; nothing was stored");
}

Result<IngestResult> IngestorImpl::Upsert(const IngestRequest& request, const std::string& parquet,
                                          uint64_t rows, const std::vector<catalog::Column>& schema,
                                          const catalog::Source& source,
                                          const std::optional<catalog::Manifest>& evolved_from) {
  LH_ASSIGN_OR_RETURN(catalog::DataFile file, StoreDataFile(request, parquet, rows));
  // Storing may have moved the upload into the store: read it from there.
  auto stored = files_->Acquire(file.key);
  if (!stored.ok()) {
    RemoveDataFile(request, file.key);
    return stored.status();
  }
  std::string on;
  for (const auto& column : request.key) {
    on += (on.empty() ? "" : " AND ") + std::string("t.") + SqlIdentifier(column) + " = u." +
          SqlIdentifier(column);
  }
  RowChange change;
  change.dataset = request.dataset;
  change.operation = catalog::Operation::kUpsert;
  change.join = "JOIN read_parquet(" + SqlString(stored->path()) + ") u ON " + on;
  change.upload_row = "u.file_row_number";
  change.added = file;
  change.source = source;
  if (evolved_from) {
    change.schema = schema;
    change.base_schema = evolved_from->schema;
  }
  LH_ASSIGN_OR_RETURN(query::Connection connection, Connect());
  // Only a dataset without a current version takes every row as new: a
  // kNotFound from the change itself (a data file gone) is an error.
  auto current = catalog_.GetCurrent(request.dataset);
  auto changed = current.ok() ? CommitRowChange(ChangeContext(connection.get()), change)
                              : Result<RowChangeResult>(current.status());
  Result<IngestResult> result = Status::Internal("no result");
  if (changed.ok()) {
    result = IngestResult{std::move(*changed->manifest), rows - changed->rows_replaced,
                          changed->rows_replaced};
  } else if (!current.ok() && current.status().code() == StatusCode::kNotFound) {
    // No current version (a new or deleted dataset): every row is new.
    catalog::CommitRequest commit;
    commit.dataset = request.dataset;
    commit.schema = schema;
    commit.files = {file};
    commit.source = source;
    auto manifest = catalog_.Commit(commit);
    if (manifest.ok())
      result = IngestResult{std::move(*manifest), rows, 0};
    else
      result = manifest.status();
  } else {
    result = changed.status();
  }
  if (!result.ok()) {
    RemoveDataFile(request, file.key);
    return result;
  }
  spdlog::info("upsert {}: version {} ({} inserted, {} updated)", request.dataset,
               result->manifest.version, result->rows_added, result->rows_updated);
  CompactSmallFiles(request.dataset, connection.get());
  return result;
}

void IngestorImpl::CompactSmallFiles(const std::string& dataset, duckdb_connection connection) {
  if (options_.auto_compact_small_files == 0) return;
  auto work_dir = MakeWorkDir();
  if (!work_dir.ok()) return;
  ScratchDir scratch(*work_dir);
  // The upsert is committed whatever happens here: a failure only leaves
  // the small files for the next upsert (or POST .../compact) to merge.
  auto compacted = CompactDataset(
      ChangeContext(connection),
      {dataset, options_.compact_file_bytes, scratch.path(), options_.auto_compact_small_files});
  if (!compacted.ok()) {
    spdlog::warn("upsert {}: merging its small files failed: {}", dataset,
                 compacted.status().ToString());
  }
}

Result<CompactResult> IngestorImpl::Compact(const std::string& dataset) {
  LH_RETURN_IF_ERROR(catalog::ValidateDatasetName(dataset));
  LH_RETURN_IF_ERROR(EnsureRecovered());
  LH_ASSIGN_OR_RETURN(std::string work_dir, MakeWorkDir());
  ScratchDir scratch(work_dir);
  LH_ASSIGN_OR_RETURN(query::Connection connection, Connect());
  return CompactDataset(ChangeContext(connection.get()),
                        {dataset, options_.compact_file_bytes, scratch.path()});
}

Result<ErasureRecord> IngestorImpl::Erase(const EraseRequest& request) {
  LH_RETURN_IF_ERROR(catalog::ValidateDatasetName(request.dataset));
  LH_RETURN_IF_ERROR(EnsureRecovered());
  LH_ASSIGN_OR_RETURN(query::Connection connection, Connect());
  LH_RETURN_IF_ERROR(fence_->CheckPredicate(connection.get(), request.where));
  LH_ASSIGN_OR_RETURN(std::string work_dir, MakeWorkDir());
  ScratchDir scratch(work_dir);
  std::lock_guard erasing(erase_mu_);
  return EraseRows(ChangeContext(connection.get()), request, scratch.path());
}

Result<DeleteRowsResult> IngestorImpl::DeleteRows(const DeleteRowsRequest& request) {
  LH_RETURN_IF_ERROR(catalog::ValidateDatasetName(request.dataset));
  LH_RETURN_IF_ERROR(EnsureRecovered());
  LH_ASSIGN_OR_RETURN(query::Connection connection, Connect());
  LH_RETURN_IF_ERROR(fence_->CheckPredicate(connection.get(), request.where));
  RowChange change;
  change.dataset = request.dataset;
  change.operation = catalog::Operation::kDeleteRows;
  change.predicate = request.where;
  LH_ASSIGN_OR_RETURN(RowChangeResult changed,
                      CommitRowChange(ChangeContext(connection.get()), change));
  DeleteRowsResult result;
  result.rows_deleted = changed.rows_removed;
  if (changed.manifest) {
    result.version = changed.manifest->version;
    result.rows = changed.manifest->rows;
    result.manifest = std::move(changed.manifest);
    spdlog::info("delete rows {}: version {} ({} deleted)", request.dataset, result.version,
                 result.rows_deleted);
  } else {
    LH_ASSIGN_OR_RETURN(auto current,
                        catalog_.GetVersion(request.dataset, changed.current_version));
    result.version = current.version;
    result.rows = current.rows;
  }
  return result;
}

}  // namespace

Result<Format> ParseFormat(std::string_view name) {
  if (name == "csv") return Format::kCsv;
  if (name == "json" || name == "ndjson" || name == "jsonl") return Format::kJson;
  if (name == "parquet") return Format::kParquet;
  return Status::InvalidArgument("format must be csv, json or parquet, got \"" + std::string(name) +
                                 "\"");
}

std::optional<Format> FormatFromFileName(std::string_view file_name) {
  size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string ext(file_name.substr(dot + 1));
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == "tsv" || ext == "txt") return Format::kCsv;
  auto format = ParseFormat(ext);
  if (!format.ok()) return std::nullopt;
  return *format;
}

Result<std::unique_ptr<Ingestor>> Ingestor::Open(const IngestOptions& options,
                                                 storage::ObjectStore& store,
                                                 catalog::Catalog& catalog) {
  auto ingestor = std::make_unique<IngestorImpl>(options, store, catalog);
  LH_RETURN_IF_ERROR(ingestor->Init());
  return std::unique_ptr<Ingestor>(std::move(ingestor));
}

}  // namespace lakehouse::ingest
