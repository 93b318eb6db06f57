// The UI's page handlers, one per route; web/ui_routes.cpp registers them.
//
// Each renders what Catalog, QueryEngine or VectorService answer, whole or
// as the htmx part the request names (web/ui_http.h), with errors in place.
#pragma once

#include <httplib.h>

#include "catalog/catalog.h"
#include "ingest/ingestor.h"
#include "query/query_engine.h"
#include "vector/vector_service.h"

namespace lakehouse::web {

// GET /: datasets and indexes at a glance (web/ui_overview_page.cpp).
void OverviewPage(catalog::Catalog& catalog, vector::VectorService& vectors,
                  const httplib::Request& request, httplib::Response& response);

// web/ui_dataset_pages.cpp
// GET /ui/datasets/{name}[?version=N][&a=N&b=M]: history, preview, diff,
// erasures. `ingestor` (may be null) supplies the erasure log.
void DatasetPage(catalog::Catalog& catalog, query::QueryEngine& engine, ingest::Ingestor* ingestor,
                 const httplib::Request& request, httplib::Response& response);
// GET /ui/datasets/{name}/profile: the current version's profile.
void DatasetProfilePage(catalog::Catalog& catalog, query::QueryEngine& engine,
                        const httplib::Request& request, httplib::Response& response);
// POST /ui/datasets/{name}/restore, form field `version`.
void RestoreVersion(catalog::Catalog& catalog, const httplib::Request& request,
                    httplib::Response& response);
// GET /ui/upload[?dataset=NAME]
void UploadPage(catalog::Catalog& catalog, const httplib::Request& request,
                httplib::Response& response);

// web/ui_query_pages.cpp
// GET /ui/sql[?q=SQL][&page=N]: the SQL console.
void SqlPage(query::QueryEngine& engine, const httplib::Request& request,
             httplib::Response& response);
// GET /ui/sql.csv?q=SQL: the whole result as CSV.
void SqlCsv(query::QueryEngine& engine, const httplib::Request& request,
            httplib::Response& response);

// web/ui_index_pages.cpp
// GET /ui/indexes
void IndexesPage(vector::VectorService& vectors, const httplib::Request& request,
                 httplib::Response& response);
// GET or POST /ui/indexes/{name}[?vector=|text=[&mode=]][&k=][&filter=]: an index and a
// search in it (web/ui_index_search.h).
void IndexPage(vector::VectorService& vectors, const httplib::Request& request,
               httplib::Response& response);

}  // namespace lakehouse::web
