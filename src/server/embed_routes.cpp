// POST /v1/embed: checks the texts and model fields, embeds with the chosen embedder, answers JSON.
#include "server/embed_routes.h"

#include <nlohmann/json.hpp>

#include "server/http_server.h"
#include "server/request_body.h"

namespace lakehouse::server {
namespace {

using nlohmann::json;

constexpr size_t kMaxEmbedBody = 16 << 20;
constexpr std::string_view kEmbedFields[] = {"texts", "model"};

void HandleEmbed(const embed::EmbedderSet& embedders, const std::string& body,
                 httplib::Response& response) {
  auto parsed = ParseJsonObject(body, kEmbedFields);
  if (!parsed.ok()) return WriteError(response, parsed.status());
  const json& request = *parsed;
  auto texts_json = request.find("texts");
  if (texts_json == request.end() || !texts_json->is_array()) {
    return WriteError(response, Status::InvalidArgument("\"texts\" must be an array of strings"));
  }
  if (texts_json->size() > kMaxTextsPerEmbed) {
    return WriteError(response, Status::TooLarge("at most " + std::to_string(kMaxTextsPerEmbed) +
                                                 " texts per request"));
  }
  std::vector<std::string> texts;
  texts.reserve(texts_json->size());
  for (size_t i = 0; i < texts_json->size(); ++i) {
    if (!(*texts_json)[i].is_string()) {
      return WriteError(response,
                        Status::InvalidArgument("text " + std::to_string(i) + " is not a string"));
    }
    texts.push_back((*texts_json)[i].get<std::string>());
  }
  std::string model;
  if (auto m = request.find("model"); m != request.end() && !m->is_null()) {
    if (!m->is_string()) {
      return WriteError(response, Status::InvalidArgument("\"model\" must be a string"));
    }
    model = m->get<std::string>();
  }
  auto embedder = embedders.Find(model);
  if (!embedder.ok()) return WriteError(response, embedder.status());
  auto vectors = (*embedder)->Embed(texts);
  if (!vectors.ok()) return WriteError(response, vectors.status());
  WriteJson(response, 200,
            json{{"model", (*embedder)->name()}, {"dim", (*embedder)->dim()}, {"vectors", *vectors}}
                .dump());
}

}  // namespace

void RegisterEmbedRoutes(httplib::Server& router, const embed::EmbedderSet& embedders) {
  router.Post("/v1/embed",
              ConsumeBody([&embedders](const httplib::Request& request, httplib::Response& response,
                                       const httplib::ContentReader& reader) {
                auto body = ReadBoundedBody(request, reader, kMaxEmbedBody);
                if (!body.ok()) return WriteError(response, body.status());
                HandleEmbed(embedders, *body, response);
              }));
}

}  // namespace lakehouse::server
