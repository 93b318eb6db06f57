// DefaultChart, ChooseChart and the controls' data: which chart, if any, a SQL result is shown as.
#include "web/chart_choice.h"

#include <cctype>
#include <optional>
#include <set>
#include <vector>

namespace lakehouse::web {
namespace {

// Skips the string literal or quoted name starting at `i`, if one does.
bool SkipQuoted(std::string_view sql, size_t& i) {
  const char c = sql[i];
  if (c != '\'' && c != '"') return false;
  // A doubled quote inside is part of the text; either way scanning on to
  // the next quote of the same kind finds the end.
  size_t end = sql.find(c, i + 1);
  i = end == std::string_view::npos ? sql.size() : end + 1;
  return true;
}

// Skips the comment starting at `i`, if one does.
bool SkipComment(std::string_view sql, size_t& i) {
  if (sql.substr(i, 2) == "--") {
    size_t end = sql.find('\n', i);
    i = end == std::string_view::npos ? sql.size() : end + 1;
    return true;
  }
  if (sql.substr(i, 2) == "/*") {
    size_t end = sql.find("*/", i + 2);
    i = end == std::string_view::npos ? sql.size() : end + 2;
    return true;
  }
  return false;
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string UpperWord(std::string_view sql, size_t& i) {
  std::string word;
  while (i < sql.size() && IsWordChar(sql[i])) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
  }
  return word;
}

std::optional<size_t> ColumnNamed(const TablePage& page, const std::string& name) {
  for (size_t i = 0; i < page.columns.size(); ++i) {
    if (page.columns[i].name == name) return i;
  }
  return std::nullopt;
}

bool CanLabel(ColumnRole role) { return role != ColumnRole::kOther; }

// Times read as a course over time; text and numbers as separate amounts.
ChartKind DefaultKind(ColumnRole label) {
  return label == ColumnRole::kTime ? ChartKind::kLine : ChartKind::kBar;
}

bool LabelsDiffer(const TablePage& page, size_t label) {
  std::set<std::string> seen;
  for (const auto& row : page.rows) {
    const Cell& cell = row[label];
    if (!seen.insert(cell.is_null ? std::string("\0null", 5) : cell.text).second) return false;
  }
  return true;
}

// The columns a chart of this result would use before anyone chooses: the
// first text column, else the first time, else the first number, as labels;
// the first other number as values.
ChartChoice FirstFit(const TablePage& page) {
  ChartChoice choice;
  std::optional<size_t> text, time, number;
  for (size_t i = 0; i < page.columns.size(); ++i) {
    ColumnRole role = RoleOf(page.columns[i]);
    if (role == ColumnRole::kText && !text) text = i;
    if (role == ColumnRole::kTime && !time) time = i;
    if (role == ColumnRole::kNumber && !number) number = i;
  }
  std::optional<size_t> label = text ? text : time ? time : number;
  if (!label || page.rows.empty()) return choice;
  for (size_t i = 0; i < page.columns.size(); ++i) {
    if (i != *label && RoleOf(page.columns[i]) == ColumnRole::kNumber) {
      choice.chartable = true;
      choice.label = *label;
      choice.value = i;
      break;
    }
  }
  choice.kind = DefaultKind(RoleOf(page.columns[choice.label]));
  return choice;
}

size_t CountLabelColumns(const TablePage& page) {
  size_t n = 0;
  for (const auto& column : page.columns) {
    ColumnRole role = RoleOf(column);
    if (role == ColumnRole::kText || role == ColumnRole::kTime) ++n;
  }
  return n;
}

}  // namespace

ColumnRole RoleOf(const query::ResultColumn& column) {
  if (IsNumericColumn(column)) return ColumnRole::kNumber;
  if (column.encoding == query::ColumnEncoding::kDate ||
      column.encoding == query::ColumnEncoding::kTimestamp) {
    return ColumnRole::kTime;
  }
  if (column.encoding == query::ColumnEncoding::kString && column.type == "VARCHAR") {
    return ColumnRole::kText;
  }
  return ColumnRole::kOther;
}

bool LineFits(ColumnRole label) {
  return label == ColumnRole::kTime || label == ColumnRole::kNumber;
}

bool GroupsRows(std::string_view sql) {
  bool after_group = false;
  size_t i = 0;
  while (i < sql.size()) {
    if (SkipComment(sql, i)) continue;  // like space between words
    if (SkipQuoted(sql, i)) {
      after_group = false;
      continue;
    }
    if (!IsWordChar(sql[i])) {
      if (!std::isspace(static_cast<unsigned char>(sql[i]))) after_group = false;
      ++i;
      continue;
    }
    std::string word = UpperWord(sql, i);
    if (after_group && word == "BY") return true;
    after_group = word == "GROUP";
  }
  return false;
}

ChartChoice DefaultChart(const TablePage& page, std::string_view sql) {
  ChartChoice choice = FirstFit(page);
  if (!choice.chartable) return choice;
  const size_t rows = page.rows.size();
  const ColumnRole label_role = RoleOf(page.columns[choice.label]);
  choice.chart = page.offset == 0 && !page.more && rows >= 2 && rows <= kMaxDefaultChartRows &&
                 label_role != ColumnRole::kNumber && CountLabelColumns(page) == 1 &&
                 LabelsDiffer(page, choice.label) && GroupsRows(sql);
  return choice;
}

ChartChoice ChooseChart(const TablePage& page, std::string_view sql, const ChartRequest& request) {
  const ChartChoice fallback = DefaultChart(page, sql);
  if (!fallback.chartable) return fallback;
  ChartChoice choice = fallback;
  if (auto label = ColumnNamed(page, request.label);
      label && CanLabel(RoleOf(page.columns[*label]))) {
    choice.label = *label;
  }
  if (auto value = ColumnNamed(page, request.value);
      value && RoleOf(page.columns[*value]) == ColumnRole::kNumber) {
    choice.value = *value;
  }
  if (choice.value == choice.label) {
    // A column measured against itself says nothing: the label stays, the
    // value is the first other number, or the default pair when none is.
    std::optional<size_t> other;
    for (size_t i = 0; i < page.columns.size() && !other; ++i) {
      if (i != choice.label && RoleOf(page.columns[i]) == ColumnRole::kNumber) other = i;
    }
    choice.value = other.value_or(fallback.value);
    if (!other) choice.label = fallback.label;
  }
  const ColumnRole label_role = RoleOf(page.columns[choice.label]);
  if (request.kind == "line" && LineFits(label_role)) {
    choice.kind = ChartKind::kLine;
  } else if (request.kind == "bar") {
    choice.kind = ChartKind::kBar;
  } else {
    choice.kind = DefaultKind(label_role);
  }
  if (request.view == "chart") choice.chart = true;
  if (request.view == "table") choice.chart = false;
  return choice;
}

Data ChartControlsData(const TablePage& page, const ChartChoice& choice) {
  List labels, values;
  for (size_t i = 0; i < page.columns.size(); ++i) {
    const ColumnRole role = RoleOf(page.columns[i]);
    Data option;
    option.set("name", page.columns[i].name);
    if (CanLabel(role)) {
      option.set("selected", i == choice.label);
      labels.push_back(option);
    }
    if (role == ColumnRole::kNumber) {
      Data value_option;
      value_option.set("name", page.columns[i].name);
      value_option.set("selected", i == choice.value);
      values.push_back(value_option);
    }
  }
  const bool line = choice.kind == ChartKind::kLine;
  Data data;
  data.set("view_chart", choice.chart);
  data.set("labels", labels);
  data.set("values", values);
  data.set("line_fits", LineFits(RoleOf(page.columns[choice.label])));
  data.set("kind_line", line);
  data.set("choice_view", std::string(choice.chart ? "chart" : "table"));
  data.set("choice_label", page.columns[choice.label].name);
  data.set("choice_value", page.columns[choice.value].name);
  data.set("choice_kind", std::string(line ? "line" : "bar"));
  return data;
}

}  // namespace lakehouse::web
