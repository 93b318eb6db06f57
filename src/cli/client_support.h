// What the client subcommands share: an HTTP client set up from the options
// and $LAKEHOUSE_TOKEN, error reporting with the server's message or the
// reason the server could not be reached, and aligned tables for people.
#pragma once

#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/client_commands.h"

namespace lakehouse::cli {

std::unique_ptr<httplib::Client> MakeClient(const ClientOptions& options);
// Print the failure and return the exit code to use (3: no answer, with the
// reason in words and, when nothing connected, a hint on where the server
// should be; 1: an error answer, with the server's message).
int ReportTransport(const ClientOptions& options, httplib::Error error);
int ReportHttp(int status, const std::string& body);
// Columns are [{"name","type"}]; numeric types are right-aligned. Cells are
// padded by the columns they take on a terminal (DisplayWidth), so wide and
// accented text lines up; the last column gets no trailing spaces.
void PrintTable(const nlohmann::json& columns, const nlohmann::json& rows);
// GETs a JSON document; prints the error, sets the exit code and returns
// nullopt on failure.
std::optional<nlohmann::json> GetJson(const ClientOptions& options, const std::string& path,
                                      int* exit_code);

}  // namespace lakehouse::cli
