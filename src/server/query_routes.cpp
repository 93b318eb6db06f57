// POST /v1/query: parses the request and streams the cursor's rows as chunked JSON or CSV.
#include "server/query_routes.h"

#include <nlohmann/json.hpp>

#include "http/http_status.h"
#include "server/http_server.h"
#include "server/request_body.h"

namespace lakehouse::server {
namespace {

using nlohmann::json;

constexpr std::string_view kQueryFields[] = {"sql", "limit", "format", "as_of"};

Result<query::QueryRequest> ParseRequest(const std::string& body, std::string* format) {
  LH_ASSIGN_OR_RETURN(json j, ParseJsonObject(body, kQueryFields));
  query::QueryRequest request;
  auto sql = j.find("sql");
  if (sql == j.end() || !sql->is_string()) {
    return Status::InvalidArgument("\"sql\" must be a string");
  }
  request.sql = *sql;
  if (auto limit = j.find("limit"); limit != j.end() && !limit->is_null()) {
    if (!limit->is_number_unsigned()) {
      return Status::InvalidArgument("\"limit\" must be a positive integer");
    }
    request.limit = limit->get<size_t>();
  }
  if (auto f = j.find("format"); f != j.end() && !f->is_null()) {
    if (!f->is_string() || (*f != "json" && *f != "csv")) {
      return Status::InvalidArgument("\"format\" must be \"json\" or \"csv\"");
    }
    *format = *f;
  }
  if (auto as_of = j.find("as_of"); as_of != j.end() && !as_of->is_null()) {
    if (!as_of->is_object()) {
      return Status::InvalidArgument("\"as_of\" must map dataset names to versions");
    }
    for (const auto& [name, version] : as_of->items()) {
      if (!version.is_number_unsigned()) {
        return Status::InvalidArgument("as_of." + name + " must be a version number");
      }
      request.as_of[name] = version.get<uint64_t>();
    }
  }
  return request;
}

std::string VersionsHeader(const std::map<std::string, uint64_t>& versions) {
  std::string out;
  for (const auto& [name, version] : versions) {
    out += (out.empty() ? "" : ",") + name + "=" + std::to_string(version);
  }
  return out;
}

// The JSON result, written as it is produced: the envelope's head, the rows a
// chunk at a time, then the tail with the counts. An error after the head is
// reported in the tail, since the status line has already gone out.
class JsonStream {
 public:
  explicit JsonStream(std::unique_ptr<query::QueryCursor> cursor) : cursor_(std::move(cursor)) {}

  bool Produce(httplib::DataSink& sink) {
    std::string out;
    if (!started_) {
      started_ = true;
      json columns = json::array();
      for (const auto& c : cursor_->columns()) {
        columns.push_back({{"name", c.name}, {"type", c.type}});
      }
      out = "{\"columns\":" + columns.dump() + ",\"rows\":[";
    }
    auto more = cursor_->NextJson(out);
    if (more.ok() && *more) return sink.write(out.data(), out.size());
    json tail = {{"row_count", cursor_->row_count()},
                 {"truncated", cursor_->truncated()},
                 {"versions", cursor_->versions()},
                 {"elapsed_ms", cursor_->elapsed_ms()}};
    if (!more.ok()) {
      tail["error"] = json::parse(http::ErrorBody(more.status()))["error"];
    }
    std::string tail_text = tail.dump();
    out += "]," + tail_text.substr(1);
    bool ok = sink.write(out.data(), out.size());
    sink.done();
    return ok;
  }

 private:
  std::unique_ptr<query::QueryCursor> cursor_;
  bool started_ = false;
};

class CsvStream {
 public:
  explicit CsvStream(std::unique_ptr<query::QueryCursor> cursor) : cursor_(std::move(cursor)) {}

  bool Produce(httplib::DataSink& sink) {
    std::string out;
    if (!started_) {
      started_ = true;
      cursor_->formatter().AppendCsvHeader(out);
    }
    auto more = cursor_->NextCsv(out);
    if (!more.ok()) return false;  // cut the stream: a CSV has no place for an error
    bool ok = out.empty() || sink.write(out.data(), out.size());
    if (!*more) sink.done();
    return ok;
  }

 private:
  std::unique_ptr<query::QueryCursor> cursor_;
  bool started_ = false;
};

}  // namespace

void RegisterQueryRoutes(httplib::Server& router, query::QueryEngine& engine) {
  router.Post("/v1/query",
              ConsumeBody([&engine](const httplib::Request& request, httplib::Response& response,
                                    const httplib::ContentReader& reader) {
                auto body = ReadBoundedBody(request, reader);
                if (!body.ok()) return WriteError(response, body.status());
                std::string format = "json";
                auto parsed = ParseRequest(*body, &format);
                if (!parsed.ok()) return WriteError(response, parsed.status());
                auto cursor = engine.Execute(*parsed);
                if (!cursor.ok()) return WriteError(response, cursor.status());
                response.set_header("X-Lakehouse-Versions", VersionsHeader((*cursor)->versions()));
                if (format == "csv") {
                  auto stream = std::make_shared<CsvStream>(std::move(*cursor));
                  response.set_chunked_content_provider(
                      "text/csv; charset=utf-8",
                      [stream](size_t, httplib::DataSink& sink) { return stream->Produce(sink); });
                } else {
                  auto stream = std::make_shared<JsonStream>(std::move(*cursor));
                  response.set_chunked_content_provider(
                      "application/json",
                      [stream](size_t, httplib::DataSink& sink) { return stream->Produce(sink); });
                }
              }));
}

}  // namespace lakehouse::server
