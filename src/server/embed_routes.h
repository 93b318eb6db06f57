// POST /v1/embed (docs/local-ai.md): texts in, vectors out, by the named
// embedder or the default one.
#pragma once

#include <httplib.h>

#include "embed/embedder_set.h"

namespace lakehouse::server {

inline constexpr size_t kMaxTextsPerEmbed = 4096;

void RegisterEmbedRoutes(httplib::Server& router, const embed::EmbedderSet& embedders);

}  // namespace lakehouse::server
