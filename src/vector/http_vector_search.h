// vector::HttpVectorSearch — search by text in a vectord over HTTP
// (POST /v1/indexes/{name}/search with {"text", "k", "filter"}), for a queryd whose SQL
// vector_search() reaches indexes that live in another process.
//
// Promises:
//  - Hits come back as vectord answered them: nearest first, at most k.
//  - Errors keep vectord's status (404: unknown index, 400: an index without
//    a model) and its message; a vectord that cannot be reached is
//    kUnavailable naming the service and its URL.
//  - Safe to call from many threads at once (a pool of connections).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "http/client_pool.h"
#include "vector/index.h"

namespace lakehouse::vector {

class HttpVectorSearch {
 public:
  static Result<std::unique_ptr<HttpVectorSearch>> Create(const http::ClientOptions& options);

  // `filter` is a metadata filter as a JSON object's text (metadata_filter.h),
  // empty for none; vectord applies it inside the search and answers 400
  // naming what is wrong with it.
  Result<std::vector<Hit>> SearchText(const std::string& index, const std::string& text, size_t k,
                                      const std::string& filter = "");

 private:
  explicit HttpVectorSearch(std::unique_ptr<http::ClientPool> pool) : pool_(std::move(pool)) {}
  std::unique_ptr<http::ClientPool> pool_;
};

}  // namespace lakehouse::vector
