// POST .../indexes builds or refreshes a text index (JSON, or NDJSON progress); also .../reconcile.
#include "server/dataset_index_routes.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "http/http_status.h"
#include "server/full_text_params.h"
#include "server/http_server.h"
#include "server/request_body.h"
#include "server/vector_routes.h"

namespace lakehouse::server {
namespace {

using nlohmann::json;

constexpr std::string_view kDatasetIndexFields[] = {
    "index",   "id_column", "text_column", "model", "metadata_columns",
    "rebuild", "full_text", "stemmer",     "k1",    "b"};

Result<vector::DatasetIndexRequest> ParseRequest(std::string dataset, const std::string& body) {
  LH_ASSIGN_OR_RETURN(json j, ParseJsonObject(body, kDatasetIndexFields));
  vector::DatasetIndexRequest request;
  request.dataset = std::move(dataset);
  LH_ASSIGN_OR_RETURN(request.full_text, ParseFullTextChoice(j));
  for (auto& item : j.items()) {
    // Named rather than structured bindings, which clang 14 (clang-tidy's
    // parser) does not let a lambda capture.
    const std::string& key = item.key();
    json& value = item.value();
    auto text = [&](std::string* out) -> Status {
      if (!value.is_string()) return Status::InvalidArgument("\"" + key + "\" must be a string");
      *out = value.get<std::string>();
      return Status::Ok();
    };
    if (key == "index") {
      LH_RETURN_IF_ERROR(text(&request.index));
    } else if (key == "id_column") {
      LH_RETURN_IF_ERROR(text(&request.id_column));
    } else if (key == "text_column") {
      LH_RETURN_IF_ERROR(text(&request.text_column));
    } else if (key == "model") {
      if (!value.is_null()) LH_RETURN_IF_ERROR(text(&request.model));
    } else if (key == "rebuild") {
      if (!value.is_boolean()) return Status::InvalidArgument("\"rebuild\" must be true or false");
      request.rebuild = value.get<bool>();
    } else if (key == "metadata_columns") {
      if (!value.is_array()) {
        return Status::InvalidArgument("\"metadata_columns\" must be an array of column names");
      }
      request.metadata_columns.emplace();
      for (const auto& column : value) {
        if (!column.is_string()) {
          return Status::InvalidArgument("\"metadata_columns\" must be an array of column names");
        }
        request.metadata_columns->push_back(column.get<std::string>());
      }
    }
  }
  if (request.index.empty()) return Status::InvalidArgument("\"index\" is required");
  if (request.text_column.empty()) return Status::InvalidArgument("\"text_column\" is required");
  if (request.id_column.empty()) return Status::InvalidArgument("\"id_column\" is required");
  return request;
}

json OutcomeJson(const vector::DatasetIndexOutcome& outcome) {
  json out = IndexJson(outcome.status);
  out["build"] = {{"created", outcome.created},           {"rebuilt", outcome.rebuilt},
                  {"from_version", outcome.from_version}, {"upserted", outcome.upserted},
                  {"removed", outcome.removed},           {"skipped", outcome.skipped},
                  {"elapsed_ms", outcome.elapsed_ms}};
  return out;
}

bool WantsProgress(const httplib::Request& request) {
  return request.get_header_value("Accept").find("application/x-ndjson") != std::string::npos;
}

// Progress lines at most every quarter second, and at each new phase.
class ProgressLines {
 public:
  explicit ProgressLines(httplib::DataSink& sink) : sink_(sink) {}
  void operator()(const vector::DatasetIndexProgress& p) {
    auto now = std::chrono::steady_clock::now();
    bool finished = p.total != 0 && p.done == p.total;
    if (p.phase == phase_ && !finished && now - last_ < std::chrono::milliseconds(250)) return;
    phase_ = p.phase;
    last_ = now;
    Write(json{{"phase", p.phase}, {"done", p.done}, {"total", p.total}});
  }
  void Write(const json& line) {
    std::string text = line.dump() + "\n";
    sink_.write(text.data(), text.size());
  }

 private:
  httplib::DataSink& sink_;
  std::string phase_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

void RegisterDatasetIndexRoutes(httplib::Server& router, vector::DatasetIndexer& indexer) {
  router.Post(
      R"(/v1/datasets/([^/]+)/indexes)",
      ConsumeBody([&indexer](const httplib::Request& http_request, httplib::Response& response,
                             const httplib::ContentReader& reader) {
        auto body = ReadBoundedBody(http_request, reader);
        if (!body.ok()) return WriteError(response, body.status());
        auto request = ParseRequest(http_request.matches[1], *body);
        if (!request.ok()) return WriteError(response, request.status());
        if (!WantsProgress(http_request)) {
          auto outcome = indexer.BuildOrRefresh(*request);
          if (!outcome.ok()) return WriteError(response, outcome.status());
          return WriteJson(response, outcome->created ? 201 : 200, OutcomeJson(*outcome).dump());
        }
        response.set_chunked_content_provider(
            "application/x-ndjson",
            [&indexer, request = std::move(*request)](size_t, httplib::DataSink& sink) {
              ProgressLines lines(sink);
              auto outcome = indexer.BuildOrRefresh(
                  request, [&](const vector::DatasetIndexProgress& p) { lines(p); });
              if (outcome.ok()) {
                lines.Write(OutcomeJson(*outcome));
              } else {
                lines.Write(json::parse(http::ErrorBody(outcome.status())));
              }
              sink.done();
              return true;
            });
      }));
  router.Post(R"(/v1/datasets/([^/]+)/indexes/reconcile)",
              [&indexer](const httplib::Request& request, httplib::Response& response) {
                const std::string dataset = request.matches[1].str();
                if (Status s = catalog::ValidateDatasetName(dataset); !s.ok()) {
                  return WriteError(response, s);
                }
                auto outcomes = indexer.Reconcile(dataset);
                if (!outcomes.ok()) return WriteError(response, outcomes.status());
                WriteJson(response, 200, ReconcileJson(*outcomes).dump());
              });
}

nlohmann::json ReconcileJson(const std::vector<vector::ReconcileOutcome>& outcomes) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& o : outcomes) {
    list.push_back({{"index", o.index}, {"removed", o.removed}, {"rebuilt", o.rebuilt}});
  }
  return {{"indexes", list}};
}

}  // namespace lakehouse::server
