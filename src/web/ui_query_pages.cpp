// The UI's SQL console: a query's result a page at a time, charted as chosen, and as CSV.
#include "common/percent_encoding.h"
#include "http/http_status.h"
#include "web/chart_choice.h"
#include "web/query_table.h"
#include "web/result_chart.h"
#include "web/templates.h"
#include "web/ui_format.h"
#include "web/ui_http.h"
#include "web/ui_pages.h"

namespace lakehouse::web {
namespace {

constexpr size_t kPageRows = 50;  // rows per page of the SQL console
// How far a result is counted to say "rows 1-50 of N": counting formats the
// rows it passes (wide ones cost about a millisecond per hundred), so a page
// costs at most this many rows more than it shows.
constexpr size_t kCountRows = 10'000;

ChartRequest ChartRequestOf(const httplib::Request& request) {
  return {request.get_param_value("view"), request.get_param_value("label"),
          request.get_param_value("value"), request.get_param_value("kind")};
}

// The chart parameters the request gave, to keep on the pager's links.
std::string ChartQuery(const ChartRequest& chart) {
  std::string out;
  auto add = [&out](const char* name, const std::string& value) {
    if (!value.empty()) out += std::string("&") + name + "=" + PercentEncode(value);
  };
  add("view", chart.view);
  add("label", chart.label);
  add("value", chart.value);
  add("kind", chart.kind);
  return out;
}

Data ResultData(query::QueryEngine& engine, const std::string& sql, uint64_t page_number,
                const ChartRequest& chart, int* status) {
  Data result;
  const std::string base = "/ui/sql?q=" + PercentEncode(sql);
  result.set("csv_url", "/ui/sql.csv?q=" + PercentEncode(sql));
  auto page = RunPage(engine, sql, (page_number - 1) * kPageRows, kPageRows, kCountRows);
  if (!page.ok()) {
    result.set("query_error", ErrorData(page.status()));
    *status = http::HttpStatusFor(page.status().code());
    return result;
  }
  result.set("table", TableData(*page));
  result.set("page", std::to_string(page_number));
  if (page->total && *page->total > kPageRows) {
    result.set("pages", FormatCount((*page->total + kPageRows - 1) / kPageRows));
  }
  const std::string keep = ChartQuery(chart);
  if (page_number > 1) {
    result.set("prev_url", base + "&page=" + std::to_string(page_number - 1) + keep);
  }
  if (page->more) {
    result.set("next_url", base + "&page=" + std::to_string(page_number + 1) + keep);
  }
  const ChartChoice choice = ChooseChart(*page, sql, chart);
  if (choice.chartable) result.set("controls", ChartControlsData(*page, choice));
  result.set("chart", ResultChartData(*page, choice));
  return result;
}

}  // namespace

void SqlPage(query::QueryEngine& engine, const httplib::Request& request,
             httplib::Response& response) {
  const std::string sql = request.get_param_value("q");
  uint64_t page_number = ParseUint(request.get_param_value("page")).value_or(1);
  if (page_number == 0) page_number = 1;
  Data data;
  data.set("q", sql);
  int status = 200;
  if (!sql.empty())
    data.set("result", ResultData(engine, sql, page_number, ChartRequestOf(request), &status));
  if (WantsPart(request, "result")) {
    // The error belongs under the editor, outside the part replaced:
    // htmx moves it there out of band.
    data.set("oob", true);
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
