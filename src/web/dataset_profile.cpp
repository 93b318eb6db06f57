// ProfileVersion: SUMMARIZE, distinct counts and distributions of a version; ProfileData shows
// them.
#include "web/dataset_profile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/sql_quote.h"
#include "common/time_format.h"
#include "web/query_table.h"
#include "web/ui_format.h"

namespace lakehouse::web {
namespace {

enum class Shape { kBins, kTop, kNone };

bool IsTimeType(const std::string& type) { return type == "DATE" || type.starts_with("TIMESTAMP"); }

Shape ShapeOf(const std::string& type) {
  static const char* kNumbers[] = {"TINYINT", "SMALLINT", "INTEGER",   "BIGINT",
                                   "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                                   "UBIGINT", "UHUGEINT", "FLOAT",     "DOUBLE"};
  for (const char* number : kNumbers) {
    if (type == number) return Shape::kBins;
  }
  if (type.starts_with("DECIMAL") || IsTimeType(type)) return Shape::kBins;
  if (type == "VARCHAR" || type == "BOOLEAN") return Shape::kTop;
  return Shape::kNone;
}

// The rows profiled: the version, or a sample of it.
std::string RowsSql(const std::string& dataset, uint64_t version, bool sampled) {
  std::string rows = "SELECT * FROM " + SqlIdentifier(dataset + "@" + std::to_string(version));
  if (sampled) rows += " USING SAMPLE " + std::to_string(kProfileSampleRows) + " ROWS";
  return rows;
}

// Those rows under one name for the distributions query. A sample is
// materialized, so every column's part reads the same one; the whole version
// is not, so each part reads only its own column of the files.
std::string WithProfiled(const std::string& rows, bool sampled) {
  return std::string("WITH profiled AS ") + (sampled ? "MATERIALIZED" : "NOT MATERIALIZED") + " (" +
         rows + ") ";
}

// One part of the distributions query: rows (c, b, v, n, lo, hi), b the bin
// of a binned column, v a top value of another.
std::string DistributionPart(size_t index, const ColumnProfile& column, Shape shape) {
  const std::string id = SqlIdentifier(column.name);
  const std::string c = std::to_string(index);
  if (shape == Shape::kTop) {
    return "SELECT * FROM (SELECT " + c + " AS c, NULL::BIGINT AS b, " + id +
           "::VARCHAR AS v, count(*) AS n, NULL::DOUBLE AS lo, NULL::DOUBLE AS hi FROM profiled "
           "WHERE " +
           id + " IS NOT NULL GROUP BY 3 ORDER BY 4 DESC, 3 LIMIT " +
           std::to_string(kProfileTopValues) + ")";
  }
  const std::string x = IsTimeType(column.type) ? "epoch(" + id + ")::DOUBLE" : id + "::DOUBLE";
  const std::string last = std::to_string(kProfileBins - 1);
  return "SELECT * FROM (SELECT " + c +
         " AS c, coalesce(least(floor((x - lo) / nullif(hi - lo, 0) * " +
         std::to_string(kProfileBins) + "), " + last + "), 0)::BIGINT AS b, NULL::VARCHAR AS v, " +
         "count(*) AS n, any_value(lo) AS lo, any_value(hi) AS hi FROM (SELECT " + x +
         " AS x FROM profiled WHERE " + id + " IS NOT NULL), (SELECT min(" + x + ") AS lo, max(" +
         x + ") AS hi FROM profiled) GROUP BY 1, 2, 3)";
}

std::optional<size_t> Find(const TablePage& page, std::string_view name) {
  for (size_t i = 0; i < page.columns.size(); ++i) {
    if (page.columns[i].name == name) return i;
  }
  return std::nullopt;
}

Result<std::vector<ColumnProfile>> Summarize(query::QueryEngine& engine, const std::string& rows) {
  constexpr size_t kMaxColumns = 10'000;
  LH_ASSIGN_OR_RETURN(auto page, RunPage(engine, "SUMMARIZE " + rows, 0, kMaxColumns));
  auto name = Find(page, "column_name"), type = Find(page, "column_type"), min = Find(page, "min"),
       max = Find(page, "max"), count = Find(page, "count"), nulls = Find(page, "null_percentage");
  if (!name || !type || !min || !max || !count || !nulls) {
    return Status::Internal("SUMMARIZE answered columns the profile does not know");
  }
  std::vector<ColumnProfile> columns;
  for (const auto& row : page.rows) {
    ColumnProfile column;
    column.name = row[*name].text;
    column.type = row[*type].text;
    column.rows = static_cast<uint64_t>(row[*count].number.value_or(0));
    column.null_share = std::clamp(row[*nulls].number.value_or(0) / 100, 0.0, 1.0);
    if (!row[*min].is_null) column.min = row[*min].text;
    if (!row[*max].is_null) column.max = row[*max].text;
    columns.push_back(std::move(column));
  }
  return columns;
}

// SUMMARIZE's approx_unique can be off by a tenth either way, enough to
// read 30 states where there are 26; an exact count over the rows profiled
// (at most kProfileSampleRows when sampled) costs one more scan.
Status AddDistinctCounts(query::QueryEngine& engine, const std::string& with,
                         std::vector<ColumnProfile>& columns) {
  if (columns.empty()) return Status::Ok();
  std::string select;
  for (const auto& column : columns) {
    select += (select.empty() ? "SELECT " : ", ") + std::string("count(DISTINCT ") +
              SqlIdentifier(column.name) + ")";
  }
  LH_ASSIGN_OR_RETURN(auto page, RunPage(engine, with + select + " FROM profiled", 0, 1));
  if (page.rows.size() != 1 || page.rows[0].size() != columns.size()) {
    return Status::Internal("the distinct counts of a profile did not come back");
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    columns[i].distinct = static_cast<uint64_t>(page.rows[0][i].number.value_or(0));
  }
  return Status::Ok();
}

Status AddDistributions(query::QueryEngine& engine, const std::string& with,
                        std::vector<ColumnProfile>& columns) {
  std::string parts;
  for (size_t i = 0; i < columns.size(); ++i) {
    const Shape shape = ShapeOf(columns[i].type);
    if (shape == Shape::kNone || columns[i].min.empty()) continue;
    parts += (parts.empty() ? "" : " UNION ALL ") + DistributionPart(i, columns[i], shape);
  }
  if (parts.empty()) return Status::Ok();
  const size_t most = columns.size() * std::max(kProfileBins, kProfileTopValues);
  LH_ASSIGN_OR_RETURN(auto page, RunPage(engine, with + parts, 0, most));
  for (const auto& row : page.rows) {
    if (row.size() != 6 || !row[0].number || !row[3].number) continue;
    const auto index = static_cast<size_t>(*row[0].number);
    if (index >= columns.size()) continue;
    ColumnProfile& column = columns[index];
    const auto n = static_cast<uint64_t>(*row[3].number);
    if (row[1].number) {
      column.bins.resize(kProfileBins);
      column.bins[std::min(static_cast<size_t>(*row[1].number), kProfileBins - 1)] += n;
      column.low = row[4].number.value_or(0);
      column.high = row[5].number.value_or(0);
    } else {
      column.top.emplace_back(row[2].text, n);
    }
  }
  for (auto& column : columns) {
    std::stable_sort(column.top.begin(), column.top.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
  }
  return Status::Ok();
}

constexpr double kShareWidth = 60;  // the NULL share's bar
constexpr double kTopWidth = 40;    // a top value's bar
constexpr double kHistogramHeight = 24;
constexpr double kBinWidth = 9;  // and 1 between bins

std::string Fixed(double v, const char* format) {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string Percent(double share) {
  if (share == 0) return "0%";
  if (share < 0.001) return "<0.1%";
  return Fixed(share * 100, "%.1f%%");
}

// A value as short as a table cell can show; the cell's title has it whole.
std::string Short(const std::string& text) {
  constexpr size_t kMaxChars = 24;
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && ++chars > kMaxChars) {
      return text.substr(0, i) + "\u2026";
    }
  }
  return text;
}

// A bin edge as its column reads: dates and times from epoch seconds.
std::string Edge(const ColumnProfile& column, double edge) {
  if (!IsTimeType(column.type)) return Fixed(edge, "%.6g");
  const std::string iso = FormatRfc3339Ms(static_cast<int64_t>(std::llround(edge * 1000)));
  return column.type == "DATE" ? iso.substr(0, 10) : iso.substr(0, 10) + " " + iso.substr(11, 8);
}

List BinsData(const ColumnProfile& column) {
  List bins;
  const uint64_t most =
      column.bins.empty() ? 0 : *std::max_element(column.bins.begin(), column.bins.end());
  const double step = (column.high - column.low) / static_cast<double>(kProfileBins);
  for (size_t i = 0; i < column.bins.size(); ++i) {
    const uint64_t n = column.bins[i];
    const double height =
        most == 0 ? 0 : std::max(1.0, kHistogramHeight * static_cast<double>(n) / most);
    Data bin;
    bin.set("x", Fixed(i * (kBinWidth + 1), "%.0f"));
    bin.set("y", Fixed(kHistogramHeight - height, "%.1f"));
    bin.set("height", Fixed(height, "%.1f"));
    bin.set("width", Fixed(kBinWidth, "%.0f"));
    // One value in all: a single bin holds it.
    const std::string range = step == 0 ? Edge(column, column.low)
                                        : Edge(column, column.low + i * step) + " \u2013 " +
                                              Edge(column, column.low + (i + 1) * step);
    bin.set("title", range + ": " + FormatCount(n));
    bins.push_back(bin);
  }
  return bins;
}

List TopData(const ColumnProfile& column) {
  List top;
  // Values that each occur once have no top worth showing.
  if (column.top.empty() || column.top.front().second < 2) return top;
  for (const auto& [value, n] : column.top) {
    const double share = column.rows == 0 ? 0 : static_cast<double>(n) / column.rows;
    Data item;
    item.set("value", Short(value));
    item.set("full", value + ": " + FormatCount(n));
    item.set("share", Percent(share));
    item.set("bar", Fixed(std::max(1.0, share * kTopWidth), "%.1f"));
    top.push_back(item);
  }
  return top;
}

Data ColumnData(const ColumnProfile& column) {
  Data item;
  item.set("name", column.name);
  item.set("type", column.type);
  item.set("null_share", Percent(column.null_share));
  item.set("null_width", Fixed(column.null_share * kShareWidth, "%.1f"));
  item.set("distinct", FormatCount(column.distinct));
  item.set("min", column.min);
  item.set("max", column.max);
  item.set("min_short", Short(column.min));
  item.set("max_short", Short(column.max));
  item.set("all_null", column.min.empty() && column.rows > 0);
  item.set("has_bins", !column.bins.empty());
  item.set("all_distinct", !column.top.empty() && column.top.front().second < 2);
  item.set("bins", BinsData(column));
  item.set("top", TopData(column));
  return item;
}

}  // namespace

Result<Profile> ProfileVersion(query::QueryEngine& engine, const std::string& dataset,
                               uint64_t version, uint64_t rows) {
  Profile profile;
  profile.version = version;
  profile.rows = rows;
  profile.sampled = rows > kProfileSampleRows;
  const std::string rows_sql = RowsSql(dataset, version, profile.sampled);
  LH_ASSIGN_OR_RETURN(profile.columns, Summarize(engine, rows_sql));
  const std::string with = WithProfiled(rows_sql, profile.sampled);
  LH_RETURN_IF_ERROR(AddDistinctCounts(engine, with, profile.columns));
  LH_RETURN_IF_ERROR(AddDistributions(engine, with, profile.columns));
  return profile;
}

Data ProfileData(const Profile& profile) {
  List columns;
  for (const auto& column : profile.columns) columns.push_back(ColumnData(column));
  Data data;
  data.set("profile_version", std::to_string(profile.version));
  data.set("profile_rows", FormatCount(profile.rows));
  data.set("sampled", profile.sampled);
  data.set("sample_rows", FormatCount(kProfileSampleRows));
  data.set("columns", columns);
  data.set("share_width", Fixed(kShareWidth, "%.0f"));
  data.set("top_width", Fixed(kTopWidth, "%.0f"));
  data.set("histogram_width", Fixed(kProfileBins * (kBinWidth + 1), "%.0f"));
  data.set("histogram_height", Fixed(kHistogramHeight, "%.0f"));
  return data;
}

}  // namespace lakehouse::web
