#include "ingest/ingestor.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <random>

#include "common/logging.h"
#include "query/duckdb_handles.h"

namespace lakehouse::ingest {
namespace {

using query::SqlIdentifier;
using query::SqlString;

constexpr size_t kSpoolBlock = 1 << 20;

std::string RandomId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buffer;
}

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

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  void Update(std::string_view data) { EVP_DigestUpdate(ctx_, data.data(), data.size()); }
  std::string HexDigest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx_, digest, &length);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < length; ++i) {
      out.push_back(kHex[digest[i] >> 4]);
      out.push_back(kHex[digest[i] & 0xF]);
    }
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

// The SHA-256 of a file, as hex.
Result<std::string> Sha256OfFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  Sha256 hash;
  std::unique_ptr<char[]> buffer(new char[kSpoolBlock]);
  while (true) {
    ssize_t n = ::read(fd, buffer.get(), kSpoolBlock);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status error = Status::FromErrno(errno, "read " + path);
      ::close(fd);
      return error;
    }
    if (n == 0) break;
    hash.Update(std::string_view(buffer.get(), static_cast<size_t>(n)));
  }
  ::close(fd);
  return hash.HexDigest();
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

// The most frequent of , ; tab | in the file's first line, if any.
std::optional<char> HeaderDelimiter(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::getline(in, line);
  std::optional<char> best;
  size_t best_count = 0;
  for (char candidate : {',', ';', '\t', '|'}) {
    size_t count = static_cast<size_t>(std::count(line.begin(), line.end(), candidate));
    if (count > best_count) {
      best = candidate;
      best_count = count;
    }
  }
  return best;
}

// The first record whose field count differs from the header's, reading
// RFC 4180 quoting: {line it starts on, its fields, the header's fields}.
struct RaggedRow {
  uint64_t line;
  size_t fields;
  size_t expected;
};
std::optional<RaggedRow> FirstRaggedRow(const std::string& path, char delimiter) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buffer(1 << 16);
  bool quoted = false;
  bool record_has_data = false;
  size_t fields = 1;
  std::optional<size_t> expected;
  uint64_t line = 1;
  uint64_t record_line = 1;
  char previous = 0;
  auto end_record = [&]() -> std::optional<RaggedRow> {
    if (record_has_data) {
      if (!expected) {
        expected = fields;
      } else if (fields != *expected) {
        return RaggedRow{record_line, fields, *expected};
      }
    }
    fields = 1;
    record_has_data = false;
    record_line = line;
    return std::nullopt;
  };
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      char c = buffer[static_cast<size_t>(i)];
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '\n') {
        ++line;
        if (!quoted) {
          if (auto ragged = end_record()) return ragged;
        }
      } else if (c == delimiter && !quoted) {
        ++fields;
      }
      if (c != '\n' && c != '\r') record_has_data = true;
      previous = c;
    }
  }
  (void)previous;
  return end_record();
}

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
    // Ingest SQL is ours, but the file content is not: fence this database to
    // the scratch directory too.
    for (const std::string& sql :
         {"SET threads = " + std::to_string(options_.threads),
          "SET memory_limit = " + SqlString(options_.memory_limit),
          "SET temp_directory = " + SqlString(options_.scratch_dir + "/spill"),
          std::string("SET autoinstall_known_extensions = false"),
          std::string("SET autoload_known_extensions = false"),
          "SET allowed_directories = [" + SqlString(options_.scratch_dir + "/") + "]",
          std::string("SET enable_external_access = false"),
          std::string("SET lock_configuration = true")}) {
      LH_RETURN_IF_ERROR(query::Exec(setup.get(), sql));
    }
    return Status::Ok();
  }

  Result<IngestResult> Ingest(const IngestRequest& request,
                              const storage::BodyProducer& body) override;

 private:
  struct Spooled {
    std::string path;
    uint64_t bytes = 0;
    std::string sha256;
  };
  Result<Spooled> Spool(const std::string& dir, const IngestRequest& request,
                        const storage::BodyProducer& body);
  std::string ReaderSql(const std::string& path, const IngestRequest& request,
                        std::optional<char> delimiter,
                        const std::vector<catalog::Column>* types) const;
  Result<std::vector<catalog::Column>> Describe(duckdb_connection connection,
                                                const std::string& reader, const std::string& path,
                                                const IngestRequest& request);
  // A DuckDB error about the scratch file, retold in terms of the upload.
  Status InputError(const std::string& message, const std::string& path,
                    const IngestRequest& request) const;

  IngestOptions options_;
  storage::ObjectStore& store_;
  catalog::Catalog& catalog_;
  query::Database database_;
};

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
  int fd = ::open(spooled.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno(errno, "create " + spooled.path);
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
        return Status::FromErrno(errno, "write " + spooled.path);
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
    if (block.size() + chunk.size() > kSpoolBlock) LH_RETURN_IF_ERROR(flush());
    if (chunk.size() >= kSpoolBlock) return write_all(chunk);
    block.insert(block.end(), chunk.begin(), chunk.end());
    return Status::Ok();
  });
  if (produced.ok()) produced = flush();
  ::close(fd);
  LH_RETURN_IF_ERROR(produced);
  if (spooled.bytes == 0) return Status::InvalidArgument("the file is empty");
  return spooled;
}

std::string IngestorImpl::ReaderSql(const std::string& path, const IngestRequest& request,
                                    std::optional<char> delimiter,
                                    const std::vector<catalog::Column>* types) const {
  switch (request.format) {
    case Format::kCsv: {
      // strict_mode: a row with the wrong number of fields is an error, not a
      // silently padded row. Types, when given, make every value prove it fits.
      std::string sql = "read_csv(" + SqlString(path) +
                        ", auto_detect = true, strict_mode = true, null_padding = false";
      if (delimiter) sql += ", delim = " + SqlString(std::string(1, *delimiter));
      if (request.header) sql += std::string(", header = ") + (*request.header ? "true" : "false");
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
      return "read_json(" + SqlString(path) + ", format = 'auto')";
    case Format::kParquet:
      return "read_parquet(" + SqlString(path) + ")";
  }
  return "";
}

Status IngestorImpl::InputError(const std::string& message, const std::string& path,
                                const IngestRequest& request) const {
  std::string text = message;
  // DuckDB quotes the statement it was running; that is ours, not the user's.
  if (size_t context = text.find("\n\nLINE 1:"); context != std::string::npos) {
    text.resize(context);
  }
  const std::string name = request.file_name.empty() ? "the upload" : request.file_name;
  for (size_t at = text.find(path); at != std::string::npos; at = text.find(path, at)) {
    text.replace(at, path.size(), name);
    at += name.size();
  }
  static constexpr const char* kNames[] = {"CSV", "JSON", "Parquet"};
  return Status::InvalidArgument("cannot read " + name + " as " +
                                 kNames[static_cast<int>(request.format)] + ": " + text);
}

Result<std::vector<catalog::Column>> IngestorImpl::Describe(duckdb_connection connection,
                                                            const std::string& reader,
                                                            const std::string& path,
                                                            const IngestRequest& request) {
  query::QueryResult result;
  std::string sql = "DESCRIBE SELECT * FROM " + reader;
  if (duckdb_query(connection, sql.c_str(), result.out()) != DuckDBSuccess) {
    return InputError(duckdb_result_error(result.get()), path, request);
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

Result<IngestResult> IngestorImpl::Ingest(const IngestRequest& request,
                                          const storage::BodyProducer& body) {
  LH_RETURN_IF_ERROR(catalog::ValidateDatasetName(request.dataset));
  ScratchDir scratch(options_.scratch_dir + "/ingest-" + RandomId());
  std::error_code ec;
  std::filesystem::create_directories(scratch.path(), ec);
  if (ec) return Status::FromErrno(ec.value(), "create " + scratch.path());
  LH_ASSIGN_OR_RETURN(Spooled source, Spool(scratch.path(), request, body));
  if (request.format == Format::kJson && LastNonSpace(source.path) == ',') {
    // DuckDB reads an array cut short after a comma as if it were closed:
    // a truncated file would silently lose its tail.
    return Status::InvalidArgument(
        "cannot read " + (request.file_name.empty() ? "the upload" : request.file_name) +
        " as JSON: Malformed JSON: the file ends with a comma (is it cut short?)");
  }
  // The hash only goes into the manifest: compute it from the spooled file
  // while DuckDB converts it, rather than on the upload's critical path.
  // (Declared after `scratch`, so joined before the directory is removed.)
  auto sha256 = std::async(std::launch::async, Sha256OfFile, source.path);

  query::Connection connection;
  if (duckdb_connect(database_.get(), connection.out()) != DuckDBSuccess) {
    return Status::Internal("cannot connect to DuckDB");
  }
  std::optional<char> delimiter = request.delimiter;
  std::string reader = ReaderSql(source.path, request, delimiter, nullptr);
  LH_ASSIGN_OR_RETURN(auto schema, Describe(connection.get(), reader, source.path, request));
  if (request.format == Format::kCsv && !delimiter && schema.size() == 1) {
    // The sniffer settles on one column when rows disagree on their field
    // count. If the header plainly has a delimiter, read with it, so the
    // strict reader names the row that breaks ranks.
    if (auto guessed = HeaderDelimiter(source.path)) {
      if (auto ragged = FirstRaggedRow(source.path, *guessed)) {
        return Status::InvalidArgument(
            "cannot read " + (request.file_name.empty() ? "the upload" : request.file_name) +
            " as CSV: the row on line " + std::to_string(ragged->line) + " has " +
            std::to_string(ragged->fields) + " fields; the header has " +
            std::to_string(ragged->expected));
      }
    }
  }

  // An append is read as, or cast to, the dataset's current schema.
  std::string projection = "*";
  if (request.mode == catalog::WriteMode::kAppend) {
    auto current = catalog_.GetCurrent(request.dataset);
    if (!current.ok() && current.status().code() != StatusCode::kNotFound) return current.status();
    if (current.ok()) {
      const auto& existing = current->schema;
      if (existing.size() != schema.size()) {
        return Status::Unprocessable("dataset " + request.dataset + " has " +
                                     std::to_string(existing.size()) + " columns; the file has " +
                                     std::to_string(schema.size()));
      }
      projection.clear();
      for (size_t i = 0; i < existing.size(); ++i) {
        if (existing[i].name != schema[i].name) {
          return Status::Unprocessable("column " + std::to_string(i + 1) + " of dataset " +
                                       request.dataset + " is \"" + existing[i].name +
                                       "\"; the file has \"" + schema[i].name + "\"");
        }
        if (request.format != Format::kCsv && !SafeWidening(schema[i].type, existing[i].type)) {
          return Status::Unprocessable("column \"" + schema[i].name + "\" of dataset " +
                                       request.dataset + " is " + existing[i].type +
                                       "; the file has " + schema[i].type +
                                       ", which cannot be appended safely (overwrite instead)");
        }
        projection += (i ? ", " : "") + std::string("CAST(") + SqlIdentifier(schema[i].name) +
                      " AS " + existing[i].type + ") AS " + SqlIdentifier(schema[i].name);
      }
      if (request.format == Format::kCsv) {
        reader = ReaderSql(source.path, request, delimiter, &existing);
      }
      schema = existing;
    }
  }

  const std::string parquet = scratch.path() + "/data.parquet";
  std::string copy = "COPY (SELECT " + projection + " FROM " + reader + ") TO " +
                     SqlString(parquet) + " (FORMAT parquet, COMPRESSION zstd)";
  query::QueryResult copied;
  if (duckdb_query(connection.get(), copy.c_str(), copied.out()) != DuckDBSuccess) {
    return InputError(duckdb_result_error(copied.get()), source.path, request);
  }
  uint64_t rows = duckdb_rows_changed(copied.get());
  uint64_t bytes = std::filesystem::file_size(parquet, ec);

  catalog::DataFile file{catalog::DataFilePrefix(request.dataset) + RandomId() + ".parquet", rows,
                         bytes};
  auto stored = store_.PutFile(file.key, parquet, storage::PutMode::kIfAbsent);
  if (!stored.ok()) return stored.status();
  file.bytes = stored->size;

  catalog::CommitRequest commit;
  commit.dataset = request.dataset;
  commit.mode = request.mode;
  commit.schema = schema;
  commit.files = {file};
  LH_ASSIGN_OR_RETURN(source.sha256, sha256.get());
  commit.source = catalog::Source{request.file_name, source.bytes, source.sha256};
  auto manifest = catalog_.Commit(commit);
  if (!manifest.ok()) {
    if (Status removed = store_.Delete(file.key); !removed.ok()) {
      spdlog::warn("ingest {}: could not remove {} after a failed commit: {}", request.dataset,
                   file.key, removed.ToString());
    }
    return manifest.status();
  }
  spdlog::info("ingest {}: version {} ({} {} rows from {} bytes)", request.dataset,
               manifest->version, catalog::OperationName(manifest->operation), rows, source.bytes);
  return IngestResult{std::move(*manifest), rows};
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
