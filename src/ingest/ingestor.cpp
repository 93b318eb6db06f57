// The ingestor's setup and its path for an upload: spool, convert with DuckDB, store, commit.
#include "ingest/ingestor.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>

#include "common/json_depth.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "common/sql_quote.h"
#include "ingest/append_schema.h"
#include "ingest/csv_errors.h"
#include "ingest/csv_probe.h"
#include "ingest/failures.h"
#include "ingest/ingestor_impl.h"
#include "ingest/random_id.h"
#include "ingest/spool.h"
#include "ingest/upsert_keys.h"
#include "query/duckdb_handles.h"
#include "query/sql_fence.h"

namespace lakehouse::ingest {
namespace {

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

constexpr int kMaxEvolveAttempts = 50;

const char* FormatName(Format format) {
  static constexpr const char* kNames[] = {"CSV", "JSON", "Parquet"};
  return kNames[static_cast<int>(format)];
}

// A DuckDB failure with less than this free on the scratch disk is taken for
// a full disk even when its text does not say so (DuckDB may have removed its
// partial file before we look, so the margin is generous).
constexpr uint64_t kNearlyFullBytes = 64ull << 20;

// The table function that reads the spooled upload; for a CSV in the planned
// dialect, and with `types`, as those types.
std::string ReaderSql(const std::string& path, const IngestRequest& request,
                      const std::optional<CsvPlan>& csv,
                      const std::vector<catalog::Column>* types) {
  switch (request.format) {
    case Format::kCsv:
      return CsvReaderSql(path, *csv, request, types);
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

}  // namespace

Status IngestorImpl::Init() {
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

Result<query::Connection> IngestorImpl::Connect() {
  query::Connection connection;
  if (duckdb_connect(database_.get(), connection.out()) != DuckDBSuccess) {
    return Status::Internal("cannot connect to DuckDB");
  }
  return connection;
}

Status IngestorImpl::EnsureRecovered() {
  if (recovered_) return Status::Ok();
  std::lock_guard erasing(erase_mu_);
  if (recovered_) return Status::Ok();
  LH_ASSIGN_OR_RETURN(query::Connection connection, Connect());
  LH_RETURN_IF_ERROR(RecoverErasures(ChangeContext(connection.get())));
  recovered_ = true;
  return Status::Ok();
}

Result<IngestResult> IngestorImpl::Ingest(const IngestRequest& request,
                                          const storage::BodyProducer& body) {
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

Result<IngestResult> IngestorImpl::IngestInWorkDir(const IngestRequest& given,
                                                   const storage::BodyProducer& body) {
  LH_RETURN_IF_ERROR(catalog::ValidateDatasetName(given.dataset));
  LH_ASSIGN_OR_RETURN(const IngestRequest request, ValidateCsvOptions(given));
  LH_ASSIGN_OR_RETURN(std::string work_dir, MakeWorkDir());
  ScratchDir scratch(work_dir);
  LH_ASSIGN_OR_RETURN(Spooled source, Spool(scratch.path(), request, options_.max_bytes, body));
  // The hash only goes into the manifest: compute it from the spooled file
  // while DuckDB converts it, rather than on the upload's critical path,
  // unless the spool took it already. (Declared after `scratch`, so joined
  // before the directory is removed.)
  std::future<Result<std::string>> hashing;
  if (!source.sha256) hashing = std::async(std::launch::async, Sha256OfFile, source.path);
  std::optional<Result<std::string>> sha256;
  auto digest = [&]() -> Result<std::string> {
    if (!sha256) sha256 = source.sha256 ? Result<std::string>(*source.sha256) : hashing.get();
    return *sha256;
  };
  LH_ASSIGN_OR_RETURN(const std::optional<catalog::Manifest> current, CurrentForAppend(request));
  LH_RETURN_IF_ERROR(RefuseRepeatedAppend(request, current, source.bytes, digest));

  LH_ASSIGN_OR_RETURN(query::Connection connection, Connect());
  const std::string parquet = scratch.path() + "/data.parquet";
  LH_ASSIGN_OR_RETURN(Converted converted,
                      Convert(connection.get(), source.path, parquet, request, current));
  LH_ASSIGN_OR_RETURN(std::string hex, digest());
  return CommitUpload(connection.get(), request, parquet, converted,
                      catalog::Source{request.file_name, source.bytes, hex});
}

Result<std::optional<catalog::Manifest>> IngestorImpl::CurrentForAppend(
    const IngestRequest& request) {
  if (request.mode != catalog::WriteMode::kAppend) return std::optional<catalog::Manifest>();
  auto current = catalog_.GetCurrent(request.dataset);
  if (current.ok()) return std::optional<catalog::Manifest>(std::move(*current));
  if (current.status().code() == StatusCode::kNotFound) return std::optional<catalog::Manifest>();
  return current.status();
}

Status IngestorImpl::RefuseRepeatedAppend(const IngestRequest& request,
                                          const std::optional<catalog::Manifest>& current,
                                          uint64_t bytes,
                                          const std::function<Result<std::string>()>& digest) {
  if (request.force || !current || !request.key.empty()) return Status::Ok();
  const std::optional<catalog::Source>& held = current->source;
  if (!held || held->bytes != bytes || held->sha256.empty()) return Status::Ok();
  LH_ASSIGN_OR_RETURN(std::string hex, digest());
  if (hex != held->sha256) return Status::Ok();
  return Status::Conflict(
      "version " + std::to_string(current->version) + " of " + request.dataset +
      " was made from a file with exactly these bytes (sha256 " + hex.substr(0, 12) +
      "...); appending it again would add every row twice. Send force=true to append anyway");
}

Result<Converted> IngestorImpl::Convert(duckdb_connection connection, const std::string& path,
                                        const std::string& parquet, const IngestRequest& request,
                                        const std::optional<catalog::Manifest>& current) {
  Converted converted;
  std::optional<CsvPlan>& csv = converted.csv;
  if (request.format == Format::kCsv) {
    auto failed = [&](duckdb_result* result) { return DuckDbFailure(result, path, request); };
    LH_ASSIGN_OR_RETURN(csv, PlanCsv(connection, path, request, failed));
  }
  std::string reader = ReaderSql(path, request, csv, nullptr);
  LH_ASSIGN_OR_RETURN(auto schema, Describe(connection, reader, path, request));
  if (csv && schema.size() != csv->fields) {
    return Status::Unprocessable("cannot read " + UploadName(request) + " as CSV: its rows have " +
                                 std::to_string(csv->fields) + " fields but DuckDB read " +
                                 std::to_string(schema.size()) + " columns");
  }
  std::optional<uint64_t> first_line;
  if (csv) first_line = csv->first_line;
  LH_ASSIGN_OR_RETURN(converted.plan, PlanVersion(request, current, std::move(schema), first_line));
  if (!request.key.empty()) LH_RETURN_IF_ERROR(CheckKeyColumns(request, converted.plan.schema));
  if (converted.plan.read_with_types) {
    reader = ReaderSql(path, request, csv, &converted.plan.schema);
  }

  std::string copy = "COPY (SELECT " + converted.plan.projection + " FROM " + reader + ") TO " +
                     SqlString(parquet) + " (FORMAT parquet, COMPRESSION zstd)";
  query::QueryResult copied;
  if (duckdb_query(connection, copy.c_str(), copied.out()) != DuckDBSuccess) {
    return DuckDbFailure(copied.get(), path, request);
  }
  converted.rows = duckdb_rows_changed(copied.get());
  if (csv && converted.rows != csv->data_rows) {
    // Whatever the cause, storing fewer or more rows than the file holds
    // would change its meaning silently.
    return Status::Unprocessable("cannot read " + UploadName(request) + " as CSV: it has " +
                                 std::to_string(csv->data_rows) + " rows after the header but " +
                                 std::to_string(converted.rows) + " were read; nothing was stored");
  }
  return converted;
}

Result<AppendPlan> IngestorImpl::PlanVersion(const IngestRequest& request,
                                             const std::optional<catalog::Manifest>& current,
                                             std::vector<catalog::Column> upload,
                                             std::optional<uint64_t> first_line) {
  if (current) return PlanAppend(request, *current, upload, first_line);
  AppendPlan plan;
  plan.schema = std::move(upload);
  return plan;
}

Result<IngestResult> IngestorImpl::CommitUpload(duckdb_connection connection,
                                                const IngestRequest& request,
                                                const std::string& parquet,
                                                const Converted& converted,
                                                const catalog::Source& source) {
  const uint64_t rows = converted.rows;
  const std::vector<catalog::Column>& schema = converted.plan.schema;
  const std::optional<catalog::Manifest>& evolved_from = converted.plan.evolved_from;
  if (!request.key.empty()) {
    LH_RETURN_IF_ERROR(CheckUploadKeys(connection, parquet, request, converted.csv));
    return Upsert(request, parquet, rows, schema, source, evolved_from);
  }
  if (evolved_from) {
    LH_ASSIGN_OR_RETURN(catalog::DataFile file, StoreDataFile(request, parquet, rows));
    auto manifest = CommitEvolved(request, file, schema, *evolved_from, source);
    if (!manifest.ok()) {
      RemoveDataFile(request, file.key);
      return manifest.status();
    }
    return IngestResult{std::move(*manifest), rows, 0};
  }
  LH_ASSIGN_OR_RETURN(catalog::Manifest manifest,
                      StoreAndCommit(request, parquet, rows, schema, source));
  spdlog::info("ingest {}: version {} ({} {} rows from {} bytes)", request.dataset,
               manifest.version, catalog::OperationName(manifest.operation), rows, source.bytes);
  return IngestResult{std::move(manifest), rows};
}

Result<std::string> IngestorImpl::MakeWorkDir() const {
  if (options_.make_work_dir) return options_.make_work_dir(options_.scratch_dir);
  std::string dir = options_.scratch_dir + "/ingest-" + RandomId();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return ScratchFailure(ec.value(), "make scratch space for the upload", dir);
  return dir;
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
  if (request.format == Format::kCsv) text = RetellCsvError(text, path, request);
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
