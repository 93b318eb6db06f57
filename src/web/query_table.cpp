// RunPage: one page of a query's rows as cells; ChartBars and TableData shape it for templates.
#include "web/query_table.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "web/ui_format.h"

namespace lakehouse::web {
namespace {

using nlohmann::json;

Cell ToCell(const json& value) {
  Cell cell;
  if (value.is_null()) {
    cell.is_null = true;
    cell.text = "NULL";
  } else if (value.is_string()) {
    cell.text = value.get<std::string>();
  } else {
    if (value.is_number()) cell.number = value.get<double>();
    cell.text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return cell;
}

// The next chunk of rows: NextJson writes rows comma-separated, the first
// chunk without a leading comma.
Result<std::optional<json>> NextRows(query::QueryCursor& cursor) {
  std::string chunk;
  LH_ASSIGN_OR_RETURN(bool more, cursor.NextJson(chunk));
  if (!more) return std::optional<json>();
  std::string_view text = chunk;
  if (!text.empty() && text.front() == ',') text.remove_prefix(1);
  json rows = json::parse("[" + std::string(text) + "]", nullptr, false);
  if (rows.is_discarded() || !rows.is_array()) {
    return Status::Internal("the query engine produced rows that are not JSON");
  }
  return std::optional<json>(std::move(rows));
}

std::vector<Cell> ToCells(const json& row, const std::vector<query::ResultColumn>& columns) {
  std::vector<Cell> cells;
  for (size_t c = 0; c < row.size(); ++c) {
    Cell cell = ToCell(row[c]);
    if (!cell.number && !cell.is_null && c < columns.size() && IsNumericColumn(columns[c])) {
      char* end = nullptr;
      double value = std::strtod(cell.text.c_str(), &end);
      if (end != cell.text.c_str() && *end == '\0') cell.number = value;
    }
    cells.push_back(std::move(cell));
  }
  return cells;
}

}  // namespace

bool IsNumericColumn(const query::ResultColumn& column) {
  // 128-bit integers (what sum() of BIGINT gives) arrive as text.
  if (column.type == "HUGEINT" || column.type == "UHUGEINT") return true;
  switch (column.encoding) {
    case query::ColumnEncoding::kSigned:
    case query::ColumnEncoding::kUnsigned:
    case query::ColumnEncoding::kFloat:
    case query::ColumnEncoding::kDouble:
    case query::ColumnEncoding::kDecimal:
      return true;
    default:
      return false;
  }
}

Result<TablePage> RunPage(query::QueryEngine& engine, const std::string& sql, size_t offset,
                          size_t limit, size_t count_up_to) {
  if (offset > kMaxPageOffset) {
    return Status::InvalidArgument("pages start at row " + std::to_string(kMaxPageOffset) +
                                   " at most; download the CSV for the rest");
  }
  const size_t page_end = offset + limit;
  const bool counting = count_up_to > page_end;
  query::QueryRequest request;
  request.sql = sql;
  // One row past the page tells whether another page follows.
  request.limit = counting ? count_up_to : page_end + 1;
  LH_ASSIGN_OR_RETURN(auto cursor, engine.Execute(request));

  TablePage page;
  page.columns = cursor->columns();
  page.offset = offset;
  size_t seen = 0;
  while (seen <= page_end) {
    LH_ASSIGN_OR_RETURN(auto rows, NextRows(*cursor));
    if (!rows) break;
    for (const auto& row : *rows) {
      if (seen >= offset && seen < page_end) page.rows.push_back(ToCells(row, page.columns));
      ++seen;
    }
  }
  page.more = seen > page_end;
  if (counting) {
    // The rest is only counted: CSV is the cheaper form to have them in.
    std::string discard;
    for (;;) {
      discard.clear();
      LH_ASSIGN_OR_RETURN(bool more, cursor->NextCsv(discard));
      if (!more) break;
    }
    page.count_bound = count_up_to;
    if (!cursor->truncated()) page.total = cursor->row_count();
  }
  page.elapsed_ms = cursor->elapsed_ms();
  return page;
}

std::vector<Bar> ChartBars(const TablePage& page, size_t label, size_t value) {
  std::vector<Bar> bars;
  for (const auto& row : page.rows) {
    if (label >= row.size() || value >= row.size()) continue;
    const Cell& cell = row[value];
    if (!cell.number) continue;  // NULL: nothing to draw
    bars.push_back({row[label].text, *cell.number, cell.text});
  }
  return bars;
}

Data TableData(const TablePage& page) {
  List columns;
  for (const auto& c : page.columns) {
    Data column;
    column.set("name", c.name);
    column.set("type", c.type);
    columns.push_back(column);
  }
  List rows;
  for (const auto& row : page.rows) {
    List cells;
    for (const auto& cell : row) {
      Data item;
      item.set("text", cell.text);
      item.set("null", cell.is_null);
      item.set("number", cell.number.has_value());
      // Only long values get a tooltip: it repeats the text in the page.
      item.set("long", cell.text.size() > 40);
      cells.push_back(item);
    }
    rows.push_back(Data("cells", cells));
  }
  Data data;
  data.set("columns", columns);
  data.set("rows", rows);
  data.set("empty", page.rows.empty());
  data.set("first_row", FormatCount(page.rows.empty() ? 0 : page.offset + 1));
  data.set("last_row", FormatCount(page.offset + page.rows.size()));
  data.set("more", page.more);
  if (page.total) {
    data.set("total", FormatCount(*page.total));
    // All of it on this page: "3 rows" says it without a range.
    data.set("whole", page.offset == 0 && !page.more && !page.rows.empty());
    data.set("one", *page.total == 1);
  } else if (page.more) {
    // Known only to exceed what was read: the bound counted to, or the page.
    data.set("total_at_least",
             FormatCount(std::max(page.count_bound, page.offset + page.rows.size())));
  }
  data.set("elapsed", FormatMs(page.elapsed_ms));
  return data;
}

}  // namespace lakehouse::web
