#include "http/http_status.h"

#include <gtest/gtest.h>

namespace lakehouse::http {
namespace {

TEST(HttpStatusTest, EveryCodeRoundTripsThroughHttp) {
  for (StatusCode code :
       {StatusCode::kInvalidArgument, StatusCode::kInvalidKey, StatusCode::kNotFound,
        StatusCode::kAlreadyExists, StatusCode::kConflict, StatusCode::kTooLarge,
        StatusCode::kUnprocessable, StatusCode::kUnauthenticated, StatusCode::kPermissionDenied,
        StatusCode::kUnavailable, StatusCode::kTimeout}) {
    Status original(code, "message for people");
    Status back = StatusFromHttp(HttpStatusFor(code), ErrorBody(original));
    EXPECT_EQ(back.code(), code) << StatusCodeName(code);
    EXPECT_EQ(back.message(), "message for people");
  }
}

TEST(HttpStatusTest, StatusAloneDecidesWithoutABody) {
  EXPECT_EQ(StatusFromHttp(404, "").code(), StatusCode::kNotFound);
  EXPECT_EQ(StatusFromHttp(404, "<html>not json</html>").code(), StatusCode::kNotFound);
  // The message text never decides the kind.
  EXPECT_EQ(StatusFromHttp(500, R"({"error":{"code":"internal","message":"not found"}})").code(),
            StatusCode::kIoError);
  EXPECT_EQ(StatusFromHttp(412, "").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(StatusFromHttp(502, "").code(), StatusCode::kUnavailable);
}

TEST(HttpStatusTest, ErrorBodyHasTheContractShape) {
  EXPECT_EQ(ErrorBody(Status::NotFound("no \"x\"")),
            R"({"error":{"code":"not_found","message":"no \"x\""}})");
}

TEST(HttpStatusTest, StatusesWithoutAStatusGetTheWordsClientsReadBack) {
  // A client rebuilding a Status from these words gets the kind the server meant.
  for (int http_status : {400, 404, 408, 413, 431, 503}) {
    const std::string body = R"({"error":{"code":")" +
                             std::string(CodeWordForHttpStatus(http_status)) +
                             R"(","message":"m"}})";
    EXPECT_NE(StatusFromHttp(http_status, body).code(), StatusCode::kOk) << http_status;
  }
  EXPECT_EQ(CodeWordForHttpStatus(408), "timeout");
  EXPECT_EQ(CodeWordForHttpStatus(431), "too_large");
  EXPECT_EQ(CodeWordForHttpStatus(503), "unavailable");
  EXPECT_EQ(CodeWordForHttpStatus(500), "internal");
  EXPECT_EQ(CodeWordForHttpStatus(418), "bad_request");
}

}  // namespace
}  // namespace lakehouse::http
