// Iceberg column statistics from a Parquet footer read by DuckDB, and local
// copies of stored Parquet objects to read them from.
#include "iceberg/parquet_stats.h"

#include <utf8proc.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <optional>
#include <regex>
#include <utility>

#include "common/sql_quote.h"
#include "iceberg/duckdb_session.h"
#include "iceberg/schema_mapping.h"
#include "query/duckdb_handles.h"

namespace lakehouse::iceberg {
namespace {

static_assert(std::endian::native == std::endian::little,
              "bounds are serialized by copying little-endian machine words");

struct Decimal {
  int precision = 0;
  int scale = 0;
};

std::optional<Decimal> IcebergDecimal(std::string_view type) {
  static const std::regex kDecimal(R"(decimal\((\d+),\s*(\d+)\))");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(type.begin(), type.end(), m, kDecimal)) return std::nullopt;
  return Decimal{std::stoi(m[1].str()), std::stoi(m[2].str())};
}

// The DuckDB type a bound of an Iceberg type is read as; nullopt for a type
// this code does not know (then the field gets counts but no bounds).
std::optional<std::string> DuckTypeOf(const std::string& iceberg_type) {
  static const std::vector<std::pair<std::string, std::string>> kTypes = {
      {"boolean", "BOOLEAN"}, {"int", "INTEGER"},         {"long", "BIGINT"},
      {"float", "FLOAT"},     {"double", "DOUBLE"},       {"date", "DATE"},
      {"time", "TIME"},       {"timestamp", "TIMESTAMP"}, {"timestamptz", "TIMESTAMPTZ"},
      {"string", "VARCHAR"},  {"binary", "BLOB"},         {"uuid", "UUID"}};
  for (const auto& [ice, duck] : kTypes) {
    if (iceberg_type == ice) return duck;
  }
  if (auto d = IcebergDecimal(iceberg_type)) {
    return "DECIMAL(" + std::to_string(d->precision) + "," + std::to_string(d->scale) + ")";
  }
  return std::nullopt;
}

// Whether a column the file stores as Iceberg type `file` reads as `field`
// unchanged: the same type, or one of Iceberg's type promotions.
bool ReadsAs(const std::string& file, const std::string& field) {
  if (file == field) return true;
  if (file == "int" && field == "long") return true;
  if (file == "float" && field == "double") return true;
  auto from = IcebergDecimal(file);
  auto to = IcebergDecimal(field);
  return from && to && from->scale == to->scale && from->precision <= to->precision;
}

void AppendLittleEndian(std::string& out, uint64_t bits, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
}

template <typename T>
std::string LittleEndian(T value) {
  std::string out;
  if constexpr (sizeof(T) == 4) {
    AppendLittleEndian(out, std::bit_cast<uint32_t>(value), 4);
  } else {
    AppendLittleEndian(out, std::bit_cast<uint64_t>(value), 8);
  }
  return out;
}

// A two's complement 128-bit value as the fewest big-endian bytes that keep
// its sign: Iceberg's decimal serialization.
std::string MinimalBigEndian(int64_t upper, uint64_t lower) {
  std::string bytes;
  for (int i = 7; i >= 0; --i) {
    bytes.push_back(static_cast<char>((static_cast<uint64_t>(upper) >> (8 * i)) & 0xFF));
  }
  for (int i = 7; i >= 0; --i) bytes.push_back(static_cast<char>((lower >> (8 * i)) & 0xFF));
  size_t skip = 0;
  while (skip + 1 < bytes.size()) {
    auto lead = static_cast<uint8_t>(bytes[skip]);
    bool next_negative = (static_cast<uint8_t>(bytes[skip + 1]) & 0x80) != 0;
    if (!((lead == 0x00 && !next_negative) || (lead == 0xFF && next_negative))) break;
    ++skip;
  }
  return bytes.substr(skip);
}

// The longest prefix of at most kBoundTruncateBytes that does not split a
// UTF-8 sequence.
size_t Utf8Cut(std::string_view text) {
  size_t cut = std::min(text.size(), kBoundTruncateBytes);
  while (cut > 0 && cut < text.size() && (static_cast<uint8_t>(text[cut]) & 0xC0) == 0x80) --cut;
  return cut;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  utf8proc_uint8_t buffer[4];
  const utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buffer);
  out.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
}

// The code point of the (valid) UTF-8 sequence text[start..].
uint32_t DecodeUtf8(std::string_view text, size_t start) {
  auto lead = static_cast<uint8_t>(text[start]);
  size_t length = text.size() - start;
  uint32_t cp = length == 1 ? lead : lead & (0x7F >> length);
  for (size_t i = start + 1; i < text.size(); ++i) {
    cp = (cp << 6) | (static_cast<uint8_t>(text[i]) & 0x3F);
  }
  return cp;
}

std::string StringLowerBound(std::string_view text) {
  return std::string(text.substr(0, Utf8Cut(text)));
}

// Iceberg's truncated upper bound: the truncated prefix with its last code
// point that can be incremented incremented (surrogates skipped), the code
// points after it dropped.
std::optional<std::string> StringUpperBound(std::string_view text) {
  if (text.size() <= kBoundTruncateBytes) return std::string(text);
  std::string_view prefix = text.substr(0, Utf8Cut(text));
  while (!prefix.empty()) {
    size_t start = prefix.size() - 1;
    while (start > 0 && (static_cast<uint8_t>(prefix[start]) & 0xC0) == 0x80) --start;
    uint32_t cp = DecodeUtf8(prefix, start);
    if (cp < 0x10FFFF) {
      uint32_t next = cp + 1 == 0xD800 ? 0xE000 : cp + 1;
      std::string bound(prefix.substr(0, start));
      AppendUtf8(bound, next);
      return bound;
    }
    prefix = prefix.substr(0, start);
  }
  return std::nullopt;
}

std::string BinaryLowerBound(std::string_view bytes) {
  return std::string(bytes.substr(0, std::min(bytes.size(), kBoundTruncateBytes)));
}

std::optional<std::string> BinaryUpperBound(std::string_view bytes) {
  if (bytes.size() <= kBoundTruncateBytes) return std::string(bytes);
  std::string bound(bytes.substr(0, kBoundTruncateBytes));
  while (!bound.empty()) {
    auto last = static_cast<uint8_t>(bound.back());
    if (last != 0xFF) {
      bound.back() = static_cast<char>(last + 1);
      return bound;
    }
    bound.pop_back();
  }
  return std::nullopt;
}

// "0a1b...-..." as 16 big-endian bytes.
std::optional<std::string> UuidBytes(std::string_view text) {
  std::string bytes;
  int high = -1;
  for (char c : text) {
    if (c == '-') continue;
    int nibble = c >= '0' && c <= '9'   ? c - '0'
                 : c >= 'a' && c <= 'f' ? c - 'a' + 10
                 : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                        : -1;
    if (nibble < 0) return std::nullopt;
    if (high < 0) {
      high = nibble;
    } else {
      bytes.push_back(static_cast<char>((high << 4) | nibble));
      high = -1;
    }
  }
  if (bytes.size() != 16 || high >= 0) return std::nullopt;
  return bytes;
}

// One cell of the first row of a chunk's column.
class Cell {
 public:
  Cell(duckdb_data_chunk chunk, idx_t column)
      : vector_(duckdb_data_chunk_get_vector(chunk, column)) {}

  bool null() const {
    uint64_t* validity = duckdb_vector_get_validity(vector_);
    return validity != nullptr && !duckdb_validity_row_is_valid(validity, 0);
  }
  template <typename T>
  T As() const {
    return static_cast<const T*>(duckdb_vector_get_data(vector_))[0];
  }
  std::string_view Bytes() const {
    auto* value = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector_));
    return {duckdb_string_t_data(value), duckdb_string_t_length(*value)};
  }
  std::optional<int64_t> Int64() const {
    return null() ? std::nullopt : std::optional<int64_t>(As<int64_t>());
  }
  duckdb_type DecimalInternalType() const {
    query::LogicalType type(duckdb_vector_get_column_type(vector_));
    return duckdb_decimal_internal_type(type.get());
  }

 private:
  duckdb_vector vector_;
};

std::optional<std::string> SerializeDecimal(const Cell& cell) {
  switch (cell.DecimalInternalType()) {
    case DUCKDB_TYPE_SMALLINT:
      return MinimalBigEndian(cell.As<int16_t>() < 0 ? -1 : 0,
                              static_cast<uint64_t>(static_cast<int64_t>(cell.As<int16_t>())));
    case DUCKDB_TYPE_INTEGER:
      return MinimalBigEndian(cell.As<int32_t>() < 0 ? -1 : 0,
                              static_cast<uint64_t>(static_cast<int64_t>(cell.As<int32_t>())));
    case DUCKDB_TYPE_BIGINT:
      return MinimalBigEndian(cell.As<int64_t>() < 0 ? -1 : 0,
                              static_cast<uint64_t>(cell.As<int64_t>()));
    case DUCKDB_TYPE_HUGEINT: {
      auto value = cell.As<duckdb_hugeint>();
      return MinimalBigEndian(value.upper, value.lower);
    }
    default:
      return std::nullopt;
  }
}

enum class Side { kLower, kUpper };

// A bound cell (already of DuckDB type DuckTypeOf(type); a uuid as VARCHAR)
// in Iceberg's single-value serialization of `type`.
std::optional<std::string> SerializeBound(const Cell& cell, const std::string& type, Side side) {
  if (cell.null()) return std::nullopt;
  if (type == "boolean") return std::string(1, cell.As<bool>() ? '\x01' : '\x00');
  if (type == "int" || type == "date") return LittleEndian(cell.As<int32_t>());
  if (type == "long" || type == "time" || type == "timestamp" || type == "timestamptz") {
    return LittleEndian(cell.As<int64_t>());
  }
  if (type == "float") {
    auto value = cell.As<float>();
    return std::isnan(value) ? std::nullopt : std::optional(LittleEndian(value));
  }
  if (type == "double") {
    auto value = cell.As<double>();
    return std::isnan(value) ? std::nullopt : std::optional(LittleEndian(value));
  }
  if (type == "string") {
    return side == Side::kLower ? StringLowerBound(cell.Bytes()) : StringUpperBound(cell.Bytes());
  }
  if (type == "binary") {
    return side == Side::kLower ? BinaryLowerBound(cell.Bytes()) : BinaryUpperBound(cell.Bytes());
  }
  if (type == "uuid") return UuidBytes(cell.Bytes());
  if (IcebergDecimal(type)) return SerializeDecimal(cell);
  return std::nullopt;
}

// The SQL of one column's statistics over the row groups of `chunks`.
// `bounds` casts each row group's min/max text to the file's type first
// (the text DuckDB printed for it), then to the field's.
std::string ColumnStatsSql(const std::optional<std::pair<std::string, std::string>>& bounds,
                           bool uuid) {
  std::string lo = "NULL";
  std::string hi = "NULL";
  if (bounds) {
    auto cast = [&](const char* column) {
      return "TRY_CAST(TRY_CAST(" + std::string(column) + " AS " + bounds->first + ") AS " +
             bounds->second + ")";
    };
    lo = cast("stats_min_value");
    hi = cast("stats_max_value");
  }
  // A row group of nulls alone has no min or max, and needs none.
  auto bound = [&](const char* agg, const char* column) {
    std::string sql = std::string("CASE WHEN bool_and(") + column +
                      " IS NOT NULL OR coalesce(stats_null_count = num_values, false)) THEN " +
                      agg + "(" + column + ") END";
    return uuid ? "(" + sql + ")::VARCHAR" : sql;
  };
  return "SELECT coalesce(sum(total_compressed_size), 0)::BIGINT, "
         "coalesce(sum(num_values), 0)::BIGINT, "
         "CASE WHEN count(stats_null_count) = count(*) "
         "THEN coalesce(sum(stats_null_count), 0) END::BIGINT, " +
         bound("min", "lo") + ", " + bound("max", "hi") + " FROM (SELECT *, " + lo + " AS lo, " +
         hi + " AS hi FROM chunks WHERE name = $1)";
}

class FooterReader {
 public:
  FooterReader(DuckSession& session, const std::string& path, std::string_view key)
      : connection_(session.connection()), path_(path), key_(key) {}

  Status Query(const std::string& sql, query::QueryResult& result) {
    if (duckdb_query(connection_, sql.c_str(), result.out()) != DuckDBSuccess) {
      return Failure(result);
    }
    return Status::Ok();
  }

  Status Failure(query::QueryResult& result) {
    return Status::IoError("cannot read the Parquet footer of " + std::string(key_) + ": " +
                           ScrubbedError(result.get(), path_, key_));
  }

  // Loads the footer's column chunks into the temp table `chunks`.
  Status LoadChunks() {
    query::QueryResult result;
    return Query(
        "CREATE TEMP TABLE chunks AS SELECT path_in_schema AS name, num_values, "
        "total_compressed_size, stats_null_count, stats_min_value, stats_max_value "
        "FROM parquet_metadata(" +
            SqlString(path_) + ")",
        result);
  }

  Result<int64_t> RecordCount() {
    query::QueryResult result;
    LH_RETURN_IF_ERROR(
        Query("SELECT num_rows FROM parquet_file_metadata(" + SqlString(path_) + ")", result));
    query::DataChunk chunk(duckdb_fetch_chunk(*result.get()));
    if (!chunk || duckdb_data_chunk_get_size(chunk.get()) == 0) return int64_t{0};
    return Cell(chunk.get(), 0).Int64().value_or(0);
  }

  // The file's top-level columns and their DuckDB types, by name.
  Result<std::vector<std::pair<std::string, std::string>>> Columns() {
    query::QueryResult result;
    LH_RETURN_IF_ERROR(Query(
        "DESCRIBE SELECT * FROM read_parquet(" + SqlString(path_) + ", hive_partitioning = false)",
        result));
    std::vector<std::pair<std::string, std::string>> columns;
    for (idx_t row = 0; row < duckdb_row_count(result.get()); ++row) {
      char* name = duckdb_value_varchar(result.get(), 0, row);
      char* type = duckdb_value_varchar(result.get(), 1, row);
      if (name != nullptr && type != nullptr) columns.emplace_back(name, type);
      duckdb_free(name);
      duckdb_free(type);
    }
    return columns;
  }

  // `file_type` is the column's DuckDB type, `file_iceberg` its Iceberg one.
  Result<ColumnStats> Stats(const Field& field, const std::string& file_type,
                            const std::string& file_iceberg) {
    std::optional<std::pair<std::string, std::string>> bounds;
    auto field_duck = DuckTypeOf(field.type);
    if (field_duck && ReadsAs(file_iceberg, field.type)) bounds.emplace(file_type, *field_duck);
    query::Prepared statement;
    std::string sql = ColumnStatsSql(bounds, field.type == "uuid");
    if (duckdb_prepare(connection_, sql.c_str(), statement.out()) != DuckDBSuccess) {
      return Status::Internal(std::string("cannot prepare the statistics query: ") +
                              duckdb_prepare_error(statement.get()));
    }
    duckdb_bind_varchar_length(statement.get(), 1, field.name.data(), field.name.size());
    query::QueryResult result;
    if (duckdb_execute_prepared(statement.get(), result.out()) != DuckDBSuccess) {
      return Failure(result);
    }
    query::DataChunk chunk(duckdb_fetch_chunk(*result.get()));
    if (!chunk || duckdb_data_chunk_get_size(chunk.get()) == 0) {
      return Status::Internal("the statistics query returned no row");
    }
    ColumnStats stats;
    stats.field_id = field.id;
    stats.column_size = Cell(chunk.get(), 0).Int64();
    stats.value_count = Cell(chunk.get(), 1).Int64();
    stats.null_value_count = Cell(chunk.get(), 2).Int64();
    if (bounds) {
      stats.lower_bound = SerializeBound(Cell(chunk.get(), 3), field.type, Side::kLower);
      stats.upper_bound = SerializeBound(Cell(chunk.get(), 4), field.type, Side::kUpper);
    }
    return stats;
  }

 private:
  duckdb_connection connection_;
  const std::string& path_;
  std::string_view key_;
};

// Receives a Get into an open file descriptor.
class FileSink final : public storage::ObjectSink {
 public:
  FileSink(int fd, std::string_view key) : fd_(fd), key_(key) {}
  Status OnInfo(const storage::ObjectInfo&) override { return Status::Ok(); }
  Status OnData(std::string_view chunk) override {
    while (!chunk.empty()) {
      ssize_t n = ::write(fd_, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::FromErrno(errno, "write a local copy of " + std::string(key_));
      chunk.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }

 private:
  int fd_;
  std::string_view key_;
};

}  // namespace

Result<ParquetFileStats> ReadParquetStats(const std::string& path, std::string_view key,
                                          const std::vector<Field>& fields) {
  LH_ASSIGN_OR_RETURN(DuckSession session, DuckSession::Open({.files = {path}, .directories = {}}));
  FooterReader reader(session, path, key);
  LH_RETURN_IF_ERROR(reader.LoadChunks());
  ParquetFileStats stats;
  LH_ASSIGN_OR_RETURN(stats.record_count, reader.RecordCount());
  LH_ASSIGN_OR_RETURN(auto columns, reader.Columns());
  for (const Field& field : fields) {
    auto column = std::find_if(columns.begin(), columns.end(),
                               [&](const auto& c) { return c.first == field.name; });
    if (column == columns.end()) continue;
    // A nested column has no single chunk to answer for it.
    auto file_iceberg = IcebergTypeOf(column->second);
    if (!file_iceberg.ok()) continue;
    LH_ASSIGN_OR_RETURN(ColumnStats column_stats,
                        reader.Stats(field, column->second, *file_iceberg));
    stats.columns.push_back(std::move(column_stats));
  }
  std::sort(stats.columns.begin(), stats.columns.end(),
            [](const ColumnStats& a, const ColumnStats& b) { return a.field_id < b.field_id; });
  return stats;
}

LocalParquetFile::LocalParquetFile(LocalParquetFile&& other) noexcept
    : path_(std::move(other.path_)), temporary_(std::exchange(other.temporary_, false)) {
  other.path_.clear();
}

LocalParquetFile& LocalParquetFile::operator=(LocalParquetFile&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::move(other.path_);
    temporary_ = std::exchange(other.temporary_, false);
    other.path_.clear();
  }
  return *this;
}

LocalParquetFile::~LocalParquetFile() { Remove(); }

void LocalParquetFile::Remove() {
  if (temporary_ && !path_.empty()) ::unlink(path_.c_str());
  temporary_ = false;
}

Result<LocalParquetFile> OpenLocalParquet(storage::ObjectStore& store, std::string_view key,
                                          const std::string& scratch_dir) {
  if (auto local = store.LocalPathOf(key)) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*local, ec)) {
      return Status::NotFound("no object " + std::string(key));
    }
    return LocalParquetFile(*local, false);
  }
  std::error_code ec;
  std::filesystem::create_directories(scratch_dir, ec);
  if (ec) return Status::FromErrno(ec.value(), "create " + scratch_dir);
  std::string pattern = scratch_dir + "/parquet-XXXXXX";
  int fd = ::mkstemp(pattern.data());
  if (fd < 0) return Status::FromErrno(errno, "create a temp file in " + scratch_dir);
  // From here the handle owns the file, so every failure below removes it.
  LocalParquetFile file(pattern, true);
  FileSink sink(fd, key);
  auto got = store.Get(key, sink);
  int closed = ::close(fd);
  if (!got.ok()) return got.status();
  if (closed != 0) return Status::FromErrno(errno, "write a local copy of " + std::string(key));
  return file;
}

}  // namespace lakehouse::iceberg
