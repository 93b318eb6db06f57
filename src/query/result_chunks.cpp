// Reads DuckDB result chunks column by column into JSON rows or CSV lines.
#include "query/result_chunks.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace lakehouse::query {
namespace {

std::string_view StringOf(const duckdb_string_t& s) {
  uint32_t length = s.value.inlined.length;
  if (length <= 12) return {s.value.inlined.inlined, length};
  return {s.value.pointer.ptr, length};
}

bool IsValid(const uint64_t* validity, idx_t row) {
  return validity == nullptr || duckdb_validity_row_is_valid(const_cast<uint64_t*>(validity), row);
}

template <typename T>
void AppendNumber(T value, std::string& out) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

void AppendTwo(int value, std::string& out) {
  out.push_back(static_cast<char>('0' + value / 10));
  out.push_back(static_cast<char>('0' + value % 10));
}

// Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
void AppendDate(int64_t days, std::string& out) {
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  int64_t doe = days - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  if (y >= 0 && y <= 9999) {
    char buffer[4] = {static_cast<char>('0' + y / 1000), static_cast<char>('0' + y / 100 % 10),
                      static_cast<char>('0' + y / 10 % 10), static_cast<char>('0' + y % 10)};
    out.append(buffer, 4);
  } else {
    AppendNumber(y, out);
  }
  out.push_back('-');
  AppendTwo(static_cast<int>(m), out);
  out.push_back('-');
  AppendTwo(static_cast<int>(d), out);
}

void AppendTimestamp(int64_t micros, std::string& out) {
  int64_t days = micros / 86400000000LL;
  int64_t rest = micros % 86400000000LL;
  if (rest < 0) {
    rest += 86400000000LL;
    --days;
  }
  AppendDate(days, out);
  out.push_back(' ');
  int64_t seconds = rest / 1000000;
  AppendTwo(static_cast<int>(seconds / 3600), out);
  out.push_back(':');
  AppendTwo(static_cast<int>(seconds / 60 % 60), out);
  out.push_back(':');
  AppendTwo(static_cast<int>(seconds % 60), out);
  if (int64_t fraction = rest % 1000000; fraction != 0) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, ".%06lld", static_cast<long long>(fraction));
    out.append(buffer);
  }
}

void AppendDecimal(int64_t value, uint8_t scale, std::string& out) {
  if (scale == 0) return AppendNumber(value, out);
  bool negative = value < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  char digits[32];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, magnitude);
  std::string_view text(digits, static_cast<size_t>(end - digits));
  if (negative) out.push_back('-');
  if (text.size() <= scale) {
    out += "0.";
    out.append(scale - text.size(), '0');
    out += text;
  } else {
    out += text.substr(0, text.size() - scale);
    out.push_back('.');
    out += text.substr(text.size() - scale);
  }
}

int64_t SignedAt(const void* data, duckdb_type type, idx_t row) {
  switch (type) {
    case DUCKDB_TYPE_TINYINT:
      return static_cast<const int8_t*>(data)[row];
    case DUCKDB_TYPE_SMALLINT:
      return static_cast<const int16_t*>(data)[row];
    case DUCKDB_TYPE_INTEGER:
      return static_cast<const int32_t*>(data)[row];
    default:
      return static_cast<const int64_t*>(data)[row];
  }
}

uint64_t UnsignedAt(const void* data, duckdb_type type, idx_t row) {
  switch (type) {
    case DUCKDB_TYPE_UTINYINT:
      return static_cast<const uint8_t*>(data)[row];
    case DUCKDB_TYPE_USMALLINT:
      return static_cast<const uint16_t*>(data)[row];
    case DUCKDB_TYPE_UINTEGER:
      return static_cast<const uint32_t*>(data)[row];
    default:
      return static_cast<const uint64_t*>(data)[row];
  }
}

// Appends one non-NULL value in its plain text form (no JSON quoting).
// Returns false for values that have no JSON number form (NaN, infinity).
bool AppendPlain(const ColumnLayout& column, const void* data, idx_t row, std::string& out) {
  switch (column.encoding) {
    case ColumnEncoding::kBoolean:
      out += static_cast<const bool*>(data)[row] ? "true" : "false";
      return true;
    case ColumnEncoding::kSigned:
      AppendNumber(SignedAt(data, column.physical, row), out);
      return true;
    case ColumnEncoding::kUnsigned:
      AppendNumber(UnsignedAt(data, column.physical, row), out);
      return true;
    case ColumnEncoding::kFloat: {
      float v = static_cast<const float*>(data)[row];
      if (!std::isfinite(v)) return false;
      AppendNumber(v, out);
      return true;
    }
    case ColumnEncoding::kDouble: {
      double v = static_cast<const double*>(data)[row];
      if (!std::isfinite(v)) return false;
      AppendNumber(v, out);
      return true;
    }
    case ColumnEncoding::kDate:
      AppendDate(static_cast<const int32_t*>(data)[row], out);
      return true;
    case ColumnEncoding::kTimestamp:
      AppendTimestamp(static_cast<const int64_t*>(data)[row], out);
      return true;
    case ColumnEncoding::kDecimal:
      AppendDecimal(SignedAt(data, column.physical, row), column.decimal_scale, out);
      return true;
    case ColumnEncoding::kString:
    case ColumnEncoding::kRawJson:
      out += StringOf(static_cast<const duckdb_string_t*>(data)[row]);
      return true;
  }
  return false;
}

// The data and validity pointers of every column of a chunk.
struct ChunkColumns {
  ChunkColumns(duckdb_data_chunk chunk, size_t columns) : data(columns), validity(columns) {
    for (size_t c = 0; c < columns; ++c) {
      duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, c);
      data[c] = duckdb_vector_get_data(vector);
      validity[c] = duckdb_vector_get_validity(vector);
    }
  }
  std::vector<const void*> data;
  std::vector<const uint64_t*> validity;
};

void AppendTextCell(const ColumnLayout& column, const void* data, idx_t row, std::string& out) {
  switch (column.encoding) {
    case ColumnEncoding::kBoolean:
      out.push_back(static_cast<const bool*>(data)[row] ? 't' : 'f');
      return;
    case ColumnEncoding::kFloat:
    case ColumnEncoding::kDouble: {
      double v = column.encoding == ColumnEncoding::kFloat ? static_cast<const float*>(data)[row]
                                                           : static_cast<const double*>(data)[row];
      if (std::isnan(v)) {
        out += "NaN";
      } else if (std::isinf(v)) {
        out += v > 0 ? "Infinity" : "-Infinity";
      } else {
        AppendPlain(column, data, row, out);
      }
      return;
    }
    case ColumnEncoding::kString:
      if (column.value == ValueType::kInterval) {
        AppendIntervalText(StringOf(static_cast<const duckdb_string_t*>(data)[row]), out);
        return;
      }
      AppendPlain(column, data, row, out);
      return;
    case ColumnEncoding::kRawJson:
      if (column.value == ValueType::kList) {
        AppendArrayFromJson(StringOf(static_cast<const duckdb_string_t*>(data)[row]), out);
        return;
      }
      [[fallthrough]];
    default:
      AppendPlain(column, data, row, out);
  }
}

}  // namespace

bool IsNested(duckdb_type type) {
  return type == DUCKDB_TYPE_LIST || type == DUCKDB_TYPE_STRUCT || type == DUCKDB_TYPE_MAP ||
         type == DUCKDB_TYPE_ARRAY || type == DUCKDB_TYPE_UNION;
}

bool IsNativelyFormatted(duckdb_logical_type type) {
  switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_DATE:
    case DUCKDB_TYPE_TIMESTAMP:
      return true;
    case DUCKDB_TYPE_DECIMAL:
      return duckdb_decimal_internal_type(type) != DUCKDB_TYPE_HUGEINT;
    default:
      return false;
  }
}

std::string TypeName(duckdb_logical_type type) {
  duckdb_type id = duckdb_get_type_id(type);
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_UTINYINT:
      return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT:
      return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER:
      return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT:
      return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT:
      return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT:
      return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIME:
      return "TIME";
    case DUCKDB_TYPE_TIME_TZ:
      return "TIME WITH TIME ZONE";
    case DUCKDB_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_S:
      return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return "TIMESTAMP_NS";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_INTERVAL:
      return "INTERVAL";
    case DUCKDB_TYPE_UUID:
      return "UUID";
    case DUCKDB_TYPE_ENUM:
      return "ENUM";
    case DUCKDB_TYPE_LIST:
      return "LIST";
    case DUCKDB_TYPE_ARRAY:
      return "ARRAY";
    case DUCKDB_TYPE_STRUCT:
      return "STRUCT";
    case DUCKDB_TYPE_MAP:
      return "MAP";
    case DUCKDB_TYPE_UNION:
      return "UNION";
    case DUCKDB_TYPE_BIT:
      return "BIT";
    case DUCKDB_TYPE_SQLNULL:
      return "NULL";
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL(" + std::to_string(duckdb_decimal_width(type)) + "," +
             std::to_string(duckdb_decimal_scale(type)) + ")";
    default:
      return "UNKNOWN";
  }
}

ValueType ValueTypeOf(duckdb_logical_type type) {
  switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_INVALID:
    case DUCKDB_TYPE_ANY:
      return ValueType::kUnknown;
    case DUCKDB_TYPE_BOOLEAN:
      return ValueType::kBoolean;
    case DUCKDB_TYPE_TINYINT:
      return ValueType::kTinyInt;
    case DUCKDB_TYPE_SMALLINT:
      return ValueType::kSmallInt;
    case DUCKDB_TYPE_INTEGER:
      return ValueType::kInteger;
    case DUCKDB_TYPE_BIGINT:
      return ValueType::kBigInt;
    case DUCKDB_TYPE_UTINYINT:
      return ValueType::kUTinyInt;
    case DUCKDB_TYPE_USMALLINT:
      return ValueType::kUSmallInt;
    case DUCKDB_TYPE_UINTEGER:
      return ValueType::kUInteger;
    case DUCKDB_TYPE_UBIGINT:
      return ValueType::kUBigInt;
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
      return ValueType::kHugeInt;
    case DUCKDB_TYPE_DECIMAL:
      return ValueType::kDecimal;
    case DUCKDB_TYPE_FLOAT:
      return ValueType::kFloat;
    case DUCKDB_TYPE_DOUBLE:
      return ValueType::kDouble;
    case DUCKDB_TYPE_VARCHAR: {
      char* alias = duckdb_logical_type_get_alias(type);
      bool json = alias != nullptr && std::string_view(alias) == "JSON";
      duckdb_free(alias);
      return json ? ValueType::kJson : ValueType::kVarchar;
    }
    case DUCKDB_TYPE_BLOB:
      return ValueType::kBlob;
    case DUCKDB_TYPE_DATE:
      return ValueType::kDate;
    case DUCKDB_TYPE_TIME:
    case DUCKDB_TYPE_TIME_NS:
      return ValueType::kTime;
    case DUCKDB_TYPE_TIME_TZ:
      return ValueType::kTimeTz;
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return ValueType::kTimestamp;
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return ValueType::kTimestampTz;
    case DUCKDB_TYPE_INTERVAL:
      return ValueType::kInterval;
    case DUCKDB_TYPE_UUID:
      return ValueType::kUuid;
    case DUCKDB_TYPE_ENUM:
      return ValueType::kEnum;
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_ARRAY:
      return ValueType::kList;
    case DUCKDB_TYPE_STRUCT:
      return ValueType::kStruct;
    case DUCKDB_TYPE_MAP:
      return ValueType::kMap;
    default:
      return ValueType::kOther;
  }
}

ColumnLayout LayoutOf(duckdb_logical_type type, bool as_json) {
  ColumnLayout column;
  column.physical = duckdb_get_type_id(type);
  switch (column.physical) {
    case DUCKDB_TYPE_BOOLEAN:
      column.encoding = ColumnEncoding::kBoolean;
      break;
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
      column.encoding = ColumnEncoding::kSigned;
      break;
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
      column.encoding = ColumnEncoding::kUnsigned;
      break;
    case DUCKDB_TYPE_FLOAT:
      column.encoding = ColumnEncoding::kFloat;
      break;
    case DUCKDB_TYPE_DOUBLE:
      column.encoding = ColumnEncoding::kDouble;
      break;
    case DUCKDB_TYPE_DATE:
      column.encoding = ColumnEncoding::kDate;
      break;
    case DUCKDB_TYPE_TIMESTAMP:
      column.encoding = ColumnEncoding::kTimestamp;
      break;
    case DUCKDB_TYPE_DECIMAL:
      column.encoding = ColumnEncoding::kDecimal;
      column.physical = duckdb_decimal_internal_type(type);
      column.decimal_scale = duckdb_decimal_scale(type);
      break;
    default:
      column.encoding = as_json ? ColumnEncoding::kRawJson : ColumnEncoding::kString;
  }
  return column;
}

void ChunkEncoder::AppendJson(duckdb_data_chunk chunk, size_t rows, bool& first_row,
                              std::string& out) const {
  const size_t columns = columns_.size();
  const ChunkColumns chunk_columns(chunk, columns);
  const auto& data = chunk_columns.data;
  const auto& validity = chunk_columns.validity;
  for (size_t r = 0; r < rows; ++r) {
    if (!first_row) out.push_back(',');
    first_row = false;
    out.push_back('[');
    for (size_t c = 0; c < columns; ++c) {
      if (c > 0) out.push_back(',');
      const ColumnLayout& column = columns_[c];
      if (!IsValid(validity[c], r)) {
        out += "null";
        continue;
      }
      switch (column.encoding) {
        case ColumnEncoding::kString:
          AppendJsonString(StringOf(static_cast<const duckdb_string_t*>(data[c])[r]), out);
          break;
        case ColumnEncoding::kDate:
        case ColumnEncoding::kTimestamp:
          out.push_back('"');
          AppendPlain(column, data[c], r, out);
          out.push_back('"');
          break;
        default:
          if (!AppendPlain(column, data[c], r, out)) out += "null";
      }
    }
    out.push_back(']');
  }
}

void ChunkEncoder::AppendCsv(duckdb_data_chunk chunk, size_t rows, std::string& out) const {
  const size_t columns = columns_.size();
  const ChunkColumns chunk_columns(chunk, columns);
  const auto& data = chunk_columns.data;
  const auto& validity = chunk_columns.validity;
  std::string field;
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < columns; ++c) {
      if (c > 0) out.push_back(',');
      if (!IsValid(validity[c], r)) continue;
      const ColumnLayout& column = columns_[c];
      field.clear();
      if (!AppendPlain(column, data[c], r, field)) {
        double v = column.encoding == ColumnEncoding::kFloat
                       ? static_cast<const float*>(data[c])[r]
                       : static_cast<const double*>(data[c])[r];
        field = std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
      }
      AppendCsvField(field, out);
    }
    out += "\r\n";
  }
}

// Text cells follow PostgreSQL's spellings where they differ from the
// other outputs: booleans, the non-finite floats, and lists as arrays.
void ChunkEncoder::AppendText(duckdb_data_chunk chunk, size_t rows, TextRows& out) const {
  const size_t columns = columns_.size();
  out.columns = columns;
  const ChunkColumns chunk_columns(chunk, columns);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < columns; ++c) {
      const ColumnLayout& column = columns_[c];
      const void* data = chunk_columns.data[c];
      bool valid = IsValid(chunk_columns.validity[c], r);
      out.nulls.push_back(!valid);
      if (valid) AppendTextCell(column, data, r, out.text);
      out.ends.push_back(static_cast<uint32_t>(out.text.size()));
    }
  }
}

}  // namespace lakehouse::query
