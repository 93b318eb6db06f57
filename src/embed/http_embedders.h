// Embedders that ask a local model server over HTTP:
//  - OpenAiEmbedder: POST {base_url}/v1/embeddings, the OpenAI shape spoken by
//    llama.cpp's server, vLLM, LM Studio and text-embeddings-inference.
//  - OllamaEmbedder: POST {base_url}/api/embed, Ollama's own shape.
//
// Promises, on top of embed::Embedder's:
//  - Inputs are sent in batches of at most batch_size texts; the answer is one
//    vector per text in input order (OpenAI answers are put in order by their
//    "index", since servers may reorder), or an error for the whole call.
//  - Every vector has dim() finite floats. With options.dim == 0 the
//    dimension is learned from the first successful call and then held; until
//    then dim() is 0.
//  - Connection failures, 5xx and 429 are retried (retries times, backoff
//    doubling from backoff_ms); a request that outlives timeout_s is not
//    (a slow model stays slow) and fails as kTimeout.
//  - Errors name the model and the server's URL: kUnavailable when it cannot
//    be reached or keeps failing, the server's own message for a 4xx
//    (kInvalidArgument, or kUnprocessable for a 422, kUnauthenticated /
//    kPermissionDenied for 401 / 403), kUnprocessable for an answer that is
//    not usable (wrong count, dimension, or values).
//  - Safe to call from several threads at once (each request borrows its own
//    connection from a ClientPool).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "embed/embedder.h"
#include "http/client_pool.h"

namespace lakehouse::embed {

struct HttpEmbedderOptions {
  // http://host:port, optionally with a path prefix. For OpenAI servers a
  // prefix ending in /v1 (the OpenAI SDKs' convention) is not doubled.
  std::string base_url;
  std::string model;
  size_t dim = 0;  // expected dimension; 0 = learn from the first answer
  size_t batch_size = 64;
  int timeout_s = 60;  // per request, waiting for the model
  int connect_timeout_ms = 2000;
  int retries = 3;  // extra attempts after the first
  int backoff_ms = 100;
  std::string api_key;  // sent as "Authorization: Bearer <key>" when set
};

// The shared client: batching, retries, error mapping and validation. The
// two protocols differ only in the path, and where the vectors sit in the
// answer.
class HttpEmbedder : public Embedder {
 public:
  std::string name() const override { return name_; }
  size_t dim() const override { return dim_.load(); }
  Result<std::vector<std::vector<float>>> Embed(std::span<const std::string> texts) override;

  // The dimension, asking the server for one vector first when it is not
  // known yet: dim() is 0 until then, and an index needs it before any text.
  Result<size_t> LearnDim();

  // The full URL requests go to, as named in errors.
  const std::string& endpoint() const { return endpoint_; }

 protected:
  HttpEmbedder(std::string name, std::unique_ptr<http::ClientPool> pool, std::string path,
               const HttpEmbedderOptions& options);

  // Checks options and splits base_url into the origin a ClientPool takes and
  // a path prefix (without a trailing '/').
  struct Target {
    std::unique_ptr<http::ClientPool> pool;
    std::string prefix;
  };
  static Result<Target> Connect(const HttpEmbedderOptions& options, const std::string& name);
  // kUnprocessable naming the model, the URL and what is wrong with an answer.
  Status Unusable(const std::string& what) const;

 private:
  // Points `out` at the `count` embedding arrays of a 2xx answer, in input
  // order; the values themselves are checked by the caller.
  virtual Status FindVectors(const nlohmann::json& answer, size_t count,
                             std::vector<const nlohmann::json*>& out) const = 0;

  // One batch: send (with retries), parse and check. `first` is the batch's
  // position in the whole input, for messages; `dim` is the dimension to hold
  // the answer to, or 0 to take it from this answer (then set).
  Result<std::vector<std::vector<float>>> EmbedBatch(std::span<const std::string> batch,
                                                     size_t first, size_t& dim);
  // One HTTP exchange; the body of a 2xx answer, or why not and whether a
  // retry may help.
  Result<std::string> Send(const std::string& body, bool& retryable);
  Status ErrorAnswer(int status, const std::string& body) const;

  std::string name_;
  std::unique_ptr<http::ClientPool> pool_;
  std::string path_;
  std::string endpoint_;
  HttpEmbedderOptions options_;
  std::atomic<size_t> dim_;
};

class OpenAiEmbedder final : public HttpEmbedder {
 public:
  static Result<std::unique_ptr<OpenAiEmbedder>> Create(const HttpEmbedderOptions& options);

 private:
  using HttpEmbedder::HttpEmbedder;
  Status FindVectors(const nlohmann::json& answer, size_t count,
                     std::vector<const nlohmann::json*>& out) const override;
};

class OllamaEmbedder final : public HttpEmbedder {
 public:
  static Result<std::unique_ptr<OllamaEmbedder>> Create(const HttpEmbedderOptions& options);

 private:
  using HttpEmbedder::HttpEmbedder;
  Status FindVectors(const nlohmann::json& answer, size_t count,
                     std::vector<const nlohmann::json*>& out) const override;
};

}  // namespace lakehouse::embed
