// `lakehouse index create|refresh`: POSTs the request, shows NDJSON progress, prints the result.
#include "cli/index_commands.h"

#include <httplib.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/client_support.h"
#include "cli/counts.h"
#include "cli/progress.h"
#include "common/percent_encoding.h"

namespace lakehouse::cli {
namespace {

using nlohmann::json;

// What a phase counts: "saving" is one step, the others go through rows.
ProgressUnit UnitOfPhase(const std::string& phase) {
  return phase == "saving" ? ProgressUnit::kNone : ProgressUnit::kRows;
}

// "created", "rebuilt" or "refreshed": what the build did to the index.
const char* BuildVerb(const json& build, bool rebuild) {
  if (build.value("created", false)) return "created";
  return rebuild || build.value("rebuilt", false) ? "rebuilt" : "refreshed";
}

// The one line that says what the index holds now.
void PrintOutcome(const json& index, bool rebuild) {
  const json& build = index["build"];
  const json& source = index["source"];
  std::cout << BuildVerb(build, rebuild) << " " << index["name"].get<std::string>() << " from "
            << source["dataset"].get<std::string>() << "@" << source["version"] << ": "
            << Counted(index.value("count", uint64_t{0}), "item") << " ("
            << build.value("upserted", uint64_t{0}) << " embedded, "
            << build.value("removed", uint64_t{0}) << " removed, "
            << Counted(build.value("skipped", uint64_t{0}), "row") << " without an id or text) in "
            << static_cast<int64_t>(build.value("elapsed_ms", 0.0)) << " ms"
            << (index.value("persisted", false) ? "" : "; not saved to storage yet") << "\n";
}

// The server streams NDJSON: progress lines, then the outcome or an error.
int Post(const ClientOptions& options, const std::string& dataset, const json& request) {
  auto client = MakeClient(options);
  std::unique_ptr<Progress> progress;
  std::string phase, pending;
  std::optional<json> outcome, error;
  int status = 0;
  std::string error_body;
  auto on_line = [&](const std::string& line) {
    json message = json::parse(line, nullptr, false);
    if (message.is_discarded()) return;
    if (message.contains("phase")) {
      std::string now = message["phase"].get<std::string>();
      uint64_t total = message.value("total", uint64_t{0});
      if (now != phase) {
        if (progress) progress->Finish("done");
        phase = now;
        progress = std::make_unique<Progress>(phase, total, UnitOfPhase(phase));
      }
      progress->Update(message.value("done", uint64_t{0}));
    } else if (message.contains("error")) {
      error = std::move(message);
    } else {
      outcome = std::move(message);
    }
  };
  httplib::Request post;
  post.method = "POST";
  post.path = "/v1/datasets/" + PercentEncode(dataset) + "/indexes";
  post.headers = {{"Accept", "application/x-ndjson"}, {"Content-Type", "application/json"}};
  post.body = request.dump();
  post.response_handler = [&](const httplib::Response& response) {
    status = response.status;
    return true;
  };
  post.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
    if (status != 200 && status != 201) {
      error_body.append(data, size);
      return true;
    }
    pending.append(data, size);
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
      on_line(pending.substr(0, nl));
      pending.erase(0, nl + 1);
    }
    return true;
  };
  auto result = client->send(post);
  if (!result) return ReportTransport(options, result.error());
  if (result->status != 200 && result->status != 201) {
    return ReportHttp(result->status, error_body);
  }
  if (!pending.empty()) on_line(pending);
  if (progress) progress->Finish(error ? "failed" : "done");
  if (error) return ReportHttp(400, error->dump());
  if (!outcome) {
    std::cerr << "error: the server ended without an outcome\n";
    return 1;
  }
  if (!outcome->is_object() || !(*outcome)["build"].is_object() ||
      !(*outcome)["source"].is_object()) {
    std::cerr << "error: the server's outcome lacks its build or source\n";
    return 1;
  }
  PrintOutcome(*outcome, request.value("rebuild", false));
  return 0;
}

}  // namespace

int RunIndex(const ClientOptions& options, const IndexCommand& c) {
  json request = {{"index", c.index}};
  std::string dataset = c.dataset;
  if (c.action == "refresh") {
    int code = 0;
    auto index = GetJson(options, "/v1/indexes/" + PercentEncode(c.index), &code);
    if (!index) return code;
    if (!index->contains("source")) {
      std::cerr << "error: index " << c.index << " was not built from a dataset\n";
      return 1;
    }
    const json& source = (*index)["source"];
    dataset = source["dataset"].get<std::string>();
    request["id_column"] = source["id_column"];
    request["text_column"] = source["text_column"];
  } else {
    request["id_column"] = c.id_column;
    request["text_column"] = c.text_column;
    if (c.model) request["model"] = *c.model;
    if (c.metadata_columns) request["metadata_columns"] = *c.metadata_columns;
  }
  if (c.no_full_text) request["full_text"] = false;
  if (c.stemmer) request["stemmer"] = *c.stemmer;
  if (c.k1) request["k1"] = *c.k1;
  if (c.b) request["b"] = *c.b;
  if (c.rebuild) request["rebuild"] = true;
  return Post(options, dataset, request);
}

}  // namespace lakehouse::cli
