// Base64 (RFC 4648, with padding) for binary state inside JSON documents,
// such as an embedder's learned state in an LHV1 envelope.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse {

std::string Base64Encode(std::string_view bytes);
// kInvalidArgument for text that is not padded base64.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace lakehouse
