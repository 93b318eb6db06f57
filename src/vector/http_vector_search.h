// vector::HttpVectorSearch — search by text in a vectord over HTTP
// (POST /v1/indexes/{name}/search with {"text", "mode", "k", "filter"}), for
// a queryd whose SQL vector_search(), text_search() and hybrid_search() reach
// indexes that live in another process.
//
// Promises:
//  - Hits come back as vectord answered them: best first, at most k, in the
//    mode asked for (always sent, so an index with a full-text part is not
//    searched in its default hybrid mode when vectors were asked for).
//  - Errors keep vectord's status (404: unknown index, 400: an index without
//    a model, or without a full-text part for keyword and hybrid) and its
//    message; a vectord that cannot be reached is kUnavailable naming the
//    service and its URL; an answer that is not a search result is kIoError.
//  - Safe to call from many threads at once (a pool of connections).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "http/client_pool.h"
#include "vector/index.h"
#include "vector/index_search.h"

namespace lakehouse::vector {

class HttpVectorSearch {
 public:
  static Result<std::unique_ptr<HttpVectorSearch>> Create(const http::ClientOptions& options);

  // `filter` is a metadata filter as a JSON object's text (metadata_filter.h),
  // empty for none; vectord applies it inside the search and answers 400
  // naming what is wrong with it. Each hit has its score; its distance where
  // the vector ranker found it; in hybrid mode its place in each ranking.
  Result<SearchResult> Search(const std::string& index, SearchMode mode, const std::string& text,
                              size_t k, const std::string& filter = "");

  // Search in vector mode, each hit with its distance.
  Result<std::vector<Hit>> SearchText(const std::string& index, const std::string& text, size_t k,
                                      const std::string& filter = "");

 private:
  explicit HttpVectorSearch(std::unique_ptr<http::ClientPool> pool) : pool_(std::move(pool)) {}
  Status Malformed() const;
  std::unique_ptr<http::ClientPool> pool_;
};

}  // namespace lakehouse::vector
