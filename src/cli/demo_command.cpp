// `lakehouse demo`: writes each staffing table as CSV, uploads changed ones, builds text indexes.
#include "cli/demo_command.h"

#include <fcntl.h>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/client_support.h"
#include "cli/counts.h"
#include "cli/index_commands.h"
#include "cli/progress.h"
#include "common/percent_encoding.h"
#include "common/sha256.h"
#include "common/status.h"
#include "demo/staffing_data.h"

namespace lakehouse::cli {
namespace {

using nlohmann::json;

struct DemoIndex {
  const char* dataset;
  const char* index;
  const char* text_column;
};
constexpr DemoIndex kDemoIndexes[] = {{"candidates", "candidates_resume", "resume"},
                                      {"jobs", "jobs_description", "description"}};

// A private scratch directory for the generated files, removed on scope exit.
class ScratchDir {
 public:
  static Result<ScratchDir> Make() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/lakehouse-demo.XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Status::FromErrno(errno, "create a scratch directory " + pattern);
    }
    return ScratchDir(pattern);
  }
  ScratchDir(ScratchDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// One generated table on disk.
struct Generated {
  std::string path;
  uint64_t rows = 0;
  uint64_t bytes = 0;
  std::string sha256;  // lowercase hex, as manifests hold it
};

// Writes the table to `path`, hashing it on the way.
Result<Generated> Generate(const demo::StaffingData& data, demo::Table table,
                           const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno(errno, "create " + path);
  Sha256Stream hash;
  Generated out;
  out.path = path;
  auto rows = data.WriteCsv(table, [&](std::string_view chunk) -> Status {
    LH_RETURN_IF_ERROR(hash.Update(chunk));
    out.bytes += chunk.size();
    while (!chunk.empty()) {
      ssize_t n = ::write(fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::FromErrno(errno, "write " + path);
      chunk.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  });
  if (::close(fd) != 0 && rows.ok()) return Status::FromErrno(errno, "close " + path);
  if (!rows.ok()) return rows.status();
  out.rows = *rows;
  LH_ASSIGN_OR_RETURN(out.sha256, hash.FinishHex());
  return out;
}

// What the server holds of a dataset: its current version and the sha256 of
// the file that made it, if any.
struct Current {
  uint64_t version = 0;  // 0: no such dataset (never made, or deleted)
  uint64_t rows = 0;
  std::string sha256;
};

// Prints failures like the other client commands and sets *exit_code.
std::optional<Current> FetchCurrent(httplib::Client& client, const ClientOptions& options,
                                    const std::string& name, int* exit_code) {
  auto result = client.Get("/v1/datasets/" + PercentEncode(name) + "/versions");
  if (!result) {
    *exit_code = ReportTransport(options, result.error());
    return std::nullopt;
  }
  Current current;
  if (result->status == 404) return current;
  if (result->status != 200) {
    *exit_code = ReportHttp(result->status, result->body);
    return std::nullopt;
  }
  auto body = json::parse(result->body, nullptr, false);
  if (!body.is_object() || !body["versions"].is_array()) {
    std::cerr << "error: the server answered malformed JSON for " << name << "'s versions\n";
    *exit_code = 1;
    return std::nullopt;
  }
  const json& versions = body["versions"];
  if (versions.empty()) return current;
  const json& last = versions.back();  // oldest first (docs/api.md)
  // A deleted dataset's last version is the delete: there is nothing current.
  if (last.value("operation", "") == "delete") return current;
  current.version = last.value("version", uint64_t{0});
  current.rows = last.value("rows", uint64_t{0});
  if (last.contains("source") && last["source"].is_object()) {
    current.sha256 = last["source"].value("sha256", "");
  }
  return current;
}

struct Loaded {
  uint64_t version = 0;
  uint64_t rows = 0;
};

// POSTs the file to the ingest route as an overwrite, streamed.
std::optional<Loaded> Upload(httplib::Client& client, const ClientOptions& options,
                             const std::string& name, const Generated& file, int* exit_code) {
  const std::string path =
      "/v1/datasets/" + PercentEncode(name) +
      "/ingest?format=csv&mode=overwrite&file_name=" + PercentEncode(name + ".csv");
  int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::cerr << "error: cannot read " << file.path << ": " << std::strerror(errno) << "\n";
    *exit_code = 1;
    return std::nullopt;
  }
  Progress progress("load " + name, file.bytes, ProgressUnit::kBytes);
  std::vector<char> buffer(1 << 20);
  bool read_failed = false;
  auto result = client.Post(
      path, file.bytes,
      [&](size_t offset, size_t length, httplib::DataSink& sink) {
        ssize_t n;
        do {
          n = ::read(fd, buffer.data(), std::min(length, buffer.size()));
        } while (n < 0 && errno == EINTR);
        if (n <= 0) {
          read_failed = true;
          return false;
        }
        progress.Update(offset + static_cast<size_t>(n));
        return sink.write(buffer.data(), static_cast<size_t>(n));
      },
      "text/csv");
  ::close(fd);
  if (read_failed) {
    progress.Finish("failed");
    std::cerr << "error: reading " << file.path << " failed or ended early\n";
    *exit_code = 1;
    return std::nullopt;
  }
  if (!result) {
    progress.Finish("failed");
    *exit_code = ReportTransport(options, result.error());
    return std::nullopt;
  }
  if (result->status != 201) {
    progress.Finish("refused");
    std::cerr << "error: loading " << name << " failed\n";
    *exit_code = ReportHttp(result->status, result->body);
    return std::nullopt;
  }
  progress.Finish("done");
  auto body = json::parse(result->body, nullptr, false);
  Loaded loaded;
  if (body.is_object()) {
    loaded.version = body.value("version", uint64_t{0});
    loaded.rows = body.value("rows", uint64_t{0});
  }
  if (loaded.rows != file.rows) {
    std::cerr << "error: the server stored " << Counted(loaded.rows, "row") << " of " << name
              << ", " << file.rows << (file.rows == 1 ? " was" : " were") << " sent\n";
    *exit_code = 1;
    return std::nullopt;
  }
  return loaded;
}

}  // namespace

int RunDemo(const ClientOptions& options, const DemoCommand& command) {
  auto scratch = ScratchDir::Make();
  if (!scratch.ok()) {
    std::cerr << "error: " << scratch.status().message() << "\n";
    return 1;
  }
  const demo::StaffingData data(command.scale);
  auto client = MakeClient(options);
  client->set_keep_alive(true);

  std::cout << "demo data at scale " << command.scale << " into " << options.url << "\n";
  uint64_t total_rows = 0, created = 0, replaced = 0, unchanged = 0;
  for (demo::Table table : demo::kTables) {
    const std::string name(demo::TableName(table));
    auto file = Generate(data, table, scratch->path() + "/" + name + ".csv");
    if (!file.ok()) {
      std::cerr << "error: generating " << name << ": " << file.status().message() << "\n";
      return 1;
    }
    int code = 0;
    auto current = FetchCurrent(*client, options, name, &code);
    if (!current) return code;

    const char* what;
    uint64_t version;
    // The same bytes made the current version (and nothing was appended to
    // it since): loading them again would only add an identical version.
    if (current->version != 0 && current->sha256 == file->sha256 && current->rows == file->rows) {
      what = "unchanged";
      version = current->version;
      ++unchanged;
    } else {
      auto loaded = Upload(*client, options, name, *file, &code);
      if (!loaded) return code;
      what = current->version == 0 ? "created" : "replaced";
      ++(current->version == 0 ? created : replaced);
      version = loaded->version;
    }
    total_rows += file->rows;
    char line[160];
    std::snprintf(line, sizeof line, "  %-11s %-9s version %-4llu %s\n", name.c_str(), what,
                  static_cast<unsigned long long>(version), Counted(file->rows, "row").c_str());
    std::cout << line << std::flush;
  }
  std::cout << "demo: " << Counted(std::size(demo::kTables), "dataset") << ", "
            << Counted(total_rows, "row") << " (" << created << " created, " << replaced
            << " replaced, " << unchanged << " unchanged)\n";
  // The text indexes search by meaning and SQL's vector_search() joins back
  // to the rows. On a second run they are refreshed, which finds nothing new.
  for (const auto& [dataset, index, text] : kDemoIndexes) {
    IndexCommand create;
    create.action = "create";
    create.dataset = dataset;
    create.index = index;
    create.id_column = "id";
    create.text_column = text;
    if (int code = RunIndex(options, create); code != 0) return code;
  }
  return 0;
}

}  // namespace lakehouse::cli
