// The UI's SQL console: a query's result a page at a time, with a chart, and as a CSV download.
#include "common/percent_encoding.h"
#include "http/http_status.h"
#include "web/bar_chart.h"
#include "web/query_table.h"
#include "web/templates.h"
#include "web/ui_http.h"
#include "web/ui_pages.h"

namespace lakehouse::web {
namespace {

constexpr size_t kPageRows = 50;  // rows per page of the SQL console

}  // namespace

void SqlPage(query::QueryEngine& engine, const httplib::Request& request,
             httplib::Response& response) {
  const std::string sql = request.get_param_value("q");
  uint64_t page_number = ParseUint(request.get_param_value("page")).value_or(1);
  if (page_number == 0) page_number = 1;
  Data data;
  data.set("q", sql);
  int status = 200;
  if (!sql.empty()) {
    Data result;
    const std::string base = "/ui/sql?q=" + PercentEncode(sql);
    result.set("csv_url", "/ui/sql.csv?q=" + PercentEncode(sql));
    auto page = RunPage(engine, sql, (page_number - 1) * kPageRows, kPageRows);
    if (!page.ok()) {
      result.set("query_error", ErrorData(page.status()));
      status = http::HttpStatusFor(page.status().code());
    } else {
      result.set("table", TableData(*page));
      result.set("page", std::to_string(page_number));
      if (page_number > 1)
        result.set("prev_url", base + "&page=" + std::to_string(page_number - 1));
      if (page->more) result.set("next_url", base + "&page=" + std::to_string(page_number + 1));
      std::string title;
      if (auto bars = ChartBars(*page, &title)) result.set("chart", BarChartData(*bars, title));
    }
    data.set("result", result);
  }
  if (WantsPart(request, "result")) {
    return Send(request, response, RenderTemplate("sql_result", data), status);
  }
  Send(request, response, RenderPage("sql", "SQL", data), status);
}

// The whole result as CSV, streamed as POST /v1/query streams it.
void SqlCsv(query::QueryEngine& engine, const httplib::Request& request,
            httplib::Response& response) {
  query::QueryRequest query;
  query.sql = request.get_param_value("q");
  query.limit = engine.options().max_rows;
  auto cursor = engine.Execute(query);
  if (!cursor.ok()) return SendError(request, response, cursor.status());
  response.set_header("Content-Disposition", "attachment; filename=\"result.csv\"");
  std::shared_ptr<query::QueryCursor> shared = std::move(*cursor);
  auto started = std::make_shared<bool>(false);
  response.set_chunked_content_provider(
      "text/csv; charset=utf-8", [shared, started](size_t, httplib::DataSink& sink) {
        std::string out;
        if (!*started) {
          *started = true;
          shared->formatter().AppendCsvHeader(out);
        }
        auto more = shared->NextCsv(out);
        if (!more.ok()) return false;  // cut the stream: a CSV has no place for an error
        if (!out.empty() && !sink.write(out.data(), out.size())) return false;
        if (!*more) sink.done();
        return true;
      });
}

}  // namespace lakehouse::web
