// RunPage: one page of a query's rows as cells; ChartBars and TableData shape it for templates.
#include "web/query_table.h"

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

bool IsNumeric(const query::ResultColumn& column) {
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

}  // namespace

Result<TablePage> RunPage(query::QueryEngine& engine, const std::string& sql, size_t offset,
                          size_t limit) {
  if (offset > kMaxPageOffset) {
    return Status::InvalidArgument("pages start at row " + std::to_string(kMaxPageOffset) +
                                   " at most; download the CSV for the rest");
  }
  query::QueryRequest request;
  request.sql = sql;
  // One row past the page tells whether another page follows.
  request.limit = offset + limit + 1;
  LH_ASSIGN_OR_RETURN(auto cursor, engine.Execute(request));

  std::string rows_json = "[";
  for (;;) {
    LH_ASSIGN_OR_RETURN(bool more, cursor->NextJson(rows_json));
    if (!more) break;
  }
  rows_json += "]";
  json rows = json::parse(rows_json, nullptr, false);
  if (rows.is_discarded() || !rows.is_array()) {
    return Status::Internal("the query engine produced rows that are not JSON");
  }

  TablePage page;
  page.columns = cursor->columns();
  page.offset = offset;
  page.elapsed_ms = cursor->elapsed_ms();
  page.more = rows.size() > offset + limit;
  for (size_t i = offset; i < rows.size() && i < offset + limit; ++i) {
    std::vector<Cell> cells;
    for (size_t c = 0; c < rows[i].size(); ++c) {
      Cell cell = ToCell(rows[i][c]);
      if (!cell.number && !cell.is_null && c < page.columns.size() && IsNumeric(page.columns[c])) {
        char* end = nullptr;
        double value = std::strtod(cell.text.c_str(), &end);
        if (end != cell.text.c_str() && *end == '\0') cell.number = value;
      }
      cells.push_back(std::move(cell));
    }
    page.rows.push_back(std::move(cells));
  }
  return page;
}

std::optional<std::vector<Bar>> ChartBars(const TablePage& page, std::string* title) {
  std::optional<size_t> text, number;
  for (size_t i = 0; i < page.columns.size(); ++i) {
    const auto& column = page.columns[i];
    if (!text && column.type == "VARCHAR") text = i;
    if (!number && IsNumeric(column)) number = i;
  }
  if (!text || !number || page.rows.empty()) return std::nullopt;
  std::vector<Bar> bars;
  for (const auto& row : page.rows) {
    const Cell& value = row[*number];
    if (!value.number) continue;  // NULL: nothing to draw
    bars.push_back({row[*text].text, *value.number, value.text});
  }
  if (bars.empty()) return std::nullopt;
  *title = page.columns[*number].name + " by " + page.columns[*text].name;
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
  data.set("elapsed", FormatMs(page.elapsed_ms));
  return data;
}

}  // namespace lakehouse::web
