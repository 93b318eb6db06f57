// Whether the SQL console charts a result and how: the default rule, and the user's choice over it.
//
// The default, decided from the result and the statement's text alone:
// a result opens as a chart only when it is small and grouped, that is
//  - the whole result is on the first page and has 2 to kMaxDefaultChartRows
//    rows;
//  - exactly one column is text or a date/time (the labels), and its values
//    differ from row to row;
//  - some column holds numbers (the first one is the value);
//  - the statement groups rows (GROUP BY), so each number sums up its label.
// A date/time label draws a line, a text label bars. Anything else opens as
// the table, whatever its columns: `SELECT * FROM candidates` is a table,
// `SELECT state, count(*) FROM candidates GROUP BY state` a bar chart.
//
// The user may pick the view, the label and value columns and the kind for
// any result; a choice that does not fit the result (a column it lacks, a
// line over text labels) falls back to the default for that part.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "query/result_format.h"
#include "web/query_table.h"
#include "web/templates.h"

namespace lakehouse::web {

inline constexpr size_t kMaxDefaultChartRows = 30;

enum class ChartKind { kBar, kLine };

// What a column can be in a chart: text and times label it, numbers label or
// measure it, anything else (lists, structs, booleans, JSON) does neither.
enum class ColumnRole { kText, kTime, kNumber, kOther };
ColumnRole RoleOf(const query::ResultColumn& column);

struct ChartChoice {
  bool chart = false;  // false: the table alone
  // Column indexes; meaningful only when the result can be charted at all
  // (`chartable`), even while the table alone is shown.
  bool chartable = false;
  size_t label = 0;
  size_t value = 0;
  ChartKind kind = ChartKind::kBar;
};

// What the URL asks for; an empty field asks for nothing.
struct ChartRequest {
  std::string view;   // "chart" or "table"
  std::string label;  // a column's name
  std::string value;  // a column's name
  std::string kind;   // "bar" or "line"
};

// Whether the statement has a GROUP BY, outside string literals, quoted
// names and comments.
bool GroupsRows(std::string_view sql);

ChartChoice DefaultChart(const TablePage& page, std::string_view sql);

// The request applied over the default.
ChartChoice ChooseChart(const TablePage& page, std::string_view sql, const ChartRequest& request);

// A line needs labels in an order of their own: times or numbers.
bool LineFits(ColumnRole label);

// The chart controls' data: {view_chart, labels: [{name, selected}],
// values: [{name, selected}], line_fits, kind_line, choice_view,
// choice_label, choice_value, choice_kind}.
Data ChartControlsData(const TablePage& page, const ChartChoice& choice);

}  // namespace lakehouse::web
