#pragma once
#include <string>
#include <vector>
#include "common/status.h"
namespace lakehouse::iceberg {
Result<int64_t> WritePositionDeleteFile(std::string_view data_file_location, const std::vector<uint64_t>& positions, const std::string& out_path);
}
