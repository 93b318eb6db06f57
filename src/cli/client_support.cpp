// Client helpers: httplib client with $LAKEHOUSE_TOKEN, error reports, aligned tables.
#include "cli/client_support.h"

#include <cstdlib>
#include <iostream>

#include "cli/display_width.h"
#include "cli/transport_error.h"
#include "http/http_status.h"

namespace lakehouse::cli {

using nlohmann::json;

std::unique_ptr<httplib::Client> MakeClient(const ClientOptions& options) {
  auto client = std::make_unique<httplib::Client>(options.url);
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(3600, 0);
  client->set_write_timeout(3600, 0);
  client->set_url_encode(false);
  if (const char* token = std::getenv("LAKEHOUSE_TOKEN"); token != nullptr && *token) {
    client->set_bearer_token_auth(token);
  }
  return client;
}

int ReportTransport(const ClientOptions& options, httplib::Error error) {
  const bool unreached = FailedToConnect(error);
  std::cerr << "error: " << (unreached ? "cannot reach " : "no answer from ") << options.url << ": "
            << DescribeTransportError(error, options.url) << "\n";
  if (unreached) {
    std::cerr << "hint: is `lakehouse serve` running there? Point the client elsewhere with "
                 "--url or LAKEHOUSE_URL\n";
  }
  return 3;
}

int ReportHttp(int status, const std::string& body) {
  Status s = http::StatusFromHttp(status, body);
  std::cerr << "error: " << s.message() << " (HTTP " << status << ")\n";
  return 1;
}

// Prints rows as an aligned table; numbers right-aligned.
void PrintTable(const json& columns, const json& rows) {
  size_t n = columns.size();
  std::vector<std::string> headers(n);
  std::vector<size_t> width(n);
  std::vector<bool> numeric(n);
  for (size_t c = 0; c < n; ++c) {
    headers[c] = columns[c].value("name", "");
    std::string type = columns[c].value("type", "");
    numeric[c] = type.find("INT") != std::string::npos || type == "DOUBLE" || type == "FLOAT" ||
                 type.starts_with("DECIMAL");
    width[c] = DisplayWidth(headers[c]);
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : rows) {
    std::vector<std::string> line(n);
    for (size_t c = 0; c < n && c < row.size(); ++c) {
      const auto& v = row[c];
      line[c] = v.is_null() ? "NULL" : v.is_string() ? v.get<std::string>() : v.dump();
      for (auto& ch : line[c]) {
        if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
      }
      width[c] = std::max(width[c], DisplayWidth(line[c]));
    }
    cells.push_back(std::move(line));
  }
  auto print_line = [&](const std::vector<std::string>& line, bool header) {
    for (size_t c = 0; c < n; ++c) {
      std::cout << (c ? "  " : "");
      if (numeric[c] && !header) {
        std::cout << PadLeft(line[c], width[c]);
      } else if (c + 1 == n) {
        std::cout << line[c];  // nothing follows it to align
      } else {
        std::cout << PadRight(line[c], width[c]);
      }
    }
    std::cout << "\n";
  };
  print_line(headers, true);
  std::vector<std::string> rule(n);
  for (size_t c = 0; c < n; ++c) rule[c] = std::string(width[c], '-');
  print_line(rule, true);
  for (const auto& line : cells) print_line(line, false);
}

// GETs a JSON document; prints the error and returns nullopt on failure.
std::optional<json> GetJson(const ClientOptions& options, const std::string& path, int* exit_code) {
  auto client = MakeClient(options);
  auto result = client->Get(path);
  if (!result) {
    *exit_code = ReportTransport(options, result.error());
    return std::nullopt;
  }
  if (result->status != 200) {
    *exit_code = ReportHttp(result->status, result->body);
    return std::nullopt;
  }
  return json::parse(result->body, nullptr, false);
}

}  // namespace lakehouse::cli
