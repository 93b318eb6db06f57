// bench/ingest's Iceberg figures: what publishing a commit's Iceberg
// metadata costs beside the commit, and the REST catalog's load-table latency.
#pragma once

#include <cstdint>
#include <string>

#include "bench/common/bench_common.h"

namespace lakehouse::bench {

// Ingests `csv` (`rows` rows) `runs` times into a dataset of `serve`, timing
// each commit and then the publish of its Iceberg table, and prints both,
// their ratio against the goal, the bytes written, and load-table latency
// over HTTP beside GET /v1/datasets/{name}. Answers false when interrupted.
bool RunIcebergFigures(ServeInProcess& serve, const std::string& csv, const std::string& root,
                       uint64_t rows, int runs);

}  // namespace lakehouse::bench
