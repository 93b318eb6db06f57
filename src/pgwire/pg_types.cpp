// Maps the engine's column types to PostgreSQL OIDs and converts values to and from binary forms.
#include "pgwire/pg_types.h"

#include <bit>
#include <charconv>
#include <cstring>
#include <limits>

namespace lakehouse::pgwire {
namespace {

using query::ValueType;

void AppendBigEndian(uint64_t value, int bytes, std::string& out) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(value >> (8 * i)));
}

uint64_t ReadBigEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<unsigned char>(c);
  return value;
}

Result<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument("not an integer: " + std::string(text));
  }
  return value;
}

Result<double> ParseDouble(std::string_view text) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "Infinity") return std::numeric_limits<double>::infinity();
  if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument("not a number: " + std::string(text));
  }
  return value;
}

std::string DoubleText(double value) {
  if (value != value) return "NaN";
  if (value == std::numeric_limits<double>::infinity()) return "Infinity";
  if (value == -std::numeric_limits<double>::infinity()) return "-Infinity";
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

}  // namespace

int32_t OidOf(ValueType type) {
  switch (type) {
    case ValueType::kBoolean:
      return kOidBool;
    case ValueType::kTinyInt:
    case ValueType::kSmallInt:
    case ValueType::kUTinyInt:
      return kOidInt2;
    case ValueType::kInteger:
    case ValueType::kUSmallInt:
      return kOidInt4;
    case ValueType::kBigInt:
    case ValueType::kUInteger:
      return kOidInt8;
    case ValueType::kUBigInt:
    case ValueType::kHugeInt:
    case ValueType::kDecimal:
      return kOidNumeric;
    case ValueType::kFloat:
      return kOidFloat4;
    case ValueType::kDouble:
      return kOidFloat8;
    case ValueType::kVarchar:
      return kOidText;
    case ValueType::kJson:
      return kOidJson;
    case ValueType::kDate:
      return kOidDate;
    case ValueType::kTime:
      return kOidTime;
    case ValueType::kTimeTz:
      return kOidTimeTz;
    case ValueType::kTimestamp:
      return kOidTimestamp;
    case ValueType::kTimestampTz:
      return kOidTimestampTz;
    case ValueType::kInterval:
      return kOidInterval;
    case ValueType::kUuid:
      return kOidUuid;
    case ValueType::kUnknown:
      return kOidUnknown;
    default:
      // DuckDB writes a BLOB's text with \xNN escapes, which is not
      // PostgreSQL's bytea text, so it is announced as the text it is.
      return kOidText;
  }
}

int16_t TypeSizeOf(int32_t oid) {
  switch (oid) {
    case kOidBool:
      return 1;
    case kOidInt2:
      return 2;
    case kOidInt4:
    case kOidFloat4:
    case kOidDate:
      return 4;
    case kOidInt8:
    case kOidFloat8:
    case kOidTime:
    case kOidTimestamp:
    case kOidTimestampTz:
      return 8;
    case kOidUuid:
    case kOidInterval:
      return 16;
    default:
      return -1;
  }
}

bool HasBinaryForm(int32_t oid) {
  return oid == kOidBool || oid == kOidInt2 || oid == kOidInt4 || oid == kOidInt8 ||
         oid == kOidFloat4 || oid == kOidFloat8;
}

Result<std::string> BinaryFromText(int32_t oid, std::string_view text) {
  std::string out;
  switch (oid) {
    case kOidBool:
      out.push_back(text == "t" ? '\1' : '\0');
      return out;
    case kOidInt2:
    case kOidInt4:
    case kOidInt8: {
      LH_ASSIGN_OR_RETURN(int64_t value, ParseInt(text));
      AppendBigEndian(static_cast<uint64_t>(value), TypeSizeOf(oid), out);
      return out;
    }
    case kOidFloat4: {
      LH_ASSIGN_OR_RETURN(double value, ParseDouble(text));
      AppendBigEndian(std::bit_cast<uint32_t>(static_cast<float>(value)), 4, out);
      return out;
    }
    case kOidFloat8: {
      LH_ASSIGN_OR_RETURN(double value, ParseDouble(text));
      AppendBigEndian(std::bit_cast<uint64_t>(value), 8, out);
      return out;
    }
    default:
      return Status::Unprocessable("binary format is not supported for type " +
                                   std::to_string(oid));
  }
}

Result<std::string> TextFromBinary(int32_t oid, std::string_view bytes) {
  auto wrong_size = [&] {
    return Status::InvalidArgument("binary parameter of type " + std::to_string(oid) + " has " +
                                   std::to_string(bytes.size()) + " bytes");
  };
  switch (oid) {
    case kOidBool:
      if (bytes.size() != 1) return wrong_size();
      return std::string(bytes[0] != 0 ? "true" : "false");
    case kOidInt2:
      if (bytes.size() != 2) return wrong_size();
      return std::to_string(static_cast<int16_t>(ReadBigEndian(bytes)));
    case kOidInt4:
      if (bytes.size() != 4) return wrong_size();
      return std::to_string(static_cast<int32_t>(ReadBigEndian(bytes)));
    case kOidInt8:
      if (bytes.size() != 8) return wrong_size();
      return std::to_string(static_cast<int64_t>(ReadBigEndian(bytes)));
    case kOidFloat4:
      if (bytes.size() != 4) return wrong_size();
      return DoubleText(std::bit_cast<float>(static_cast<uint32_t>(ReadBigEndian(bytes))));
    case kOidFloat8:
      if (bytes.size() != 8) return wrong_size();
      return DoubleText(std::bit_cast<double>(ReadBigEndian(bytes)));
    case kOidText:
    case kOidVarchar:
    case kOidJson:
    case kOidUnknown:
    case 0:
      // Unspecified or text-like: the bytes are the text itself.
      return std::string(bytes);
    default:
      return Status::Unprocessable("binary format is not supported for parameters of type " +
                                   std::to_string(oid));
  }
}

}  // namespace lakehouse::pgwire
