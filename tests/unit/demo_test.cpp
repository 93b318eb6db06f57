// The staffing demo generator (src/demo/staffing_data.h): deterministic bytes,
// sizes that follow the scale, referential integrity across the five tables,
// and text columns worth searching.
#include "demo/staffing_data.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace lakehouse::demo {
namespace {

using Row = std::vector<std::string>;

// A small CSV reader for what the generator writes: fields optionally quoted
// with "" as an escaped quote, no newlines inside fields.
std::vector<Row> ParseCsv(const std::string& text) {
  std::vector<Row> rows;
  Row row;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        EXPECT_NE(c, '\n') << "newline inside a quoted field";
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
    } else {
      field += c;
    }
  }
  EXPECT_TRUE(row.empty() && field.empty()) << "the file does not end with a newline";
  return rows;
}

struct Tables {
  std::map<Table, std::vector<Row>> rows;  // header first
  std::map<Table, uint64_t> counts;        // as WriteCsv returned them

  explicit Tables(const StaffingData& data) {
    for (Table t : kTables) {
      std::string text;
      auto n = data.WriteCsv(t, [&](std::string_view chunk) {
        text.append(chunk);
        return Status::Ok();
      });
      EXPECT_TRUE(n.ok()) << n.status().ToString();
      counts[t] = n.ok() ? *n : 0;
      rows[t] = ParseCsv(text);
    }
  }
  // The column's index in the header.
  size_t Column(Table t, const std::string& name) const {
    const Row& header = rows.at(t).front();
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    ADD_FAILURE() << TableName(t) << " has no column " << name;
    return 0;
  }
  std::set<std::string> Ids(Table t) const {
    std::set<std::string> ids;
    for (size_t r = 1; r < rows.at(t).size(); ++r) ids.insert(rows.at(t)[r][0]);
    return ids;
  }
};

TEST(DemoDataTest, SameScaleGivesTheSameBytes) {
  StaffingData a(1), b(1);
  for (Table t : kTables) {
    auto x = a.Csv(t);
    auto y = b.Csv(t);
    ASSERT_TRUE(x.ok() && y.ok());
    EXPECT_EQ(*x, *y) << TableName(t);
  }
}

TEST(DemoDataTest, ChunkingDoesNotChangeTheBytes) {
  // The CLI hashes the chunks as they come: one concatenation, any chunking.
  StaffingData data(2);
  std::string joined;
  size_t chunks = 0;
  auto rows = data.WriteCsv(Table::kTimesheets, [&](std::string_view chunk) {
    joined.append(chunk);
    ++chunks;
    return Status::Ok();
  });
  ASSERT_TRUE(rows.ok());
  EXPECT_GT(chunks, 1u) << "scale 2 timesheets should span more than one block";
  EXPECT_EQ(joined, *data.Csv(Table::kTimesheets));
}

TEST(DemoDataTest, SinkErrorsStopTheWriter) {
  StaffingData data(1);
  auto rows = data.WriteCsv(Table::kCandidates,
                            [](std::string_view) { return Status::IoError("disk full"); });
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), StatusCode::kIoError);
}

TEST(DemoDataTest, ScaleMultipliesTheRowCounts) {
  StaffingData one(1), three(3);
  EXPECT_EQ(one.sizes().candidates, 2000u);
  EXPECT_EQ(one.sizes().clients, 200u);
  EXPECT_EQ(one.sizes().jobs, 1000u);
  EXPECT_EQ(one.sizes().placements, 1500u);
  Tables t1(one), t3(three);
  EXPECT_EQ(t1.counts[Table::kCandidates], 2000u);
  EXPECT_EQ(t3.counts[Table::kCandidates], 6000u);
  EXPECT_EQ(t3.counts[Table::kClients], 600u);
  EXPECT_EQ(t3.counts[Table::kJobs], 3000u);
  EXPECT_EQ(t3.counts[Table::kPlacements], 4500u);
  // Timesheets follow from the placements: about 14 a placement.
  EXPECT_GT(t1.counts[Table::kTimesheets], 15000u);
  EXPECT_LT(t1.counts[Table::kTimesheets], 25000u);
  EXPECT_GT(t3.counts[Table::kTimesheets], 2 * t1.counts[Table::kTimesheets]);
  for (Table t : kTables) {
    EXPECT_EQ(t1.rows[t].size(), t1.counts[t] + 1) << TableName(t) << ": rows + header";
  }
  // A row depends on its id alone: scale 3 begins with scale 1's candidates.
  EXPECT_EQ(t1.rows[Table::kCandidates][1], t3.rows[Table::kCandidates][1]);
  EXPECT_EQ(t1.rows[Table::kCandidates][2000], t3.rows[Table::kCandidates][2000]);
}

TEST(DemoDataTest, EveryReferenceResolves) {
  StaffingData data(1);
  Tables t(data);
  const auto candidates = t.Ids(Table::kCandidates);
  const auto clients = t.Ids(Table::kClients);
  const auto jobs = t.Ids(Table::kJobs);
  const auto placements = t.Ids(Table::kPlacements);
  EXPECT_EQ(candidates.size(), 2000u) << "ids are unique";
  EXPECT_EQ(placements.size(), 1500u);

  const size_t client_id = t.Column(Table::kJobs, "client_id");
  for (size_t r = 1; r < t.rows[Table::kJobs].size(); ++r) {
    ASSERT_TRUE(clients.count(t.rows[Table::kJobs][r][client_id])) << "job row " << r;
  }

  const size_t candidate_id = t.Column(Table::kPlacements, "candidate_id");
  const size_t job_id = t.Column(Table::kPlacements, "job_id");
  const size_t start = t.Column(Table::kPlacements, "start_date");
  const size_t end = t.Column(Table::kPlacements, "end_date");
  std::map<std::string, std::pair<std::string, std::string>> spans;
  size_t open_ended = 0;
  for (size_t r = 1; r < t.rows[Table::kPlacements].size(); ++r) {
    const Row& p = t.rows[Table::kPlacements][r];
    ASSERT_TRUE(candidates.count(p[candidate_id])) << "placement row " << r;
    ASSERT_TRUE(jobs.count(p[job_id])) << "placement row " << r;
    // ISO dates compare as strings.
    if (p[end].empty()) {
      ++open_ended;
    } else {
      EXPECT_LE(p[start], p[end]) << "placement row " << r;
    }
    spans[p[0]] = {p[start], p[end]};
  }
  EXPECT_GT(open_ended, 0u) << "some placements run past the data's last day";
  EXPECT_LT(open_ended, 1500u);

  const size_t placement_id = t.Column(Table::kTimesheets, "placement_id");
  const size_t week = t.Column(Table::kTimesheets, "week_ending");
  const std::string as_of = DateString(kAsOfDay);
  for (size_t r = 1; r < t.rows[Table::kTimesheets].size(); ++r) {
    const Row& s = t.rows[Table::kTimesheets][r];
    auto it = spans.find(s[placement_id]);
    ASSERT_NE(it, spans.end()) << "timesheet row " << r;
    EXPECT_GE(s[week], it->second.first) << "timesheet row " << r << " before its start";
    EXPECT_LE(s[week], as_of) << "timesheet row " << r;
  }
}

TEST(DemoDataTest, PlacementsMatchTheJobsRoleAndRates) {
  StaffingData data(1);
  Tables t(data);
  std::map<std::string, std::string> candidate_title, job_title;
  std::map<std::string, std::pair<double, double>> job_rates;
  const size_t ct = t.Column(Table::kCandidates, "title");
  for (size_t r = 1; r < t.rows[Table::kCandidates].size(); ++r) {
    candidate_title[t.rows[Table::kCandidates][r][0]] = t.rows[Table::kCandidates][r][ct];
  }
  const size_t jt = t.Column(Table::kJobs, "title");
  const size_t lo = t.Column(Table::kJobs, "rate_min");
  const size_t hi = t.Column(Table::kJobs, "rate_max");
  for (size_t r = 1; r < t.rows[Table::kJobs].size(); ++r) {
    const Row& j = t.rows[Table::kJobs][r];
    job_title[j[0]] = j[jt];
    job_rates[j[0]] = {std::stod(j[lo]), std::stod(j[hi])};
    EXPECT_LT(std::stod(j[lo]), std::stod(j[hi])) << "job row " << r;
  }
  const size_t bill = t.Column(Table::kPlacements, "bill_rate");
  const size_t pay = t.Column(Table::kPlacements, "pay_rate");
  size_t same_title = 0;
  for (size_t r = 1; r < t.rows[Table::kPlacements].size(); ++r) {
    const Row& p = t.rows[Table::kPlacements][r];
    if (candidate_title[p[1]] == job_title[p[2]]) ++same_title;
    const auto [low, high] = job_rates[p[2]];
    EXPECT_GE(std::stod(p[bill]), low) << "placement row " << r;
    EXPECT_LE(std::stod(p[bill]), high) << "placement row " << r;
    EXPECT_LT(std::stod(p[pay]), std::stod(p[bill])) << "placement row " << r;
  }
  EXPECT_EQ(same_title, 1500u) << "each job is filled by someone who does that job";
}

TEST(DemoDataTest, TextColumnsAreFilledAndSearchable) {
  StaffingData data(1);
  Tables t(data);
  for (Table table : kTables) {
    const auto& rows = t.rows[table];
    const size_t width = rows.front().size();
    for (size_t r = 1; r < rows.size(); ++r) {
      ASSERT_EQ(rows[r].size(), width) << TableName(table) << " row " << r;
      for (size_t c = 0; c < width; ++c) {
        if (table == Table::kPlacements && rows.front()[c] == "end_date") continue;
        ASSERT_FALSE(rows[r][c].empty())
            << TableName(table) << " row " << r << " " << rows.front()[c];
      }
    }
  }
  const size_t resume = t.Column(Table::kCandidates, "resume");
  const size_t skills = t.Column(Table::kCandidates, "skills");
  const size_t title = t.Column(Table::kCandidates, "title");
  size_t nurses_with_nursing_words = 0, nurses = 0;
  for (size_t r = 1; r < t.rows[Table::kCandidates].size(); ++r) {
    const Row& c = t.rows[Table::kCandidates][r];
    EXPECT_GE(c[resume].size(), 150u) << "a resume is a few sentences";
    EXPECT_NE(c[resume].find(c[title]), std::string::npos) << "the resume names the role";
    // Each listed skill is in the resume's text.
    size_t from = 0;
    while (from < c[skills].size()) {
      size_t to = c[skills].find("; ", from);
      if (to == std::string::npos) to = c[skills].size();
      EXPECT_NE(c[resume].find(c[skills].substr(from, to - from)), std::string::npos)
          << "candidate row " << r;
      from = to + 2;
    }
    if (c[title] == "Registered Nurse") {
      ++nurses;
      for (const char* word : {"patient", "hospital", "nurs", "care", "clinic", "Epic"}) {
        if (c[resume].find(word) != std::string::npos) {
          ++nurses_with_nursing_words;
          break;
        }
      }
    }
  }
  EXPECT_GT(nurses, 0u);
  EXPECT_EQ(nurses_with_nursing_words, nurses) << "resumes use their field's words";
  const size_t description = t.Column(Table::kJobs, "description");
  const size_t job_title = t.Column(Table::kJobs, "title");
  for (size_t r = 1; r < t.rows[Table::kJobs].size(); ++r) {
    const Row& j = t.rows[Table::kJobs][r];
    EXPECT_GE(j[description].size(), 100u);
    EXPECT_NE(j[description].find(j[job_title]), std::string::npos) << "job row " << r;
  }
}

TEST(DemoDataTest, DatesAreIso) {
  EXPECT_EQ(DateString(0), "1970-01-01");
  EXPECT_EQ(DateString(kAsOfDay), "2025-06-30");
}

}  // namespace
}  // namespace lakehouse::demo
