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

}  // namespace
}  // namespace lakehouse::http
