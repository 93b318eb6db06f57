// The HTTP embedders against local servers that speak the OpenAI and Ollama
// protocols as real model servers do (answers out of order, error bodies in
// each server's shape), and against servers that misbehave: down, failing,
// slow, or answering vectors that cannot be used.
#include "embed/http_embedders.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace lakehouse::embed {
namespace {

using nlohmann::json;

// A model server on 127.0.0.1 at a free port, answering POSTs with `handler`
// and remembering how many texts each request carried.
class FakeServer {
 public:
  using Handler = std::function<void(int call, const json& request, httplib::Response& res)>;

  explicit FakeServer(Handler handler) : handler_(std::move(handler)) {
    server_.Post(R"(.*)", [this](const httplib::Request& req, httplib::Response& res) {
      json request = json::parse(req.body, nullptr, false);
      int call;
      {
        std::lock_guard lock(mu_);
        call = static_cast<int>(batch_sizes_.size());
        batch_sizes_.push_back(request.contains("input") ? request["input"].size() : 0);
        paths_.push_back(req.path);
        authorization_ = req.get_header_value("Authorization");
      }
      handler_(call, request, res);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the loop runs would be lost, and the join would hang.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeServer() { Stop(); }

  void Stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<size_t> batch_sizes() {
    std::lock_guard lock(mu_);
    return batch_sizes_;
  }
  std::vector<std::string> paths() {
    std::lock_guard lock(mu_);
    return paths_;
  }
  std::string authorization() {
    std::lock_guard lock(mu_);
    return authorization_;
  }

 private:
  Handler handler_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<size_t> batch_sizes_;
  std::vector<std::string> paths_;
  std::string authorization_;
};

// A vector that depends only on the text, exactly representable as a float.
std::vector<float> VectorFor(const std::string& text, size_t dim) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  std::vector<float> v;
  for (size_t i = 0; i < dim; ++i) {
    v.push_back(static_cast<float>((h >> (8 * (i % 8))) & 0xff) / 256.0f + static_cast<float>(i));
  }
  return v;
}

// An OpenAI answer with its items in reverse order of their index.
json OpenAiAnswer(const json& request, size_t dim) {
  json data = json::array();
  const json& input = request["input"];
  for (size_t i = input.size(); i-- > 0;) {
    data.push_back({{"object", "embedding"},
                    {"index", i},
                    {"embedding", VectorFor(input[i].get<std::string>(), dim)}});
  }
  return {{"object", "list"},
          {"data", data},
          {"model", request["model"]},
          {"usage", {{"prompt_tokens", input.size()}, {"total_tokens", input.size()}}}};
}

json OllamaAnswer(const json& request, size_t dim) {
  json embeddings = json::array();
  for (const auto& text : request["input"]) {
    embeddings.push_back(VectorFor(text.get<std::string>(), dim));
  }
  return {{"model", request["model"]}, {"embeddings", embeddings}};
}

void Reply(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "application/json");
}

HttpEmbedderOptions Options(const FakeServer& server, std::string model = "m") {
  HttpEmbedderOptions options;
  options.base_url = server.url();
  options.model = std::move(model);
  options.backoff_ms = 10;  // the doubling is kept, the test just waits less
  return options;
}

std::vector<std::string> Texts(size_t n) {
  std::vector<std::string> texts;
  for (size_t i = 0; i < n; ++i) texts.push_back("text number " + std::to_string(i));
  return texts;
}

template <typename T>
std::unique_ptr<HttpEmbedder> Make(const HttpEmbedderOptions& options) {
  auto made = T::Create(options);
  if (!made.ok()) return nullptr;
  return std::move(made).value();
}

bool Mentions(const Status& status, const std::string& what) {
  return status.message().find(what) != std::string::npos;
}

TEST(HttpEmbeddersTest, OpenAiBatchesAndPutsAnswersInInputOrder) {
  FakeServer server([](int, const json& request, httplib::Response& res) {
    ASSERT_EQ(request["model"], "nomic");
    Reply(res, 200, OpenAiAnswer(request, 4).dump());
  });
  auto options = Options(server, "nomic");
  options.api_key = "sk-local";
  auto embedder = OpenAiEmbedder::Create(options);
  ASSERT_TRUE(embedder.ok()) << embedder.status().ToString();
  EXPECT_EQ((*embedder)->name(), "openai:nomic");
  EXPECT_EQ((*embedder)->dim(), 0u);  // not learned yet

  auto texts = Texts(150);
  auto vectors = (*embedder)->Embed(texts);
  ASSERT_TRUE(vectors.ok()) << vectors.status().ToString();
  ASSERT_EQ(vectors->size(), 150u);
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ((*vectors)[i], VectorFor(texts[i], 4)) << i;
  EXPECT_EQ(server.batch_sizes(), (std::vector<size_t>{64, 64, 22}));
  EXPECT_EQ(server.paths()[0], "/v1/embeddings");
  EXPECT_EQ(server.authorization(), "Bearer sk-local");
  EXPECT_EQ((*embedder)->dim(), 4u);

  auto none = (*embedder)->Embed({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(server.batch_sizes().size(), 3u);  // nothing to ask, nothing asked
}

TEST(HttpEmbeddersTest, OpenAiBaseUrlMayEndInV1) {
  FakeServer server([](int, const json& request, httplib::Response& res) {
    Reply(res, 200, OpenAiAnswer(request, 2).dump());
  });
  auto options = Options(server);
  options.base_url += "/v1/";
  auto embedder = OpenAiEmbedder::Create(options);
  ASSERT_TRUE(embedder.ok()) << embedder.status().ToString();
  ASSERT_TRUE((*embedder)->Embed(Texts(1)).ok());
  EXPECT_EQ(server.paths(), std::vector<std::string>{"/v1/embeddings"});
  EXPECT_EQ((*embedder)->endpoint(), server.url() + "/v1/embeddings");
}

TEST(HttpEmbeddersTest, OllamaEmbedsInOrder) {
  FakeServer server([](int, const json& request, httplib::Response& res) {
    Reply(res, 200, OllamaAnswer(request, 3).dump());
  });
  auto options = Options(server, "all-minilm");
  options.dim = 3;
  options.batch_size = 2;
  auto embedder = OllamaEmbedder::Create(options);
  ASSERT_TRUE(embedder.ok()) << embedder.status().ToString();
  EXPECT_EQ((*embedder)->name(), "ollama:all-minilm");
  EXPECT_EQ((*embedder)->dim(), 3u);
  auto texts = Texts(5);
  auto vectors = (*embedder)->Embed(texts);
  ASSERT_TRUE(vectors.ok()) << vectors.status().ToString();
  ASSERT_EQ(vectors->size(), 5u);
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ((*vectors)[i], VectorFor(texts[i], 3));
  EXPECT_EQ(server.batch_sizes(), (std::vector<size_t>{2, 2, 1}));
  EXPECT_EQ(server.paths()[0], "/api/embed");
}

TEST(HttpEmbeddersTest, LearnDimAsksOnceWhenUnknown) {
  FakeServer server([](int, const json& request, httplib::Response& res) {
    Reply(res, 200, OllamaAnswer(request, 6).dump());
  });
  auto embedder = OllamaEmbedder::Create(Options(server));
  ASSERT_TRUE(embedder.ok());
  EXPECT_EQ((*embedder)->dim(), 0u);
  auto dim = (*embedder)->LearnDim();
  ASSERT_TRUE(dim.ok()) << dim.status().ToString();
  EXPECT_EQ(*dim, 6u);
  EXPECT_EQ((*embedder)->dim(), 6u);
  EXPECT_EQ((*embedder)->LearnDim().value(), 6u);
  EXPECT_EQ(server.batch_sizes().size(), 1u);  // known now: not asked again
}

TEST(HttpEmbeddersTest, BadOptionsAreRefused) {
  HttpEmbedderOptions options;
  options.base_url = "http://127.0.0.1:1";
  options.model = "";
  EXPECT_EQ(OpenAiEmbedder::Create(options).status().code(), StatusCode::kInvalidArgument);
  options.model = "m";
  options.batch_size = 0;
  EXPECT_EQ(OllamaEmbedder::Create(options).status().code(), StatusCode::kInvalidArgument);
  options.batch_size = 8;
  options.base_url = "localhost:11434";
  EXPECT_EQ(OllamaEmbedder::Create(options).status().code(), StatusCode::kInvalidArgument);
}

TEST(HttpEmbeddersTest, ServerDownIsUnavailableNamingUrlAndModel) {
  std::string url;
  {
    FakeServer server([](int, const json&, httplib::Response&) {});
    url = server.url();
  }  // stopped: nothing listens on its port now
  HttpEmbedderOptions options;
  options.base_url = url;
  options.model = "bge";
  options.retries = 1;
  options.backoff_ms = 10;
  for (bool ollama : {false, true}) {
    auto embedder = ollama ? Make<OllamaEmbedder>(options) : Make<OpenAiEmbedder>(options);
    ASSERT_NE(embedder, nullptr);
    auto vectors = embedder->Embed(Texts(2));
    ASSERT_FALSE(vectors.ok());
    EXPECT_EQ(vectors.status().code(), StatusCode::kUnavailable);
    EXPECT_TRUE(Mentions(vectors.status(), "at " + url + " is unavailable"))
        << vectors.status().message();
    EXPECT_TRUE(Mentions(vectors.status(), ollama ? "ollama:bge" : "openai:bge"));
  }
}

TEST(HttpEmbeddersTest, FailuresAndRateLimitsAreRetried) {
  FakeServer server([](int call, const json& request, httplib::Response& res) {
    if (call == 0) return Reply(res, 500, R"({"error":{"message":"warming up"}})");
    if (call == 1) return Reply(res, 429, R"({"error":{"message":"slow down"}})");
    Reply(res, 200, OpenAiAnswer(request, 4).dump());
  });
  auto embedder = OpenAiEmbedder::Create(Options(server));
  ASSERT_TRUE(embedder.ok());
  auto vectors = (*embedder)->Embed(Texts(3));
  ASSERT_TRUE(vectors.ok()) << vectors.status().ToString();
  EXPECT_EQ(vectors->size(), 3u);
  EXPECT_EQ(server.batch_sizes().size(), 3u);
}

TEST(HttpEmbeddersTest, LastingFailureFailsAfterRetries) {
  FakeServer server([](int, const json&, httplib::Response& res) {
    Reply(res, 500, R"({"error":"llama runner process has terminated"})");
  });
  auto options = Options(server);
  options.retries = 2;
  auto embedder = OllamaEmbedder::Create(options);
  ASSERT_TRUE(embedder.ok());
  auto vectors = (*embedder)->Embed(Texts(3));
  ASSERT_FALSE(vectors.ok());
  EXPECT_EQ(vectors.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(Mentions(vectors.status(), "llama runner process has terminated"));
  EXPECT_TRUE(Mentions(vectors.status(), "HTTP 500"));
  EXPECT_TRUE(Mentions(vectors.status(), "3 attempts"));
  EXPECT_EQ(server.batch_sizes().size(), 3u);
}

TEST(HttpEmbeddersTest, ClientErrorsPassTheServersMessageWithoutRetrying) {
  FakeServer openai([](int, const json&, httplib::Response& res) {
    Reply(
        res, 400,
        R"({"error":{"message":"input is too large to process","type":"invalid_request_error"}})");
  });
  auto embedder = OpenAiEmbedder::Create(Options(openai));
  ASSERT_TRUE(embedder.ok());
  auto vectors = (*embedder)->Embed(Texts(1));
  ASSERT_FALSE(vectors.ok());
  EXPECT_EQ(vectors.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(vectors.status(), "input is too large to process"));
  EXPECT_TRUE(Mentions(vectors.status(), openai.url() + "/v1/embeddings"));
  EXPECT_EQ(openai.batch_sizes().size(), 1u);

  FakeServer ollama([](int, const json&, httplib::Response& res) {
    Reply(res, 404, R"({"error":"model \"nope\" not found, try pulling it first"})");
  });
  auto missing = OllamaEmbedder::Create(Options(ollama, "nope"));
  ASSERT_TRUE(missing.ok());
  vectors = (*missing)->Embed(Texts(1));
  ASSERT_FALSE(vectors.ok());
  EXPECT_EQ(vectors.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(vectors.status(), "model \"nope\" not found"));

  FakeServer tei([](int, const json&, httplib::Response& res) {
    Reply(res, 422, R"({"error":"Input validation error","error_type":"Validation"})");
  });
  auto validating = OpenAiEmbedder::Create(Options(tei));
  ASSERT_TRUE(validating.ok());
  vectors = (*validating)->Embed(Texts(1));
  EXPECT_EQ(vectors.status().code(), StatusCode::kUnprocessable);
  EXPECT_TRUE(Mentions(vectors.status(), "Input validation error"));
}

TEST(HttpEmbeddersTest, DimensionChangingMidStreamFailsTheWholeCall) {
  std::atomic<size_t> dim = 4;
  FakeServer server([&](int call, const json& request, httplib::Response& res) {
    Reply(res, 200, OpenAiAnswer(request, call == 1 ? 3 : dim.load()).dump());
  });
  auto options = Options(server);
  options.batch_size = 2;
  auto embedder = OpenAiEmbedder::Create(options);
  ASSERT_TRUE(embedder.ok());
  auto vectors = (*embedder)->Embed(Texts(4));
  ASSERT_FALSE(vectors.ok());
  EXPECT_EQ(vectors.status().code(), StatusCode::kUnprocessable);
  EXPECT_TRUE(Mentions(vectors.status(), "dimension 3, expected 4")) << vectors.status().message();
  EXPECT_EQ((*embedder)->dim(), 0u);  // a failed call learns nothing

  ASSERT_TRUE((*embedder)->Embed(Texts(4)).ok());
  EXPECT_EQ((*embedder)->dim(), 4u);
  dim = 5;  // the server changed model under us: held to the learned 4
  vectors = (*embedder)->Embed(Texts(1));
  EXPECT_EQ(vectors.status().code(), StatusCode::kUnprocessable);
  EXPECT_TRUE(Mentions(vectors.status(), "dimension 5, expected 4"));

  options.dim = 8;  // a configured dimension holds from the start
  auto configured = OpenAiEmbedder::Create(options);
  ASSERT_TRUE(configured.ok());
  EXPECT_EQ((*configured)->Embed(Texts(1)).status().code(), StatusCode::kUnprocessable);
}

TEST(HttpEmbeddersTest, WrongCountOrIndexesAreUnprocessable) {
  std::atomic<int> mode = 0;
  FakeServer server([&](int, const json& request, httplib::Response& res) {
    json answer = OpenAiAnswer(request, 2);
    if (mode == 0) answer["data"].erase(0);           // one vector short
    if (mode == 1) answer["data"][0]["index"] = 0;    // index 0 twice
    if (mode == 2) answer["data"][0]["index"] = 7;    // no such input
    if (mode == 3) answer["data"][0].erase("index");  // no index at all
    if (mode == 4) answer = {{"object", "list"}};     // no data
    Reply(res, 200, answer.dump());
  });
  auto embedder = OpenAiEmbedder::Create(Options(server));
  ASSERT_TRUE(embedder.ok());
  const std::vector<std::string> expected = {"1 vectors for 2 texts", "appears more than once",
                                             "index 7", "no integer \"index\"", "no \"data\""};
  for (mode = 0; mode < 5; ++mode) {
    auto vectors = (*embedder)->Embed(Texts(2));
    ASSERT_FALSE(vectors.ok());
    EXPECT_EQ(vectors.status().code(), StatusCode::kUnprocessable);
    EXPECT_TRUE(Mentions(vectors.status(), expected[mode])) << vectors.status().message();
  }

  FakeServer ollama([](int, const json& request, httplib::Response& res) {
    json answer = OllamaAnswer(request, 2);
    answer["embeddings"].push_back({1, 2});  // one too many
    Reply(res, 200, answer.dump());
  });
  auto extra = OllamaEmbedder::Create(Options(ollama));
  ASSERT_TRUE(extra.ok());
  auto vectors = (*extra)->Embed(Texts(2));
  EXPECT_EQ(vectors.status().code(), StatusCode::kUnprocessable);
  EXPECT_TRUE(Mentions(vectors.status(), "3 vectors for 2 texts"));
}

TEST(HttpEmbeddersTest, NonNumericOrNonFiniteValuesAreUnprocessable) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"embeddings":[[0.5,NaN]]})", "malformed JSON"},  // Python's json.dumps writes NaN
      {R"({"embeddings":[[0.5,"0.25"]]})", "non-number at position 1"},
      {R"({"embeddings":[[0.5,null]]})", "non-number at position 1"},
      {R"({"embeddings":[[0.5,1e39]]})", "non-finite value at position 1"},  // beyond float
      {R"({"embeddings":[[]]})", "is empty"},
      {R"({"embeddings":["0.5"]})", "not an array"},
      {R"(not json)", "malformed JSON"},
  };
  std::atomic<size_t> which = 0;
  FakeServer server(
      [&](int, const json&, httplib::Response& res) { Reply(res, 200, cases[which].first); });
  auto embedder = OllamaEmbedder::Create(Options(server));
  ASSERT_TRUE(embedder.ok());
  for (which = 0; which < cases.size(); ++which) {
    auto vectors = (*embedder)->Embed(Texts(1));
    ASSERT_FALSE(vectors.ok());
    EXPECT_EQ(vectors.status().code(), StatusCode::kUnprocessable) << cases[which].first;
    EXPECT_TRUE(Mentions(vectors.status(), cases[which].second)) << vectors.status().message();
    EXPECT_TRUE(Mentions(vectors.status(), "ollama:m at " + server.url() + "/api/embed"));
  }
}

TEST(HttpEmbeddersTest, SlowServerTimesOutWithoutRetrying) {
  std::mutex mu;
  std::condition_variable released_cv;
  bool released = false;
  FakeServer server([&](int, const json& request, httplib::Response& res) {
    std::unique_lock lock(mu);
    // Sleeps 2 s past a 1 s timeout, unless the test is done first.
    released_cv.wait_for(lock, std::chrono::seconds(2), [&] { return released; });
    Reply(res, 200, OpenAiAnswer(request, 2).dump());
  });
  auto options = Options(server);
  options.timeout_s = 1;
  auto embedder = OpenAiEmbedder::Create(options);
  ASSERT_TRUE(embedder.ok());
  auto start = std::chrono::steady_clock::now();
  auto vectors = (*embedder)->Embed(Texts(1));
  auto waited = std::chrono::steady_clock::now() - start;
  {
    std::lock_guard lock(mu);
    released = true;
  }
  released_cv.notify_all();
  ASSERT_FALSE(vectors.ok());
  EXPECT_EQ(vectors.status().code(), StatusCode::kTimeout);
  EXPECT_TRUE(Mentions(vectors.status(), "did not answer within 1 s"))
      << vectors.status().message();
  EXPECT_LT(waited, std::chrono::milliseconds(1900));
  EXPECT_EQ(server.batch_sizes().size(), 1u);
}

}  // namespace
}  // namespace lakehouse::embed
