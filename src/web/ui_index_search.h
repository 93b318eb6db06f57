// The search on an index's page: the form's fields, the one
// VectorService::Search call they make, and the hits as the page shows them
// (score, distance, hybrid ranks, matched terms highlighted).
#pragma once

#include <httplib.h>

#include <cstddef>
#include <string>

#include "vector/vector_service.h"
#include "web/templates.h"

namespace lakehouse::web {

// What the search forms send: `text` (with `mode`) or `vector`, each with
// `filter` and `k`. Empty strings are fields left out.
struct IndexSearchForm {
  std::string text;
  std::string vector;
  std::string filter;
  std::string mode;  // "hybrid", "vector" or "keyword"; empty: the index's default
  size_t k = 10;
};

IndexSearchForm ReadSearchForm(const httplib::Request& request);

// The form's fields back into the page, and the mode choice an index with a
// full-text part offers (hybrid checked unless another mode was asked for).
void SetFormData(const IndexSearchForm& form, const vector::IndexStatus& status, Data& data);

// Runs the search the form asks for, if any (a text or a vector), and sets
// "search" in `data`: the hits, or the error in place, whose HTTP status
// goes to `http_status`.
void RunSearch(vector::VectorService& vectors, const vector::IndexStatus& status,
               const IndexSearchForm& form, Data& data, int* http_status);

}  // namespace lakehouse::web
