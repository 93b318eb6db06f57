// Private to pgwire: PostgreSQL type OIDs for the engine's column types, and binary value forms.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "query/result_format.h"

namespace lakehouse::pgwire {

inline constexpr int32_t kOidBool = 16;
inline constexpr int32_t kOidBytea = 17;
inline constexpr int32_t kOidInt8 = 20;
inline constexpr int32_t kOidInt2 = 21;
inline constexpr int32_t kOidInt4 = 23;
inline constexpr int32_t kOidText = 25;
inline constexpr int32_t kOidJson = 114;
inline constexpr int32_t kOidFloat4 = 700;
inline constexpr int32_t kOidFloat8 = 701;
inline constexpr int32_t kOidUnknown = 705;
inline constexpr int32_t kOidVarchar = 1043;
inline constexpr int32_t kOidDate = 1082;
inline constexpr int32_t kOidTime = 1083;
inline constexpr int32_t kOidTimestamp = 1114;
inline constexpr int32_t kOidTimestampTz = 1184;
inline constexpr int32_t kOidInterval = 1186;
inline constexpr int32_t kOidTimeTz = 1266;
inline constexpr int32_t kOidNumeric = 1700;
inline constexpr int32_t kOidUuid = 2950;

// The OID a column or parameter of `type` is announced as. Types
// PostgreSQL has no match for (lists, structs, maps, unions, enums, blobs
// whose text is DuckDB's) are text, 25.
int32_t OidOf(query::ValueType type);
// The fixed size PostgreSQL gives the type's values, -1 for variable.
int16_t TypeSizeOf(int32_t oid);
// Whether values of `oid` can be sent in the binary format: int2, int4,
// int8, float4, float8 and bool; any other is 0A000 when a client asks.
bool HasBinaryForm(int32_t oid);

// A result cell's text (query::TextRows) in the binary form of `oid`.
// REQUIRES: HasBinaryForm(oid). kInvalidArgument should the text not parse.
Result<std::string> BinaryFromText(int32_t oid, std::string_view text);

// A parameter sent in binary for a parameter declared as `oid` (by Parse,
// else 0), as the text the engine binds: int2/int4/int8, float4/float8,
// bool and text-like types. 0A000-worthy (kUnprocessable) for other types.
Result<std::string> TextFromBinary(int32_t oid, std::string_view bytes);

}  // namespace lakehouse::pgwire
