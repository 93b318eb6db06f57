// The SQL console's chart of a page of rows: bars or a line over the chosen columns.
#pragma once

#include "web/chart_choice.h"
#include "web/query_table.h"
#include "web/templates.h"

namespace lakehouse::web {

// {bar: bar_chart.mustache's data} or {line: line_chart.mustache's data};
// empty when the choice is the table alone or no row has a value to draw.
Data ResultChartData(const TablePage& page, const ChartChoice& choice);

}  // namespace lakehouse::web
