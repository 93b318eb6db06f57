#include "embed/configured_embedders.h"

#include <spdlog/spdlog.h>

#include "embed/http_embedders.h"

namespace lakehouse::embed {

Status AddConfiguredEmbedders(const EmbedConfig& config, EmbedderSet& embedders) {
  if (!config.openai_url.empty()) {
    HttpEmbedderOptions options;
    options.base_url = config.openai_url;
    options.model = config.openai_model;
    options.dim = static_cast<size_t>(config.openai_dim);
    options.timeout_s = config.timeout_s;
    LH_ASSIGN_OR_RETURN(auto embedder, OpenAiEmbedder::Create(options));
    spdlog::info("embed: {} at {}", embedder->name(), embedder->endpoint());
    LH_RETURN_IF_ERROR(embedders.Add(std::move(embedder)));
  }
  if (!config.ollama_url.empty()) {
    HttpEmbedderOptions options;
    options.base_url = config.ollama_url;
    options.model = config.ollama_model;
    options.dim = static_cast<size_t>(config.ollama_dim);
    options.timeout_s = config.timeout_s;
    LH_ASSIGN_OR_RETURN(auto embedder, OllamaEmbedder::Create(options));
    spdlog::info("embed: {} at {}", embedder->name(), embedder->endpoint());
    LH_RETURN_IF_ERROR(embedders.Add(std::move(embedder)));
  }
  return Status::Ok();
}

}  // namespace lakehouse::embed
