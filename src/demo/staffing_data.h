// The staffing demo data set: five related tables of a staffing agency —
// candidates, clients, jobs, placements and timesheets — as CSV.
//
// Promises:
//  - Deterministic: every byte is a function of the scale alone (fixed seeds,
//    a portable PRNG, no clock, no locale), so the same scale gives the same
//    files on every run and machine. `lakehouse demo` relies on that to skip
//    a dataset whose stored version came from the same bytes.
//  - Scale N has N times the candidates, clients, jobs and placements of
//    scale 1 (2,000 / 200 / 1,000 / 1,500); timesheets follow from the
//    placements (about 14 a placement). A row's values depend only on its id,
//    except where they refer to other tables.
//  - Referential integrity: every jobs.client_id is a client, every
//    placement's candidate_id and job_id exist, every timesheet's
//    placement_id exists and its week falls within the placement.
//  - Text (resumes, job descriptions) is a few sentences built from the
//    role's own skills and settings, so it is meaningful to search.
//  - The CSV has a header line, `\n` line ends, text fields quoted, and an
//    empty field for a missing end date (NULL once ingested).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakehouse::demo {

enum class Table { kCandidates, kClients, kJobs, kPlacements, kTimesheets };
// In load order: a table comes after those it refers to.
inline constexpr Table kTables[] = {Table::kCandidates, Table::kClients, Table::kJobs,
                                    Table::kPlacements, Table::kTimesheets};
// The dataset name: "candidates", "clients", "jobs", "placements", "timesheets".
std::string_view TableName(Table table);

struct Sizes {
  uint64_t candidates = 0;
  uint64_t clients = 0;
  uint64_t jobs = 0;
  uint64_t placements = 0;
};
// Scale 0 is treated as 1.
Sizes SizesForScale(uint64_t scale);

// The last day the data knows about (2025-06-30): jobs open before it,
// placements running past it have no end date, and timesheets stop at it.
inline constexpr int64_t kAsOfDay = 20269;  // days since 1970-01-01

// Receives the CSV in pieces of about 1 MiB. An error stops the writer, which
// returns it.
using CsvSink = std::function<Status(std::string_view chunk)>;

// The data set at one scale. Construction works out the rows other tables
// refer to (which candidate fills which job, when); the CSV text is made as
// it is written, so memory stays small next to the files.
class StaffingData {
 public:
  explicit StaffingData(uint64_t scale);

  const Sizes& sizes() const { return sizes_; }
  // Writes `table` as CSV to `sink`; returns the number of data rows (the
  // header line not counted).
  Result<uint64_t> WriteCsv(Table table, const CsvSink& sink) const;
  // The whole table in memory, for tests and small scales.
  Result<std::string> Csv(Table table) const;

  // What the other tables need to know of a job or a placement.
  struct JobCore {
    uint32_t client;      // client id
    uint8_t family;       // vocab::FamilyId
    uint8_t role;         // index into the family's roles
    uint16_t city;        // index into vocab::kCities
    int64_t opened;       // day
    int64_t bill_low;     // cents per hour
    int64_t bill_high;    // cents per hour
    uint32_t placements;  // how many placements fill it
  };
  struct PlacementCore {
    uint64_t candidate;
    uint64_t job;
    int64_t start;  // day
    int64_t end;    // day, or -1 while it runs past kAsOfDay
    int64_t bill;   // cents per hour
    int64_t pay;    // cents per hour
  };

 private:
  Status WriteCandidates(const CsvSink& sink, uint64_t* rows) const;
  Status WriteClients(const CsvSink& sink, uint64_t* rows) const;
  Status WriteJobs(const CsvSink& sink, uint64_t* rows) const;
  Status WritePlacements(const CsvSink& sink, uint64_t* rows) const;
  Status WriteTimesheets(const CsvSink& sink, uint64_t* rows) const;

  Sizes sizes_;
  std::vector<JobCore> jobs_;              // index = id - 1
  std::vector<PlacementCore> placements_;  // index = id - 1
};

// Days since 1970-01-01 as YYYY-MM-DD.
std::string DateString(int64_t days);

}  // namespace lakehouse::demo
