// Base64 as RFC 4648 defines it: its test vectors, a round trip of every
// length's padding, and text that is not base64.
#include "common/base64.h"

#include <gtest/gtest.h>

namespace lakehouse {
namespace {

TEST(Base64, MatchesTheRfc4648TestVectors) {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64, RoundTripsBinaryOfEveryPadding) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    bytes.push_back(static_cast<char>((i * 131 + 7) & 0xff));
    auto decoded = Base64Decode(Base64Encode(bytes));
    ASSERT_TRUE(decoded.ok());
    ASSERT_EQ(*decoded, bytes) << "length " << bytes.size();
  }
}

TEST(Base64, RefusesTextThatIsNotBase64) {
  EXPECT_FALSE(Base64Decode("Zm9").ok());       // not a multiple of 4
  EXPECT_FALSE(Base64Decode("Zm9v!!!!").ok());  // not the alphabet
}

}  // namespace
}  // namespace lakehouse
