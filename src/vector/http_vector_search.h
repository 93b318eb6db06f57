// vector::HttpVectorSearch — search by text in a vectord over HTTP
// (POST /v1/indexes/{name}/search with {"text", "k"}), for a queryd whose SQL
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

  Result<std::vector<Hit>> SearchText(const std::string& index, const std::string& text, size_t k);

 private:
  explicit HttpVectorSearch(std::unique_ptr<http::ClientPool> pool) : pool_(std::move(pool)) {}
  std::unique_ptr<http::ClientPool> pool_;
};

}  // namespace lakehouse::vector
