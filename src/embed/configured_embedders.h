// Adds the model servers of [embed] to an EmbedderSet (beside the built-in
// embedder). A server that is down at startup is no error: it is asked only
// when a request names its model.
#pragma once

#include "common/config.h"
#include "embed/embedder_set.h"

namespace lakehouse::embed {

Status AddConfiguredEmbedders(const EmbedConfig& config, EmbedderSet& embedders);

}  // namespace lakehouse::embed
