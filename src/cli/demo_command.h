// `lakehouse demo [--url URL] [--scale N]`: loads the staffing demo data set
// (src/demo: candidates, clients, jobs, placements, timesheets) into a
// running server, one dataset per table.
//
// Idempotent: a table whose generated CSV has the sha256 of the source of the
// dataset's current version is left alone, so a second run adds no version;
// any other table is ingested with mode=overwrite (a new dataset is created,
// a different one replaced). Prints what it did per dataset and the rows of
// each, then builds (or refreshes) the text indexes candidates_resume and
// jobs_description, and exits non-zero with the server's message on the first failure
// (the tables before it stay loaded; running it again finishes the job).
#pragma once

#include <cstdint>

#include "cli/client_commands.h"

namespace lakehouse::cli {

struct DemoCommand {
  uint64_t scale = 1;  // 1 = 2,000 candidates ... (demo::SizesForScale)
};

int RunDemo(const ClientOptions& client, const DemoCommand& command);

}  // namespace lakehouse::cli
