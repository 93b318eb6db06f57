// Adds the model servers of [embed] to an EmbedderSet (beside the built-in
// embedder). A server that is down at startup is no error: it is asked only
// when a request names its model. A static model (static_model) is loaded
// here, at startup: a missing or bad folder is an error naming the file.
#pragma once

#include "common/config.h"
#include "embed/embedder_set.h"

namespace lakehouse::embed {

Status AddConfiguredEmbedders(const EmbedConfig& config, EmbedderSet& embedders);

}  // namespace lakehouse::embed
