// One page of a query's result, as the UI shows it: through the same
// QueryEngine as POST /v1/query, rows decoded from its JSON chunks.
//
// Promises:
//  - Rows [offset, offset + limit) of the result, and whether more follow.
//  - Values keep their JSON form for display: strings as they are, numbers
//    and nested values as JSON text, SQL NULL marked as such.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "query/query_engine.h"
#include "web/bar_chart.h"

namespace lakehouse::web {

struct Cell {
  std::string text;
  bool is_null = false;
  std::optional<double> number;  // set for JSON numbers
};

struct TablePage {
  std::vector<query::ResultColumn> columns;
  std::vector<std::vector<Cell>> rows;
  size_t offset = 0;
  bool more = false;  // rows follow this page
  double elapsed_ms = 0;
};

// The largest offset a page may start at: paging re-runs the query up to the
// page, so deep pages of huge results belong to CSV downloads instead.
inline constexpr size_t kMaxPageOffset = 100'000;

Result<TablePage> RunPage(query::QueryEngine& engine, const std::string& sql, size_t offset,
                          size_t limit);

// Bars for a result with a text column and a number column (the first of
// each, one bar per row), or nullopt when it has no such pair.
std::optional<std::vector<Bar>> ChartBars(const TablePage& page, std::string* title);

// The page as web/templates/result_table.mustache's data: {columns, rows:
// [{cells}], empty, first_row, last_row, more, elapsed}.
Data TableData(const TablePage& page);

}  // namespace lakehouse::web
