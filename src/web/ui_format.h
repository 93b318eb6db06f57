// How the UI's pages show values: counts, byte sizes, durations, a version's source and changes.
#pragma once

#include <cstdint>
#include <string>

#include "catalog/catalog.h"

namespace lakehouse::web {

std::string FormatCount(uint64_t n);      // 1234567 -> "1,234,567"
std::string FormatBytes(uint64_t bytes);  // 1536 -> "1.5 KB"; binary units
std::string FormatMs(double ms);          // "12.3 ms"

// Where a version's rows came from: "file.csv (1.5 KB)", the size alone for
// an upload without a name, "" for a version not made from an upload.
std::string SourceText(const catalog::Manifest& m);

// What a version changed, e.g. "+3 inserted · 2 updated · 1 deleted"; zero
// parts are left out, so a version that changed nothing reads as nothing.
std::string CountsText(const catalog::ChangeCounts& counts);

}  // namespace lakehouse::web
