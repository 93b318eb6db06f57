// SHA-256 against FIPS 180-2's published digests, whole and in pieces.
#include "common/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace lakehouse {
namespace {

constexpr char kEmpty[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kAbc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
// FIPS 180-2's two-block message.
constexpr char kTwoBlocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr char kTwoBlocksDigest[] =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(*Sha256Hex(""), kEmpty);
  EXPECT_EQ(*Sha256Hex("abc"), kAbc);
  EXPECT_EQ(*Sha256Hex(kTwoBlocks), kTwoBlocksDigest);
}

TEST(Sha256Test, DigestIsTheRawBytesOfTheHex) {
  auto digest = Sha256("abc");
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ((*digest)[0], 0xba);
  EXPECT_EQ((*digest)[31], 0xad);
}

TEST(Sha256Test, StreamingInPiecesEqualsOneShot) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += static_cast<char>(i * 31 % 256);
  // Piece sizes on and around the 64-byte block, so updates split blocks in
  // different places.
  for (size_t piece : {size_t{1}, size_t{7}, size_t{63}, size_t{64}, size_t{65}, size_t{4096}}) {
    Sha256Stream stream;
    for (size_t at = 0; at < text.size(); at += piece) {
      ASSERT_TRUE(stream.Update(std::string_view(text).substr(at, piece)).ok());
    }
    auto hex = stream.FinishHex();
    ASSERT_TRUE(hex.ok()) << hex.status().ToString();
    EXPECT_EQ(*hex, *Sha256Hex(text)) << "pieces of " << piece;
  }
}

TEST(Sha256Test, EmptyStreamIsTheEmptyDigest) {
  Sha256Stream stream;
  EXPECT_EQ(*stream.FinishHex(), kEmpty);
}

TEST(Sha256Test, UseAfterFinishIsAnError) {
  Sha256Stream stream;
  ASSERT_TRUE(stream.Update("abc").ok());
  EXPECT_EQ(*stream.FinishHex(), kAbc);
  EXPECT_EQ(stream.Finish().status().code(), StatusCode::kInternal);
  EXPECT_EQ(stream.Update("more").code(), StatusCode::kInternal);
}

TEST(Sha256Test, MovedStreamKeepsItsState) {
  Sha256Stream first;
  ASSERT_TRUE(first.Update("a").ok());
  Sha256Stream second = std::move(first);
  ASSERT_TRUE(second.Update("bc").ok());
  EXPECT_EQ(*second.FinishHex(), kAbc);
}

}  // namespace
}  // namespace lakehouse
