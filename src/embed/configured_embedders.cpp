// AddConfiguredEmbedders: the OpenAI-style, Ollama and static embedders of [embed], added by name.
#include "embed/configured_embedders.h"

#include <spdlog/spdlog.h>

#include "embed/http_embedders.h"
#include "embed/static_embedder.h"

namespace lakehouse::embed {

namespace {

HttpEmbedderOptions Options(const std::string& url, const std::string& model, int dim,
                            int timeout_s) {
  HttpEmbedderOptions options;
  options.base_url = url;
  options.model = model;
  options.dim = static_cast<size_t>(dim);
  options.timeout_s = timeout_s;
  return options;
}

// Offers one model server, once Create has checked its options.
template <typename ServerEmbedder>
Status Offer(Result<std::unique_ptr<ServerEmbedder>> created, EmbedderSet& embedders) {
  LH_ASSIGN_OR_RETURN(auto embedder, std::move(created));
  spdlog::info("embed: {} at {}", embedder->name(), embedder->endpoint());
  return embedders.Add(std::move(embedder));
}

}  // namespace

Status AddConfiguredEmbedders(const EmbedConfig& config, EmbedderSet& embedders) {
  if (!config.openai_url.empty()) {
    LH_RETURN_IF_ERROR(Offer(OpenAiEmbedder::Create(Options(config.openai_url, config.openai_model,
                                                            config.openai_dim, config.timeout_s)),
                             embedders));
  }
  if (!config.ollama_url.empty()) {
    LH_RETURN_IF_ERROR(Offer(OllamaEmbedder::Create(Options(config.ollama_url, config.ollama_model,
                                                            config.ollama_dim, config.timeout_s)),
                             embedders));
  }
  if (!config.static_model.empty()) {
    LH_ASSIGN_OR_RETURN(auto embedder, StaticEmbedder::Load(config.static_model));
    spdlog::info("embed: {} from {} ({} dimensions)", embedder->name(), config.static_model,
                 embedder->dim());
    LH_RETURN_IF_ERROR(embedders.Add(std::move(embedder)));
  }
  return Status::Ok();
}

}  // namespace lakehouse::embed
