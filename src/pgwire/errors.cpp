// Chooses the SQLSTATE of a failure from its Status code and DuckDB's error class.
#include "pgwire/errors.h"

namespace lakehouse::pgwire {
namespace {

bool Has(std::string_view message, std::string_view part) {
  return message.find(part) != std::string_view::npos;
}

std::string_view InvalidArgumentState(std::string_view message) {
  if (Has(message, "Parser Error") || Has(message, "syntax error")) return "42601";
  if (Has(message, "Referenced column") || Has(message, "not found in FROM clause")) {
    return "42703";
  }
  if (Has(message, "Catalog Error: Table")) return "42P01";
  if (Has(message, "Catalog Error: Scalar Function") ||
      Has(message, "Catalog Error: Table Function")) {
    return "42883";
  }
  if (Has(message, "Conversion Error")) return "22P02";
  if (Has(message, "Binder Error")) return "42804";
  if (Has(message, "parameters")) return "08P01";
  return "22023";
}

}  // namespace

std::string_view SqlStateOf(const Status& status) {
  const std::string& message = status.message();
  switch (status.code()) {
    case StatusCode::kOk:
      return "00000";
    case StatusCode::kInvalidArgument:
    case StatusCode::kInvalidKey:
      return InvalidArgumentState(message);
    case StatusCode::kNotFound:
      if (Has(message, "configuration parameter")) return "42704";
      if (Has(message, "cursor \"") || Has(message, "portal \"")) return "34000";
      if (Has(message, "prepared statement \"")) return "26000";
      return "42P01";
    case StatusCode::kAlreadyExists:
      return Has(message, "prepared statement") ? "42P05" : "42P03";
    case StatusCode::kConflict:
      return "25P01";
    case StatusCode::kPermissionDenied:
      return "42501";
    case StatusCode::kTimeout:
      return "57014";
    case StatusCode::kResourceExhausted:
      return "53200";
    case StatusCode::kTooLarge:
      return "54000";
    case StatusCode::kUnprocessable:
      return "0A000";
    case StatusCode::kUnauthenticated:
      return "28P01";
    case StatusCode::kUnavailable:
      return "53300";
    case StatusCode::kIoError:
    case StatusCode::kNoSpace:
      return "58030";
    default:
      return "XX000";
  }
}

}  // namespace lakehouse::pgwire
