// One page of a query's result, as the UI shows it: through the same
// QueryEngine as POST /v1/query, rows decoded from its JSON chunks.
//
// Promises:
//  - Rows [offset, offset + limit) of the result, and whether more follow;
//    asked to, also how many rows the whole result has, counted up to a bound.
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
  // The result's row count when it was counted and ended within the bound;
  // nullopt when not counted or when it has more rows than the bound.
  std::optional<uint64_t> total;
  size_t count_bound = 0;  // the bound it was counted up to; 0: not counted
  double elapsed_ms = 0;
};

// The largest offset a page may start at: paging re-runs the query up to the
// page, so deep pages of huge results belong to CSV downloads instead.
inline constexpr size_t kMaxPageOffset = 100'000;

// With `count_up_to` above the page's end, the rows after the page are
// streamed (not kept) up to that many in all, to fill in `total`: the same
// query once, at the price of formatting those rows.
Result<TablePage> RunPage(query::QueryEngine& engine, const std::string& sql, size_t offset,
                          size_t limit, size_t count_up_to = 0);

// Whether a column holds numbers a chart can scale: integers, floats and
// decimals of any width.
bool IsNumericColumn(const query::ResultColumn& column);

// One bar per row: the label column's text and the value column's number;
// rows whose value is NULL are left out.
std::vector<Bar> ChartBars(const TablePage& page, size_t label, size_t value);

// The page as web/templates/result_table.mustache's data: {columns, rows:
// [{cells}], empty, first_row, last_row, more, total, whole, one,
// total_at_least, elapsed}: `total` is set when the count is known (`whole`
// when this page holds all of it), `total_at_least` when the result is known
// only to hold more rows than that.
Data TableData(const TablePage& page);

}  // namespace lakehouse::web
