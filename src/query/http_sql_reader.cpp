// HttpSqlReader: POSTs a query to queryd's /v1/query and reads the whole JSON answer back.
#include "http/http_status.h"
#include "query/sql_reader.h"

namespace lakehouse::query {

using nlohmann::json;

Result<std::unique_ptr<HttpSqlReader>> HttpSqlReader::Create(const std::string& queryd_url) {
  http::ClientOptions options;
  options.base_url = queryd_url;
  options.service = "queryd";
  options.timeout_s = 300;
  LH_ASSIGN_OR_RETURN(auto pool, http::ClientPool::Create(options));
  return std::unique_ptr<HttpSqlReader>(new HttpSqlReader(std::move(pool)));
}

Result<SqlAnswer> HttpSqlReader::Read(const QueryRequest& request) {
  json body = {{"sql", request.sql}, {"limit", request.limit}, {"format", "json"}};
  if (!request.as_of.empty()) body["as_of"] = request.as_of;
  auto lease = pool_->Acquire();
  auto response = lease->Post("/v1/query", body.dump(), "application/json");
  if (!response) {
    lease.Discard();
    return pool_->TransportError(response.error());
  }
  if (response->status != 200) return http::StatusFromHttp(response->status, response->body);
  json answer_json = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (answer_json.is_discarded() || !answer_json.is_object()) {
    return Status::Unavailable("queryd at " + pool_->base_url() +
                               " sent an answer that is not JSON");
  }
  // A query that fails after its first rows reports it in the answer's tail.
  if (auto error = answer_json.find("error"); error != answer_json.end()) {
    return http::StatusFromHttp(500, json{{"error", *error}}.dump());
  }
  SqlAnswer answer;
  try {
    for (const auto& column : answer_json.at("columns")) {
      answer.columns.push_back(column.at("name").get<std::string>());
      answer.types.push_back(column.at("type").get<std::string>());
    }
    answer.rows = std::move(answer_json.at("rows"));
    answer.versions = answer_json.at("versions").get<std::map<std::string, uint64_t>>();
    answer.truncated = answer_json.at("truncated").get<bool>();
  } catch (const json::exception& e) {
    return Status::Unavailable("queryd at " + pool_->base_url() +
                               " sent an answer without its fields: " + e.what());
  }
  return answer;
}

}  // namespace lakehouse::query
