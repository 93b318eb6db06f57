// ParseFullTextChoice and FullTextJson: the full-text fields of the index-creating routes.
#include "server/full_text_params.h"

#include "server/request_body.h"

namespace lakehouse::server {

using nlohmann::json;

namespace {

Status ReadNumber(const json& request, const char* field, double* out) {
  auto it = request.find(field);
  if (it == request.end() || it->is_null()) return Status::Ok();
  if (!it->is_number())
    return Status::InvalidArgument(std::string("\"") + field + "\" must be a number");
  *out = it->get<double>();
  return Status::Ok();
}

}  // namespace

Result<std::optional<vector::FullTextChoice>> ParseFullTextChoice(const json& request) {
  const bool tuned =
      HasJsonValue(request, "stemmer") || HasJsonValue(request, "k1") || HasJsonValue(request, "b");
  if (!HasJsonValue(request, "full_text") && !tuned) return std::optional<vector::FullTextChoice>();
  vector::FullTextChoice choice;
  if (HasJsonValue(request, "full_text")) {
    if (!request["full_text"].is_boolean()) {
      return Status::InvalidArgument("\"full_text\" must be true or false");
    }
    choice.enabled = request["full_text"].get<bool>();
  }
  if (!choice.enabled) {
    if (tuned) {
      return Status::InvalidArgument(
          "\"stemmer\", \"k1\" and \"b\" tune the full-text part, which \"full_text\": false "
          "turns off");
    }
    return std::optional(choice);
  }
  if (HasJsonValue(request, "stemmer")) {
    if (!request["stemmer"].is_string()) {
      return Status::InvalidArgument("\"stemmer\" must be \"english\" or \"none\"");
    }
    auto stemming = text::ParseStemming(request["stemmer"].get<std::string>());
    if (!stemming.ok())
      return Status::InvalidArgument("\"stemmer\": " + stemming.status().message());
    choice.params.stemming = *stemming;
  }
  LH_RETURN_IF_ERROR(ReadNumber(request, "k1", &choice.params.k1));
  LH_RETURN_IF_ERROR(ReadNumber(request, "b", &choice.params.b));
  if (Status s = text::ValidateParams(choice.params); !s.ok()) return s;
  return std::optional(choice);
}

json FullTextJson(const std::optional<text::Bm25Params>& params) {
  if (!params) return nullptr;
  return {{"k1", params->k1}, {"b", params->b}, {"stemmer", text::StemmingName(params->stemming)}};
}

}  // namespace lakehouse::server
