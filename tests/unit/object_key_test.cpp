#include "storage/object_key.h"

#include <gtest/gtest.h>

namespace lakehouse::storage {
namespace {

TEST(ObjectKeyTest, AcceptsOrdinaryAndUnusualKeys) {
  for (const char* key : {"a", "a/b/c", "_catalog/x/00000001.json", "with space", "100%", "q?x#y",
                          "caf\xC3\xA9", "\xF0\x9F\x98\x80", ".hidden", "a/.b/..c"}) {
    EXPECT_TRUE(ValidateKey(key).ok()) << key;
  }
}

TEST(ObjectKeyTest, RejectsEachBrokenRuleWithItsReason) {
  struct Case {
    std::string key;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"", "empty"},
      {"/a", "start with '/'"},
      {"a//b", "empty segment"},
      {"a/", "empty segment"},
      {"..", "\"..\""},
      {"a/./b", "\".\""},
      {std::string("a\0b", 3), "NUL"},
      {"\xC3", "UTF-8"},
      {"\xED\xA0\x80", "UTF-8"},  // a surrogate
      {"\xC0\x80", "UTF-8"},      // overlong NUL
      {std::string(1025, 'k'), "1025 bytes"},
  };
  for (const auto& c : cases) {
    Status s = ValidateKey(c.key);
    EXPECT_EQ(s.code(), StatusCode::kInvalidKey) << c.key;
    EXPECT_NE(s.message().find(c.reason), std::string::npos) << s.message();
  }
}

TEST(ObjectKeyTest, PrefixMayBeEmptyOrEndWithSlash) {
  EXPECT_TRUE(ValidatePrefix("").ok());
  EXPECT_TRUE(ValidatePrefix("data/").ok());
  EXPECT_TRUE(ValidatePrefix("da").ok());
  EXPECT_FALSE(ValidatePrefix("/data").ok());
  EXPECT_FALSE(ValidatePrefix("a//").ok());
  EXPECT_FALSE(ValidatePrefix("../").ok());
}

TEST(ObjectKeyTest, EncodingRoundTripsEveryByteOfAValidKey) {
  std::string key = "dir with space/100% sure?#&=+/caf\xC3\xA9";
  std::string encoded = EncodeKeyForPath(key);
  EXPECT_EQ(encoded.find(' '), std::string::npos);
  EXPECT_EQ(encoded.find('?'), std::string::npos);
  EXPECT_EQ(encoded.find('#'), std::string::npos);
  auto decoded = DecodeKeyFromPath(encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, key);
}

TEST(ObjectKeyTest, EncodedSlashInsideASegmentIsASlash) {
  EXPECT_EQ(*DecodeKeyFromPath("a%2Fb/c"), "a/b/c");
  EXPECT_EQ(*DecodeKeyFromPath("a%2fb"), "a/b");
}

TEST(ObjectKeyTest, EncodedDotSegmentsAndNulAreStillRejected) {
  EXPECT_EQ(DecodeKeyFromPath("%2E%2E/x").status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(DecodeKeyFromPath("a/%2e/x").status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(DecodeKeyFromPath("a%00b").status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(DecodeKeyFromPath("a%2F%2Fb").status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(DecodeKeyFromPath("%2Fetc").status().code(), StatusCode::kInvalidKey);
}

TEST(ObjectKeyTest, MalformedEscapesAreRejected) {
  EXPECT_EQ(DecodeKeyFromPath("a%2").status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(DecodeKeyFromPath("a%zz").status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(DecodeKeyFromPath("%").status().code(), StatusCode::kInvalidKey);
}

TEST(ObjectKeyTest, TheSystemsKeySpacesAreReservedByTheirDecodedKey) {
  for (const char* key : {"_catalog/ds/v/0000000001.json", "data/ds/a.parquet", "_vectors/i.lhv1",
                          "_lakehouse/vectord-writer", "_lakehouse/probe/put-if-absent"}) {
    EXPECT_TRUE(IsSystemKey(key)) << key;
    Status refused = CheckUserKey(key);
    EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied) << key;
    EXPECT_NE(refused.message().find(SystemPrefixOf(key)), std::string::npos) << refused.message();
  }
  // Escapes are decoded before the check.
  EXPECT_TRUE(IsSystemKey(*DecodeKeyFromPath("%5Fcatalog%2Fds%2Fv%2F0000000001.json")));
  EXPECT_TRUE(IsSystemKey(*DecodeKeyFromPath("%64ata/x")));
  for (const char* key : {"data", "database/x", "_catalog", "_catalogue/x", "a/_catalog/x",
                          "Data/x", "_vectorsx/y", "lakehouse/x"}) {
    EXPECT_FALSE(IsSystemKey(key)) << key;
    EXPECT_TRUE(CheckUserKey(key).ok()) << key;
  }
  // Listing prefixes: inside a space is refused; one that only overlaps is not.
  EXPECT_EQ(CheckUserPrefix("_catalog/").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckUserPrefix("data/ds/").code(), StatusCode::kPermissionDenied);
  for (const char* prefix : {"", "_", "_catalog", "d", "data"}) {
    EXPECT_TRUE(CheckUserPrefix(prefix).ok()) << prefix;
  }
}

TEST(ObjectKeyTest, PastPrefixSortsAfterEveryKeyUnderThePrefixAndBeforeTheNext) {
  const std::string past = PastPrefix("data/");
  for (const char* key :
       {"data/", "data/z", "data/\xF4\x8F\xBF\xBE", "data/~~~~/zzz", "data/\xEF\xBF\xBF"}) {
    EXPECT_LT(std::string(key), past) << key;
  }
  for (const char* key : {"data0", "datum", "e", "data\x7F"})
    EXPECT_GT(std::string(key), past) << key;
  EXPECT_TRUE(ValidateKey(past).ok());
}

}  // namespace
}  // namespace lakehouse::storage
