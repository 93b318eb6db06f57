// RegisterUiRoutes: the UI's pages (overview, dataset, profile, SQL, upload, indexes), static
// files.
#include "web/ui_routes.h"

#include "web/ui_http.h"
#include "web/ui_pages.h"

namespace lakehouse::web {

void RegisterUiRoutes(httplib::Server& router, catalog::Catalog& catalog,
                      query::QueryEngine& engine, vector::VectorService& vectors,
                      ingest::Ingestor* ingestor) {
  router.Get("/", [&](const httplib::Request& request, httplib::Response& response) {
    OverviewPage(catalog, vectors, request, response);
  });
  router.Get("/ui/?", [](const httplib::Request&, httplib::Response& response) {
    response.set_redirect("/");
  });
  router.Get(R"(/static/([A-Za-z0-9_.-]+))", SendStaticFile);
  router.Get(
      R"(/ui/datasets/([^/]+))",
      [&catalog, &engine, ingestor](const httplib::Request& request, httplib::Response& response) {
        DatasetPage(catalog, engine, ingestor, request, response);
      });
  router.Get(R"(/ui/datasets/([^/]+)/profile)",
             [&](const httplib::Request& request, httplib::Response& response) {
               DatasetProfilePage(catalog, engine, request, response);
             });
  router.Post(R"(/ui/datasets/([^/]+)/restore)",
              [&](const httplib::Request& request, httplib::Response& response) {
                RestoreVersion(catalog, request, response);
              });
  router.Get("/ui/sql", [&](const httplib::Request& request, httplib::Response& response) {
    SqlPage(engine, request, response);
  });
  router.Get("/ui/sql.csv", [&](const httplib::Request& request, httplib::Response& response) {
    SqlCsv(engine, request, response);
  });
  router.Get("/ui/upload", [&](const httplib::Request& request, httplib::Response& response) {
    UploadPage(catalog, request, response);
  });
  router.Get("/ui/indexes", [&](const httplib::Request& request, httplib::Response& response) {
    IndexesPage(vectors, request, response);
  });
  // POST too: a search vector of a few hundred numbers can outgrow a URL.
  auto index_page = [&](const httplib::Request& request, httplib::Response& response) {
    IndexPage(vectors, request, response);
  };
  router.Get(R"(/ui/indexes/([^/]+))", index_page);
  router.Post(R"(/ui/indexes/([^/]+))", index_page);
}

}  // namespace lakehouse::web
