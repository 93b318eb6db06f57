// What the client subcommands share: an HTTP client set up from the options
// and $LAKEHOUSE_TOKEN, error reporting with the server's message, aligned
// tables for people, and a progress bar when stderr is a terminal.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstdint>
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
std::string HumanBytes(double bytes);
// Columns are [{"name","type"}]; numeric types are right-aligned. Cells are
// padded by the columns they take on a terminal (DisplayWidth), so wide and
// accented text lines up; the last column gets no trailing spaces.
void PrintTable(const nlohmann::json& columns, const nlohmann::json& rows);
// GETs a JSON document; prints the error, sets the exit code and returns
// nullopt on failure.
std::optional<nlohmann::json> GetJson(const ClientOptions& options, const std::string& path,
                                      int* exit_code);

class Progress {
 public:
  Progress(std::string label, uint64_t total);
  void Update(uint64_t done);
  void Finish(const char* note);

 private:
  std::string label_;
  uint64_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace lakehouse::cli
