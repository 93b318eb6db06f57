// SigV4 against AWS's published answers, not against our own arithmetic: a
// signing mistake otherwise only shows as a 403 from a real store.
//
// Sources of the expected values:
//  - The "Signature Version 4 test suite" (aws-sig-v4-test-suite; its files
//    now live in awslabs/aws-c-auth, tests/aws-signing-test-suite/v4, and are
//    described at https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html):
//    key AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, region
//    us-east-1, service "service", time 20150830T123600Z. Cases get-vanilla,
//    post-vanilla, get-vanilla-query-order-key-case, get-vanilla-query-order-value,
//    get-unreserved, get-utf8, get-header-key-duplicate, get-header-value-trim.
//  - The S3 API reference, "Examples: Signature Calculations in AWS Signature
//    Version 4" (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html):
//    key AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY (the
//    S3 page's secret has "/bPxR", the test suite's "+bPxR"), bucket
//    examplebucket, time 20130524T000000Z: GET object with Range, PUT object
//    (a key with '$'), GET bucket lifecycle, GET bucket (list objects).
#include "storage/sigv4.h"

#include <gtest/gtest.h>

#include "common/percent_encoding.h"
#include "common/sha256.h"

namespace lakehouse::storage::sigv4 {
namespace {

constexpr char kSuiteDate[] = "20150830T123600Z";
constexpr char kS3Date[] = "20130524T000000Z";
const Credentials kSuite{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const Credentials kS3{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const std::string kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Request SuiteRequest(std::string method, std::string uri,
                     std::vector<std::pair<std::string, std::string>> query = {},
                     std::vector<std::pair<std::string, std::string>> extra = {}) {
  Request r;
  r.method = std::move(method);
  r.canonical_uri = std::move(uri);
  r.query = std::move(query);
  r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kSuiteDate}};
  r.headers.insert(r.headers.end(), extra.begin(), extra.end());
  r.payload_sha256 = kEmpty;
  return r;
}

std::string SuiteSignature(const Request& r) {
  return Sign(r, kSuite, "us-east-1", "service", kSuiteDate)->signature;
}

TEST(SigV4Suite, GetVanilla) {
  Signature s = *Sign(SuiteRequest("GET", "/"), kSuite, "us-east-1", "service", kSuiteDate);
  EXPECT_EQ(s.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n" +
                kEmpty);
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4Suite, PostVanilla) {
  EXPECT_EQ(SuiteSignature(SuiteRequest("POST", "/")),
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

TEST(SigV4Suite, QueryIsSortedByNameThenValue) {
  EXPECT_EQ(SuiteSignature(SuiteRequest("GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}})),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
  EXPECT_EQ(SuiteSignature(SuiteRequest("GET", "/", {{"Param1", "value2"}, {"Param1", "value1"}})),
            "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694");
}

TEST(SigV4Suite, UnreservedAndUtf8Paths) {
  const std::string unreserved =
      "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  EXPECT_EQ(PercentEncodePath(unreserved), unreserved);
  EXPECT_EQ(SuiteSignature(SuiteRequest("GET", "/" + PercentEncodePath(unreserved))),
            "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f");
  // get-utf8: the path "/\u1234", encoded once.
  EXPECT_EQ(PercentEncodePath("/\xE1\x88\xB4"), "/%E1%88%B4");
  EXPECT_EQ(SuiteSignature(SuiteRequest("GET", PercentEncodePath("/\xE1\x88\xB4"))),
            "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85");
}

TEST(SigV4Suite, RepeatedHeadersJoinInOrderAndValuesAreTrimmed) {
  EXPECT_EQ(SuiteSignature(SuiteRequest(
                "GET", "/", {},
                {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}})),
            "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea");
  Signature trim = *Sign(
      SuiteRequest("GET", "/", {}, {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}}),
      kSuite, "us-east-1", "service", kSuiteDate);
  EXPECT_NE(trim.canonical_request.find("my-header2:\"a b c\"\n"), std::string::npos);
  EXPECT_EQ(trim.signed_headers, "host;my-header1;my-header2;x-amz-date");
  EXPECT_EQ(trim.signature, "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736");
}

Request S3Request(std::string method, std::string uri,
                  std::vector<std::pair<std::string, std::string>> query,
                  std::vector<std::pair<std::string, std::string>> extra, std::string payload) {
  Request r;
  r.method = std::move(method);
  r.canonical_uri = std::move(uri);
  r.query = std::move(query);
  r.payload_sha256 = std::move(payload);
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-date", kS3Date},
               {"x-amz-content-sha256", r.payload_sha256}};
  r.headers.insert(r.headers.end(), extra.begin(), extra.end());
  return r;
}

TEST(SigV4S3Examples, GetObjectWithRange) {
  Signature s = *Sign(S3Request("GET", "/test.txt", {}, {{"Range", "bytes=0-9"}}, kEmpty), kS3,
                      "us-east-1", "s3", kS3Date);
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4S3Examples, PutObjectEncodesTheKeyOnce) {
  std::string payload = *Sha256Hex("Welcome to Amazon S3.");
  EXPECT_EQ(payload, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  // S3 does not normalise or double-encode: "test$file.text" is signed as
  // /test%24file.text, exactly the path sent.
  std::string uri = "/" + PercentEncodePath("test$file.text");
  EXPECT_EQ(uri, "/test%24file.text");
  Signature s = *Sign(S3Request("PUT", uri, {},
                                {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                                 {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                                payload),
                      kS3, "us-east-1", "s3", kS3Date);
  EXPECT_EQ(s.string_to_sign.substr(s.string_to_sign.rfind('\n') + 1),
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(s.signed_headers, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
  EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4S3Examples, GetBucketLifecycleSignsANameWithoutValue) {
  Signature s = *Sign(S3Request("GET", "/", {{"lifecycle", ""}}, {}, kEmpty), kS3, "us-east-1",
                      "s3", kS3Date);
  EXPECT_NE(s.canonical_request.find("\nlifecycle=\n"), std::string::npos);
  EXPECT_EQ(s.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4S3Examples, ListObjects) {
  Signature s = *Sign(S3Request("GET", "/", {{"prefix", "J"}, {"max-keys", "2"}}, {}, kEmpty), kS3,
                      "us-east-1", "s3", kS3Date);
  EXPECT_NE(s.canonical_request.find("\nmax-keys=2&prefix=J\n"), std::string::npos);
  EXPECT_EQ(s.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

// SigV4 signs the encoding byte for byte, so the shared encoder must keep
// exactly these rules.
TEST(SigV4, UriEncodingKeepsOnlyUnreservedAndOptionallySlash) {
  EXPECT_EQ(PercentEncodePath("a b+c/d~e%"), "a%20b%2Bc/d~e%25");
  EXPECT_EQ(PercentEncode("a b+c/d~e%"), "a%20b%2Bc%2Fd~e%25");
  EXPECT_EQ(PercentEncode("!'()*"), "%21%27%28%29%2A");
  EXPECT_EQ(PercentEncode("caf\xC3\xA9"), "caf%C3%A9");
  EXPECT_EQ(AmzDateNow().size(), 16u);
}

}  // namespace
}  // namespace lakehouse::storage::sigv4
