// The built-in embedder: deterministic unit vectors, lexical nearness that
// survives word forms, IDF that discounts common words, and a saved state
// that gives back the same vectors.
#include "embed/hashing_embedder.h"

#include <gtest/gtest.h>

#include <cmath>

namespace lakehouse::embed {
namespace {

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0;
  for (size_t i = 0; i < a.size(); ++i) dot += static_cast<double>(a[i]) * b[i];
  return dot;  // both are unit vectors
}

TEST(HashingEmbedderTest, SameTextSameUnitVector) {
  HashingEmbedder embedder;
  auto a = embedder.EmbedOne("Senior Python Data Engineer");
  auto b = embedder.EmbedOne("senior python data engineer");  // case does not matter
  ASSERT_EQ(a.size(), HashingEmbedder::kDefaultDim);
  EXPECT_EQ(a, b);
  double norm = 0;
  for (float x : a) norm += static_cast<double>(x) * x;
  EXPECT_NEAR(norm, 1.0, 1e-5);
  auto empty = embedder.EmbedOne("  ...  ");
  EXPECT_NEAR(Cosine(empty, empty), 1.0, 1e-6);  // still a direction
  std::vector<std::string> batch = {"one", "two"};
  auto vectors = embedder.Embed(batch);
  ASSERT_TRUE(vectors.ok());
  ASSERT_EQ(vectors->size(), 2u);
  EXPECT_EQ((*vectors)[1], embedder.EmbedOne("two"));
}

TEST(HashingEmbedderTest, SharedWordsAndWordFormsAreNear) {
  HashingEmbedder embedder;
  auto query = embedder.EmbedOne("python data engineer");
  auto close = embedder.EmbedOne("Data engineer: Python, Spark and Airflow pipelines");
  auto far = embedder.EmbedOne("Registered nurse for the ICU night shift");
  EXPECT_GT(Cosine(query, close), Cosine(query, far) + 0.2);
  // Character 3-grams carry word forms.
  auto engineering = embedder.EmbedOne("engineering");
  EXPECT_GT(Cosine(embedder.EmbedOne("engineer"), engineering),
            Cosine(embedder.EmbedOne("nursing"), engineering) + 0.2);
}

TEST(HashingEmbedderTest, IdfDiscountsCommonWords) {
  std::vector<std::string> corpus;
  for (int i = 0; i < 200; ++i) {
    corpus.push_back("the job number " + std::to_string(i) + " at the company");
  }
  corpus.push_back("kubernetes operator");
  HashingEmbedder plain;
  HashingEmbedder fitted;
  fitted.Fit(corpus);
  EXPECT_TRUE(fitted.fitted());
  // Two texts sharing only common words drift apart once IDF is learned...
  const std::string a = "the job at the company in texas kubernetes";
  const std::string b = "the job at the company in ohio nurse";
  EXPECT_LT(Cosine(fitted.EmbedOne(a), fitted.EmbedOne(b)),
            Cosine(plain.EmbedOne(a), plain.EmbedOne(b)) - 0.05);
  // ...and the rare word decides what is near.
  EXPECT_GT(Cosine(fitted.EmbedOne("kubernetes"), fitted.EmbedOne(a)),
            Cosine(plain.EmbedOne("kubernetes"), plain.EmbedOne(a)));
}

TEST(HashingEmbedderTest, LongTextsKeepTheirRareWords) {
  // Far more features than kMaxFeatures: the common ones are dropped, the
  // rare word is kept, so a query for it still finds the long text.
  std::vector<std::string> corpus;
  std::string filler;
  for (int i = 0; i < 400; ++i) filler += "common" + std::to_string(i) + " ";
  for (int i = 0; i < 50; ++i) corpus.push_back(filler);
  const std::string long_text = filler + "kubernetes";
  corpus.push_back(long_text);
  HashingEmbedder fitted;
  fitted.Fit(corpus);
  auto v = fitted.EmbedOne(long_text);
  double norm = 0;
  for (float x : v) norm += static_cast<double>(x) * x;
  EXPECT_NEAR(norm, 1.0, 1e-5);
  EXPECT_EQ(v, fitted.EmbedOne(long_text));
  EXPECT_GT(Cosine(fitted.EmbedOne("kubernetes"), v),
            Cosine(fitted.EmbedOne("kubernetes"), fitted.EmbedOne(filler)) + 0.1);
}

TEST(HashingEmbedderTest, SavedStateGivesTheSameVectors) {
  HashingEmbedder fitted(128);
  std::vector<std::string> corpus = {"alpha beta", "beta gamma", "gamma delta epsilon"};
  fitted.Fit(corpus);
  auto loaded = HashingEmbedder::Load(fitted.Save());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->dim(), 128u);
  EXPECT_EQ((*loaded)->EmbedOne("beta gamma delta"), fitted.EmbedOne("beta gamma delta"));
  HashingEmbedder unfitted(64);
  auto plain = HashingEmbedder::Load(unfitted.Save());
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE((*plain)->fitted());
  EXPECT_EQ(HashingEmbedder::Load("short").status().code(), StatusCode::kUnprocessable);
  std::string bad = fitted.Save();
  bad[12] = '\x7f';  // a document frequency above N
  bad[13] = bad[14] = bad[15] = '\x7f';
  EXPECT_EQ(HashingEmbedder::Load(bad).status().code(), StatusCode::kUnprocessable);
}

}  // namespace
}  // namespace lakehouse::embed
