// OpenAI and Ollama embedding clients: batched POSTs with retries, answers checked and ordered.
#include "embed/http_embedders.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

namespace lakehouse::embed {
namespace {

using nlohmann::json;

constexpr size_t kMaxQuotedBody = 300;

// The server's own words for a failed request: OpenAI {"error":{"message"}},
// Ollama and text-embeddings-inference {"error":"..."}, older vLLM
// {"message":"..."}; otherwise the start of the body, as something to go on.
std::string ServerMessage(const std::string& body) {
  auto parsed = json::parse(body, nullptr, false);
  if (!parsed.is_discarded() && parsed.is_object()) {
    auto error = parsed.find("error");
    if (error != parsed.end()) {
      if (error->is_string()) return error->get<std::string>();
      if (error->is_object()) {
        auto message = error->find("message");
        if (message != error->end() && message->is_string()) return message->get<std::string>();
      }
    }
    auto message = parsed.find("message");
    if (message != parsed.end() && message->is_string()) return message->get<std::string>();
  }
  std::string text = body.substr(0, kMaxQuotedBody);
  if (body.size() > kMaxQuotedBody) text += "...";
  return text.empty() ? "no message" : text;
}

}  // namespace

Result<HttpEmbedder::Target> HttpEmbedder::Connect(const HttpEmbedderOptions& options,
                                                   const std::string& name) {
  if (options.model.empty()) return Status::InvalidArgument("an embedding model must be named");
  if (options.batch_size == 0) return Status::InvalidArgument("embedding batch_size must be >= 1");
  if (options.timeout_s < 1) return Status::InvalidArgument("embedding timeout_s must be >= 1");
  if (options.connect_timeout_ms < 1 || options.retries < 0 || options.backoff_ms < 0) {
    return Status::InvalidArgument(
        "embedding connect_timeout_ms must be >= 1, retries and backoff_ms >= 0");
  }
  // ClientPool takes scheme://host:port; a path prefix (a server behind a
  // proxy, or the SDKs' ".../v1") goes in front of every request path.
  const std::string& url = options.base_url;
  size_t scheme_end = url.find("://");
  size_t path_start =
      scheme_end == std::string::npos ? std::string::npos : url.find('/', scheme_end + 3);
  Target target;
  http::ClientOptions client;
  client.base_url = url.substr(0, path_start);
  if (path_start != std::string::npos) target.prefix = url.substr(path_start);
  while (target.prefix.ends_with('/')) target.prefix.pop_back();
  client.service = name;
  client.connect_timeout_ms = options.connect_timeout_ms;
  client.timeout_s = options.timeout_s;
  LH_ASSIGN_OR_RETURN(target.pool, http::ClientPool::Create(client));
  return target;
}

HttpEmbedder::HttpEmbedder(std::string name, std::unique_ptr<http::ClientPool> pool,
                           std::string path, const HttpEmbedderOptions& options)
    : name_(std::move(name)),
      pool_(std::move(pool)),
      path_(std::move(path)),
      endpoint_(pool_->base_url() + path_),
      options_(options),
      dim_(options.dim) {}

Status HttpEmbedder::Unusable(const std::string& what) const {
  return Status::Unprocessable(name_ + " at " + endpoint_ + " gave an unusable answer: " + what);
}

Status HttpEmbedder::ErrorAnswer(int status, const std::string& body) const {
  std::string message = name_ + " at " + endpoint_ + " answered HTTP " + std::to_string(status) +
                        ": " + ServerMessage(body);
  if (status == 429 || status >= 500) return Status::Unavailable(message);
  switch (status) {
    case 401:
      return Status::Unauthenticated(message);
    case 403:
      return Status::PermissionDenied(message);
    case 413:
      return Status::TooLarge(message);
    case 422:
      return Status::Unprocessable(message);
    default:
      // Other 4xx (400, an unknown model's 404, ...) are the request's fault;
      // 1xx/3xx are not answers a model server gives.
      return status >= 400 && status < 500 ? Status::InvalidArgument(message)
                                           : Status::Unprocessable(message);
  }
}

Result<std::string> HttpEmbedder::Send(const std::string& body, bool& retryable) {
  retryable = false;
  httplib::Headers headers;
  if (!options_.api_key.empty()) headers.emplace("Authorization", "Bearer " + options_.api_key);
  auto lease = pool_->Acquire();
  auto start = std::chrono::steady_clock::now();
  auto result = lease->Post(path_, headers, body, "application/json");
  if (!result) {
    lease.Discard();
    // httplib reports a read timeout as a plain Read error; only the clock
    // tells a model that is too slow from a connection that broke.
    auto waited = std::chrono::steady_clock::now() - start;
    if (result.error() == httplib::Error::Read &&
        waited >= std::chrono::seconds(options_.timeout_s) - std::chrono::milliseconds(50)) {
      return Status::Timeout(name_ + " at " + endpoint_ + " did not answer within " +
                             std::to_string(options_.timeout_s) + " s");
    }
    retryable = true;
    return pool_->TransportError(result.error());
  }
  if (result->status >= 200 && result->status < 300) return std::move(result->body);
  retryable = result->status == 429 || result->status >= 500;
  return ErrorAnswer(result->status, result->body);
}

Result<std::vector<std::vector<float>>> HttpEmbedder::EmbedBatch(std::span<const std::string> batch,
                                                                 size_t first, size_t& dim) {
  json request = {{"model", options_.model}, {"input", json::array()}};
  for (const auto& text : batch) request["input"].push_back(text);
  // Invalid UTF-8 becomes U+FFFD rather than failing the batch: texts come
  // from arbitrary files, and the replacement is deterministic, so the same
  // text still gives the same vector.
  std::string body = request.dump(-1, ' ', false, json::error_handler_t::replace);

  Result<std::string> answer = Status::Internal("no attempt made");
  int backoff_ms = options_.backoff_ms;
  for (int attempt = 0;; ++attempt) {
    bool retryable = false;
    answer = Send(body, retryable);
    if (answer.ok() || !retryable || attempt >= options_.retries) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
    backoff_ms = std::min(backoff_ms * 2, 10'000);
  }
  if (!answer.ok()) {
    if (options_.retries == 0 || answer.status().code() != StatusCode::kUnavailable) {
      return answer.status();
    }
    return Status(answer.status().code(), answer.status().message() + " (after " +
                                              std::to_string(options_.retries + 1) + " attempts)");
  }

  auto parsed = json::parse(*answer, nullptr, false);
  if (parsed.is_discarded()) return Unusable("malformed JSON");
  if (!parsed.is_object()) return Unusable("the answer is not a JSON object");
  std::vector<const json*> arrays;
  LH_RETURN_IF_ERROR(FindVectors(parsed, batch.size(), arrays));

  std::vector<std::vector<float>> vectors;
  vectors.reserve(arrays.size());
  for (size_t i = 0; i < arrays.size(); ++i) {
    const json& array = *arrays[i];
    std::string which = "the vector for text " + std::to_string(first + i);
    if (!array.is_array()) return Unusable(which + " is not an array");
    if (array.empty()) return Unusable(which + " is empty");
    if (dim == 0) dim = array.size();
    if (array.size() != dim) {
      return Unusable(which + " has dimension " + std::to_string(array.size()) + ", expected " +
                      std::to_string(dim));
    }
    std::vector<float> vector;
    vector.reserve(dim);
    for (size_t j = 0; j < array.size(); ++j) {
      if (!array[j].is_number()) {
        return Unusable(which + " holds a non-number at position " + std::to_string(j) + ": " +
                        array[j].dump().substr(0, 40));
      }
      double value = array[j].get<double>();
      // Checked as a double first: a finite double beyond float's range would
      // otherwise turn into infinity unnoticed.
      if (!std::isfinite(value) || std::fabs(value) > std::numeric_limits<float>::max()) {
        return Unusable(which + " holds a non-finite value at position " + std::to_string(j));
      }
      vector.push_back(static_cast<float>(value));
    }
    vectors.push_back(std::move(vector));
  }
  return vectors;
}

Result<std::vector<std::vector<float>>> HttpEmbedder::Embed(std::span<const std::string> texts) {
  std::vector<std::vector<float>> out;
  out.reserve(texts.size());
  // A local copy until the whole call succeeded: a failed call learns nothing,
  // so a bad first answer cannot fix the dimension for good.
  size_t held = dim_.load();
  size_t dim = held;
  for (size_t first = 0; first < texts.size(); first += options_.batch_size) {
    auto batch = texts.subspan(first, std::min(options_.batch_size, texts.size() - first));
    LH_ASSIGN_OR_RETURN(auto vectors, EmbedBatch(batch, first, dim));
    for (auto& vector : vectors) out.push_back(std::move(vector));
  }
  if (held == 0 && dim != 0 && !dim_.compare_exchange_strong(held, dim) && held != dim) {
    // Another call learned first, from an answer of another dimension.
    return Unusable("dimension " + std::to_string(dim) + " after earlier answers of dimension " +
                    std::to_string(held));
  }
  return out;
}

Result<size_t> HttpEmbedder::LearnDim() {
  if (size_t known = dim_.load(); known != 0) return known;
  const std::string probe[] = {"dimension probe"};
  LH_ASSIGN_OR_RETURN(auto vectors, Embed(probe));
  return dim_.load();
}

Result<std::unique_ptr<OpenAiEmbedder>> OpenAiEmbedder::Create(const HttpEmbedderOptions& options) {
  std::string name = "openai:" + options.model;
  LH_ASSIGN_OR_RETURN(auto target, Connect(options, name));
  std::string path = target.prefix.ends_with("/v1") ? target.prefix + "/embeddings"
                                                    : target.prefix + "/v1/embeddings";
  return std::unique_ptr<OpenAiEmbedder>(
      new OpenAiEmbedder(std::move(name), std::move(target.pool), std::move(path), options));
}

Status OpenAiEmbedder::FindVectors(const json& answer, size_t count,
                                   std::vector<const json*>& out) const {
  auto data = answer.find("data");
  if (data == answer.end() || !data->is_array()) return Unusable("no \"data\" list");
  if (data->size() != count) {
    return Unusable(std::to_string(data->size()) + " vectors for " + std::to_string(count) +
                    " texts");
  }
  // Servers may answer out of order; "index" says which input each is for.
  out.assign(count, nullptr);
  for (size_t i = 0; i < data->size(); ++i) {
    const json& item = (*data)[i];
    std::string where = "data[" + std::to_string(i) + "]";
    if (!item.is_object()) return Unusable(where + " is not an object");
    auto index = item.find("index");
    if (index == item.end() || !index->is_number_integer()) {
      return Unusable(where + " has no integer \"index\"");
    }
    auto slot = index->get<int64_t>();
    if (slot < 0 || static_cast<uint64_t>(slot) >= count) {
      return Unusable(where + " has index " + std::to_string(slot) + ", outside 0.." +
                      std::to_string(count - 1));
    }
    if (out[slot] != nullptr) {
      return Unusable("index " + std::to_string(slot) + " appears more than once");
    }
    auto embedding = item.find("embedding");
    if (embedding == item.end()) return Unusable(where + " has no \"embedding\"");
    out[slot] = &*embedding;
  }
  return Status::Ok();
}

Result<std::unique_ptr<OllamaEmbedder>> OllamaEmbedder::Create(const HttpEmbedderOptions& options) {
  std::string name = "ollama:" + options.model;
  LH_ASSIGN_OR_RETURN(auto target, Connect(options, name));
  std::string path = target.prefix + "/api/embed";
  return std::unique_ptr<OllamaEmbedder>(
      new OllamaEmbedder(std::move(name), std::move(target.pool), std::move(path), options));
}

Status OllamaEmbedder::FindVectors(const json& answer, size_t count,
                                   std::vector<const json*>& out) const {
  auto embeddings = answer.find("embeddings");
  if (embeddings == answer.end() || !embeddings->is_array()) {
    return Unusable("no \"embeddings\" list");
  }
  if (embeddings->size() != count) {
    return Unusable(std::to_string(embeddings->size()) + " vectors for " + std::to_string(count) +
                    " texts");
  }
  out.clear();
  for (const auto& vector : *embeddings) out.push_back(&vector);
  return Status::Ok();
}

}  // namespace lakehouse::embed
