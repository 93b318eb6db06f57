// The staffing demo rows: each table's CSV drawn row by row from seeded generators.
#include "demo/staffing_data.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>

#include "common/splitmix64.h"
#include "demo/csv_text.h"
#include "demo/vocabulary.h"

namespace lakehouse::demo {
namespace {

namespace v = vocab;

using Rng = SplitMix64;

// One generator per row, seeded by table and id: a row does not depend on
// how many rows came before it, so scale 2 begins with the rows of scale 1.
Rng RowRng(uint64_t table_seed, uint64_t id) {
  Rng mix(table_seed ^ (id * 0xD1B54A32D192ED03ull));
  return Rng(mix.Next());
}
constexpr uint64_t kCandidateSeed = 0x4C4B484F55534501ull;
constexpr uint64_t kClientSeed = 0x4C4B484F55534502ull;
constexpr uint64_t kJobSeed = 0x4C4B484F55534503ull;
constexpr uint64_t kPlacementSeed = 0x4C4B484F55534504ull;
constexpr uint64_t kTimesheetSeed = 0x4C4B484F55534505ull;

// `count` distinct items of `items`, in the order drawn.
std::vector<const char*> Distinct(Rng& rng, const char* const* items, size_t n, size_t count) {
  std::array<uint8_t, 64> order{};
  n = std::min(n, order.size());
  for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint8_t>(i);
  std::vector<const char*> out;
  for (size_t i = 0; i < count && i < n; ++i) {
    size_t j = i + rng.Below(n - i);
    std::swap(order[i], order[j]);
    out.push_back(items[order[i]]);
  }
  return out;
}

// --- rows ---------------------------------------------------------------------------------

size_t PickFamily(Rng& rng) {
  int total = 0;
  for (int w : v::kFamilyWeights) total += w;
  auto roll = static_cast<int>(rng.Below(static_cast<uint64_t>(total)));
  for (size_t f = 0; f < v::CountOf(v::kFamilyWeights); ++f) {
    if (roll < v::kFamilyWeights[f]) return f;
    roll -= v::kFamilyWeights[f];
  }
  return 0;
}

// The draws that decide a candidate's role come first, so the placements can
// learn every candidate's role without making the rest of the row.
struct CandidateRole {
  uint8_t family;
  uint8_t role;
};
CandidateRole DrawCandidateRole(Rng& rng) {
  CandidateRole r;
  r.family = static_cast<uint8_t>(PickFamily(rng));
  r.role = static_cast<uint8_t>(rng.Below(v::kFamilies[r.family].role_count));
  return r;
}
CandidateRole CandidateRoleOf(uint64_t id) {
  Rng rng = RowRng(kCandidateSeed, id);
  return DrawCandidateRole(rng);
}

struct Client {
  const v::Industry* industry;
  std::string name;
  uint16_t city;
};
// Names are unique: the head cycles with the id and each pass round the
// heads gets its own suffix.
Client MakeClient(uint64_t id) {
  static constexpr const char* kSuffixes[] = {"",     " Group",      " Holdings",     " Associates",
                                              " Co.", " of America", " International"};
  Rng rng = RowRng(kClientSeed, id);
  Client c;
  c.industry = &rng.Pick(v::kIndustries);
  c.city = static_cast<uint16_t>(rng.Below(v::CountOf(v::kCities)));
  const uint64_t n = v::CountOf(v::kClientHeads);
  const uint64_t pass = (id - 1) / n;
  c.name = v::kClientHeads[(id - 1) % n];
  c.name += ' ';
  c.name += rng.Pick(c.industry->tails, c.industry->tail_count);
  if (pass < v::CountOf(kSuffixes)) {
    c.name += kSuffixes[pass];
  } else {
    c.name += ' ';
    AppendInt(static_cast<int64_t>(pass), c.name);
  }
  return c;
}

// The job's draws that other tables need, in the order the job row makes
// them (the text comes after, from the same generator).
StaffingData::JobCore DrawJobCore(Rng& rng, uint64_t clients) {
  StaffingData::JobCore j{};
  j.client = static_cast<uint32_t>(1 + rng.Below(clients));
  const Client client = MakeClient(j.client);
  const int which = static_cast<int>(rng.Below(100));
  j.family = client.industry->families[which < 60 ? 0 : which < 85 ? 1 : 2];
  const v::Family& family = v::kFamilies[j.family];
  j.role = static_cast<uint8_t>(rng.Below(family.role_count));
  j.city = rng.Chance(85) ? client.city : static_cast<uint16_t>(rng.Below(v::CountOf(v::kCities)));
  j.opened = kAsOfDay - rng.Between(1, 900);
  const v::Role& role = family.roles[j.role];
  // A level (entry, mid, senior) sets the pay point; the client is billed a
  // markup of 40-60% over it.
  const int64_t level = rng.Between(0, 2);
  const int64_t pay = role.pay_low + (role.pay_high - role.pay_low) * (2 * level + 1) / 6;
  const int64_t markup = rng.Between(140, 160);
  j.bill_low = RoundQuarter(pay * 90 / 100 * markup / 100);
  j.bill_high = RoundQuarter(pay * 115 / 100 * markup / 100);
  return j;
}

// The resume: who, what they know, what they did and where, what they hold,
// what they want. Draws from `rng` in a fixed order after the row's other draws.
void AppendResume(Rng& rng, const v::Family& family, const v::Role& role, int64_t years,
                  const std::vector<const char*>& skills, const v::City& city, std::string& text) {
  const char* setting = rng.Pick(family.settings, family.setting_count);
  text.clear();
  if (years == 0) {
    text += "Entry-level ";
    text += role.title;
    text += " who recently completed training ";
  } else {
    text += role.title;
    text += " with ";
    AppendInt(years, text);
    text += years == 1 ? " year of experience " : " years of experience ";
  }
  text += setting;
  text += ". Skilled in ";
  text += JoinedList(skills);
  text += ".";
  const auto wins = Distinct(rng, family.wins, family.win_count,
                             years < 3 ? 1 : static_cast<size_t>(rng.Between(1, 2)));
  for (const char* win : wins) {
    text += ' ';
    text += Capitalized(win);
    text += ' ';
    text += rng.Pick(family.settings, family.setting_count);
    text += '.';
  }
  if (rng.Chance(70)) {
    text += ' ';
    text += rng.Pick(family.credentials, family.credential_count);
  }
  text += " Looking for ";
  text += rng.Pick(v::kEngagements);
  text += " work in ";
  text += city.city;
  text += " and open to ";
  text += rng.Pick(v::kShifts);
  text += " shifts.";
}

// A job order's description; draws nothing, so the row's draws stay in order.
void AppendJobText(const Client& client, const v::Role& role, const v::City& city,
                   std::string_view engagement, int weeks, const char* shift,
                   const std::vector<const char*>& skills, const char* setting, int64_t openings,
                   std::string& text) {
  text.clear();
  text += client.name;
  text += ", a ";
  text += client.industry->name;
  text += " client in ";
  text += city.city;
  text += ", ";
  text += city.state;
  text += ", needs ";
  text += Article(role.title);
  text += ' ';
  text += role.title;
  if (std::string_view(engagement) == "contract") {
    std::string length;
    AppendInt(weeks, length);
    length += "-week contract";
    text += " for ";
    text += Article(length);
    text += ' ';
    text += length;
  } else {
    text += " for a ";
    text += engagement;
    text += " role";
  }
  text += " on ";
  text += shift;
  text += " shifts. Must have ";
  text += skills[0];
  text += " and ";
  text += skills[1];
  text += "; ";
  text += skills[2];
  text += " or ";
  text += skills[3];
  text += " is a plus. Experience ";
  text += setting;
  text += " preferred. ";
  if (openings == 1) {
    text += "One opening.";
  } else {
    AppendInt(openings, text);
    text += " openings.";
  }
}

}  // namespace

std::string_view TableName(Table table) {
  switch (table) {
    case Table::kCandidates:
      return "candidates";
    case Table::kClients:
      return "clients";
    case Table::kJobs:
      return "jobs";
    case Table::kPlacements:
      return "placements";
    case Table::kTimesheets:
      return "timesheets";
  }
  return "unknown";
}

Sizes SizesForScale(uint64_t scale) {
  scale = std::max<uint64_t>(scale, 1);
  return Sizes{2000 * scale, 200 * scale, 1000 * scale, 1500 * scale};
}

std::string DateString(int64_t days) {
  std::string out;
  AppendDate(days, out);
  return out;
}

StaffingData::StaffingData(uint64_t scale) : sizes_(SizesForScale(scale)) {
  // Candidates by role, so a job is filled by someone who does that job.
  constexpr size_t kMaxRoles = 8;
  std::vector<std::vector<uint64_t>> by_role(v::CountOf(v::kFamilies) * kMaxRoles);
  for (uint64_t id = 1; id <= sizes_.candidates; ++id) {
    CandidateRole r = CandidateRoleOf(id);
    by_role[r.family * kMaxRoles + r.role].push_back(id);
  }

  jobs_.reserve(sizes_.jobs);
  for (uint64_t id = 1; id <= sizes_.jobs; ++id) {
    Rng rng = RowRng(kJobSeed, id);
    jobs_.push_back(DrawJobCore(rng, sizes_.clients));
  }

  placements_.reserve(sizes_.placements);
  for (uint64_t id = 1; id <= sizes_.placements; ++id) {
    Rng rng = RowRng(kPlacementSeed, id);
    PlacementCore p{};
    p.job = 1 + rng.Below(sizes_.jobs);
    JobCore& job = jobs_[p.job - 1];
    ++job.placements;
    const auto& pool = by_role[job.family * kMaxRoles + job.role];
    p.candidate = pool.empty() ? 1 + rng.Below(sizes_.candidates) : pool[rng.Below(pool.size())];
    p.start = std::min(job.opened + rng.Between(5, 40), kAsOfDay);
    const int64_t weeks = rng.Between(2, 26);
    p.end = p.start + weeks * 7 - 3;  // ends on a Friday when it starts on a Monday
    if (p.end > kAsOfDay) p.end = -1;
    p.bill = rng.Between(job.bill_low / 25, job.bill_high / 25) * 25;
    p.pay = RoundQuarter(p.bill * rng.Between(62, 75) / 100);
    placements_.push_back(p);
  }
}

Result<uint64_t> StaffingData::WriteCsv(Table table, const CsvSink& sink) const {
  uint64_t rows = 0;
  Status s;
  switch (table) {
    case Table::kCandidates:
      s = WriteCandidates(sink, &rows);
      break;
    case Table::kClients:
      s = WriteClients(sink, &rows);
      break;
    case Table::kJobs:
      s = WriteJobs(sink, &rows);
      break;
    case Table::kPlacements:
      s = WritePlacements(sink, &rows);
      break;
    case Table::kTimesheets:
      s = WriteTimesheets(sink, &rows);
      break;
  }
  if (!s.ok()) return s;
  return rows;
}

Result<std::string> StaffingData::Csv(Table table) const {
  std::string text;
  auto rows = WriteCsv(table, [&](std::string_view chunk) {
    text.append(chunk);
    return Status::Ok();
  });
  if (!rows.ok()) return rows.status();
  return text;
}

Status StaffingData::WriteCandidates(const CsvSink& sink, uint64_t* rows) const {
  CsvWriter w(sink);
  w.out() = "id,name,email,city,state,title,skills,years_experience,desired_rate,resume";
  LH_RETURN_IF_ERROR(w.EndRow());
  std::string text;
  for (uint64_t id = 1; id <= sizes_.candidates; ++id) {
    Rng rng = RowRng(kCandidateSeed, id);
    const CandidateRole r = DrawCandidateRole(rng);
    const v::Family& family = v::kFamilies[r.family];
    const v::Role& role = family.roles[r.role];
    const char* first = rng.Pick(v::kFirstNames);
    const char* last = rng.Pick(v::kLastNames);
    const v::City& city = rng.Pick(v::kCities);
    const int64_t years = rng.Between(0, 25);
    const auto skills =
        Distinct(rng, family.skills, family.skill_count, static_cast<size_t>(rng.Between(3, 6)));
    const int64_t rate = RoundQuarter(
        role.pay_low + (role.pay_high - role.pay_low) * std::min<int64_t>(years, 20) / 20 +
        rng.Between(-150, 150));

    std::string& out = w.out();
    AppendInt(static_cast<int64_t>(id), out);
    out += ',';
    out += first;
    out += ' ';
    out += last;
    out += ',';
    AppendLower(first, out);
    out += '.';
    AppendLower(last, out);
    AppendInt(static_cast<int64_t>(id), out);
    out += '@';
    out += rng.Pick(v::kDomains);
    out += ',';
    AppendQuoted(city.city, out);
    out += ',';
    out += city.state;
    out += ',';
    AppendQuoted(role.title, out);
    out += ',';
    text.clear();
    for (size_t i = 0; i < skills.size(); ++i) {
      if (i) text += "; ";
      text += skills[i];
    }
    AppendQuoted(text, out);
    out += ',';
    AppendInt(years, out);
    out += ',';
    AppendHundredths(rate, out);
    out += ',';

    AppendResume(rng, family, role, years, skills, city, text);
    AppendQuoted(text, out);
    LH_RETURN_IF_ERROR(w.EndRow());
  }
  *rows = sizes_.candidates;
  return w.Flush();
}

Status StaffingData::WriteClients(const CsvSink& sink, uint64_t* rows) const {
  CsvWriter w(sink);
  w.out() = "id,name,industry,city,state";
  LH_RETURN_IF_ERROR(w.EndRow());
  for (uint64_t id = 1; id <= sizes_.clients; ++id) {
    const Client client = MakeClient(id);
    const v::City& city = v::kCities[client.city];
    std::string& out = w.out();
    AppendInt(static_cast<int64_t>(id), out);
    out += ',';
    AppendQuoted(client.name, out);
    out += ',';
    AppendQuoted(client.industry->name, out);
    out += ',';
    AppendQuoted(city.city, out);
    out += ',';
    out += city.state;
    LH_RETURN_IF_ERROR(w.EndRow());
  }
  *rows = sizes_.clients;
  return w.Flush();
}

Status StaffingData::WriteJobs(const CsvSink& sink, uint64_t* rows) const {
  CsvWriter w(sink);
  w.out() = "id,client_id,title,description,city,state,rate_min,rate_max,opened_on,status";
  LH_RETURN_IF_ERROR(w.EndRow());
  std::string text;
  for (uint64_t id = 1; id <= sizes_.jobs; ++id) {
    Rng rng = RowRng(kJobSeed, id);
    // Replays the draws the constructor made, then goes on to the text.
    const JobCore job = DrawJobCore(rng, sizes_.clients);
    const uint32_t placed = jobs_[id - 1].placements;
    const Client client = MakeClient(job.client);
    const v::Family& family = v::kFamilies[job.family];
    const v::Role& role = family.roles[job.role];
    const v::City& city = v::kCities[job.city];

    const char* engagement = rng.Pick(v::kEngagements);
    const int weeks = rng.Pick(v::kContractWeeks);
    const char* shift = rng.Pick(v::kShifts);
    const auto skills = Distinct(rng, family.skills, family.skill_count, 4);
    const char* setting = rng.Pick(family.settings, family.setting_count);
    const int64_t openings = rng.Chance(75) ? 1 : rng.Between(2, 5);
    const char* status = placed > 0                    ? "filled"
                         : job.opened >= kAsOfDay - 60 ? "open"
                         : rng.Chance(75)              ? "closed"
                                                       : "on hold";

    AppendJobText(client, role, city, engagement, weeks, shift, skills, setting, openings, text);

    std::string& out = w.out();
    AppendInt(static_cast<int64_t>(id), out);
    out += ',';
    AppendInt(job.client, out);
    out += ',';
    AppendQuoted(role.title, out);
    out += ',';
    AppendQuoted(text, out);
    out += ',';
    AppendQuoted(city.city, out);
    out += ',';
    out += city.state;
    out += ',';
    AppendHundredths(job.bill_low, out);
    out += ',';
    AppendHundredths(job.bill_high, out);
    out += ',';
    AppendDate(job.opened, out);
    out += ',';
    out += status;
    LH_RETURN_IF_ERROR(w.EndRow());
  }
  *rows = sizes_.jobs;
  return w.Flush();
}

Status StaffingData::WritePlacements(const CsvSink& sink, uint64_t* rows) const {
  CsvWriter w(sink);
  w.out() = "id,candidate_id,job_id,start_date,end_date,bill_rate,pay_rate";
  LH_RETURN_IF_ERROR(w.EndRow());
  for (uint64_t id = 1; id <= sizes_.placements; ++id) {
    const PlacementCore& p = placements_[id - 1];
    std::string& out = w.out();
    AppendInt(static_cast<int64_t>(id), out);
    out += ',';
    AppendInt(static_cast<int64_t>(p.candidate), out);
    out += ',';
    AppendInt(static_cast<int64_t>(p.job), out);
    out += ',';
    AppendDate(p.start, out);
    out += ',';
    if (p.end >= 0) AppendDate(p.end, out);
    out += ',';
    AppendHundredths(p.bill, out);
    out += ',';
    AppendHundredths(p.pay, out);
    LH_RETURN_IF_ERROR(w.EndRow());
  }
  *rows = sizes_.placements;
  return w.Flush();
}

Status StaffingData::WriteTimesheets(const CsvSink& sink, uint64_t* rows) const {
  CsvWriter w(sink);
  w.out() = "id,placement_id,week_ending,hours,amount";
  LH_RETURN_IF_ERROR(w.EndRow());
  uint64_t next_id = 1;
  for (uint64_t pid = 1; pid <= sizes_.placements; ++pid) {
    const PlacementCore& p = placements_[pid - 1];
    Rng rng = RowRng(kTimesheetSeed, pid);
    const int64_t last_day = p.end >= 0 ? p.end : kAsOfDay;
    // One timesheet per week (ending Sunday) the placement worked in, up to
    // the last full week the data knows.
    for (int64_t week_end = SundayOnOrAfter(p.start); week_end - 6 <= last_day; week_end += 7) {
      if (week_end > kAsOfDay) break;
      // Hours in quarters: mostly a 40-hour week, some overtime or short.
      int64_t quarters = rng.Chance(60)   ? 160
                         : rng.Chance(62) ? rng.Between(128, 192)
                                          : rng.Between(64, 127);
      // A first or last week the placement only partly covers.
      const int64_t days = std::min(week_end, last_day) - std::max(week_end - 6, p.start) + 1;
      if (days < 7) quarters = quarters * std::min<int64_t>(days, 5) / 5;
      const int64_t amount = (quarters * p.bill + 2) / 4;
      std::string& out = w.out();
      AppendInt(static_cast<int64_t>(next_id++), out);
      out += ',';
      AppendInt(static_cast<int64_t>(pid), out);
      out += ',';
      AppendDate(week_end, out);
      out += ',';
      AppendHundredths(quarters * 25, out);
      out += ',';
      AppendHundredths(amount, out);
      LH_RETURN_IF_ERROR(w.EndRow());
    }
  }
  *rows = next_id - 1;
  return w.Flush();
}

}  // namespace lakehouse::demo
