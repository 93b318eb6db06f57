// The web UI: server-rendered HTML pages, enhanced with htmx, at `/`
// and under `/ui/`, plus its static files under `/static/`.
//
// Promises:
//  - Every page is a plain GET URL that renders whole, so any state the UI
//    shows (a version preview, a diff, a query and its page) can be linked.
//    An htmx request for a part of a page (HX-Target names it) gets only that
//    part; the URL stays the same.
//  - Handlers translate requests into Catalog, QueryEngine and VectorService
//    calls and render what comes back; errors are shown in place, with the
//    HTTP status of the error.
//  - Uploads go straight to POST /v1/datasets/{name}/ingest from the page, so
//    the UI adds no second way to ingest.
//  - Restoring a version (POST /ui/datasets/{name}/restore, form field
//    `version`) is the one write the UI makes itself; it calls
//    catalog::Restore, and the front door asks for write scope as it does
//    for the API's restore.
//  - A dataset page lists the dataset's erasures (when, the predicate,
//    rows erased, versions rewritten) and marks the versions they rewrote.
#pragma once

#include <httplib.h>

#include "catalog/catalog.h"
#include "ingest/ingestor.h"
#include "query/query_engine.h"
#include "vector/vector_service.h"

namespace lakehouse::web {

// `ingestor` (may be null) supplies a dataset page's erasure log.
void RegisterUiRoutes(httplib::Server& router, catalog::Catalog& catalog,
                      query::QueryEngine& engine, vector::VectorService& vectors,
                      ingest::Ingestor* ingestor = nullptr);

}  // namespace lakehouse::web
