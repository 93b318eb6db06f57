// LocalObjectStore: each Put to a temp file, fsynced, then renamed (or linked if absent) in place.
#include "storage/local_object_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <vector>

#include "common/logging.h"
#include "common/percent_encoding.h"
#include "storage/object_key.h"

namespace lakehouse::storage {
namespace {

constexpr std::string_view kDirSuffix = "%2F";
constexpr std::string_view kTempPrefix = ".tmp-";
constexpr size_t kMaxNameBytes = 255;
constexpr size_t kIoChunk = 1 << 20;

// Owns a file descriptor; closes it once.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  void Reset(int fd) {
    Close();
    fd_ = fd;
  }
  // Closes now, reporting the error a deferred write may surface here.
  int Close() {
    int rc = fd_ >= 0 ? ::close(fd_) : 0;
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

int RetryEintr(auto call) {
  int rc;
  do {
    rc = call();
  } while (rc < 0 && errno == EINTR);
  return rc;
}

// An errno failure as its Status. Messages reach HTTP clients, so they name
// the key, never the path below the root; the path goes to the log. A full
// disk is kNoSpace (507): the server's problem, never the client's.
Status KeyFailure(int err, std::string_view doing, std::string_view key, const std::string& path) {
  spdlog::warn("storage: cannot {} {} ({}): {}", doing, key, path, std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) {
    return Status::NoSpace("the server's disk is full: cannot store " + std::string(key));
  }
  return Status::FromErrno(err, "cannot " + std::string(doing) + " " + std::string(key));
}

Status FsyncDir(const std::string& dir, std::string_view key) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return KeyFailure(errno, "open the directory of", key, dir);
  if (::fsync(fd.get()) != 0) return KeyFailure(errno, "sync the directory of", key, dir);
  return Status::Ok();
}

Status WriteAll(int fd, const char* data, size_t size, std::string_view key,
                const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return KeyFailure(errno, "write", key, path);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

std::string EscapeSegment(std::string_view segment) {
  std::string out;
  out.reserve(segment.size());
  for (size_t i = 0; i < segment.size(); ++i) {
    auto c = static_cast<unsigned char>(segment[i]);
    if (c == '%' || c < 0x20 || c == 0x7F || (i == 0 && c == '.')) {
      AppendPercentEscape(out, c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

struct Child {
  std::string name;      // on disk
  std::string sort_key;  // full key ("a/b") for files, key prefix ("a/b/") for directories
  bool is_dir;
};

// Decodes an on-disk name into its child entry, or nullopt for temp files and
// names this store never writes.
std::optional<Child> DecodeName(const std::string& name, std::string_view parent_key) {
  if (name.empty() || name.front() == '.') return std::nullopt;
  bool is_dir = name.size() > kDirSuffix.size() && name.ends_with(kDirSuffix);
  std::string_view escaped(name);
  if (is_dir) escaped.remove_suffix(kDirSuffix.size());
  auto segment = PercentDecode(escaped, false);
  if (!segment.ok()) return std::nullopt;
  Child child{name, std::string(parent_key) + *segment, is_dir};
  if (is_dir) child.sort_key += '/';
  return child;
}

std::string FormatEtag(const struct stat& st) {
  char buffer[80];
  auto mtime_ns = static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1000000000ull +
                  static_cast<unsigned long long>(st.st_mtim.tv_nsec);
  std::snprintf(buffer, sizeof buffer, "%llx-%llx-%llx", static_cast<unsigned long long>(st.st_ino),
                mtime_ns, static_cast<unsigned long long>(st.st_size));
  return buffer;
}

ObjectInfo InfoFromStat(std::string key, const struct stat& st) {
  ObjectInfo info;
  info.key = std::move(key);
  info.size = static_cast<uint64_t>(st.st_size);
  info.etag = FormatEtag(st);
  info.modified_unix_ms =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
  return info;
}

// Creates each missing directory of `path` below `root`, making every new
// entry durable in its parent.
Status MakeDirs(const std::string& root, const std::string& path, std::string_view key) {
  if (path.size() <= root.size()) return Status::Ok();
  std::string current = root;
  size_t pos = root.size();
  while (pos < path.size()) {
    size_t next = path.find('/', pos + 1);
    if (next == std::string::npos) next = path.size();
    current = path.substr(0, next);
    if (::mkdir(current.c_str(), 0755) == 0) {
      LH_RETURN_IF_ERROR(FsyncDir(current.substr(0, current.rfind('/')), key));
    } else if (errno != EEXIST) {
      return KeyFailure(errno, "make the directory of", key, current);
    }
    pos = next;
  }
  return Status::Ok();
}

std::vector<Child> ReadChildren(const std::string& dir, std::string_view parent_key) {
  std::vector<Child> children;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return children;
  while (struct dirent* entry = ::readdir(d)) {
    if (auto child = DecodeName(entry->d_name, parent_key)) children.push_back(std::move(*child));
  }
  ::closedir(d);
  std::sort(children.begin(), children.end(),
            [](const Child& a, const Child& b) { return a.sort_key < b.sort_key; });
  return children;
}

// Walks `dir` (holding keys starting with `parent_key`) in key order,
// collecting up to `want` objects that match the prefix and come after
// start_after.
void Collect(const std::string& dir, std::string_view parent_key, const ListOptions& options,
             size_t want, std::vector<ObjectInfo>& out) {
  for (const Child& child : ReadChildren(dir, parent_key)) {
    if (out.size() >= want) return;
    const std::string& k = child.sort_key;
    if (child.is_dir) {
      // Keys below share the prefix k, so the whole subtree can be skipped
      // when it cannot match the prefix or lies entirely before start_after.
      bool prefix_compatible = k.starts_with(options.prefix) || options.prefix.starts_with(k);
      bool before_start = k < options.start_after && !options.start_after.starts_with(k);
      if (!prefix_compatible || before_start) continue;
      Collect(dir + "/" + child.name, k, options, want, out);
    } else {
      if (!k.starts_with(options.prefix) || k <= options.start_after) continue;
      struct stat st;
      std::string path = dir + "/" + child.name;
      if (::stat(path.c_str(), &st) != 0) continue;  // deleted since readdir
      if (!S_ISREG(st.st_mode)) continue;
      out.push_back(InfoFromStat(k, st));
    }
  }
}

void RemoveTempFiles(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> subdirs;
  while (struct dirent* entry = ::readdir(d)) {
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    std::string path = dir + "/" + std::string(name);
    if (name.starts_with(kTempPrefix)) {
      spdlog::info("storage: removing temp file left by an interrupted write: {}", path);
      ::unlink(path.c_str());
    } else if (name.ends_with(kDirSuffix)) {
      subdirs.push_back(std::move(path));
    }
  }
  ::closedir(d);
  for (const auto& sub : subdirs) RemoveTempFiles(sub);
}

}  // namespace

LocalObjectStore::LocalObjectStore(LocalObjectStoreOptions options)
    : options_(std::move(options)) {}

Result<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(
    const LocalObjectStoreOptions& options) {
  if (options.root.empty()) return Status::InvalidArgument("storage root is empty");
  std::error_code ec;
  std::filesystem::create_directories(options.root, ec);
  if (ec) return Status::FromErrno(ec.value(), "create storage root " + options.root);
  LocalObjectStoreOptions resolved = options;
  resolved.root = std::filesystem::canonical(options.root, ec).string();
  if (ec) return Status::FromErrno(ec.value(), "resolve storage root " + options.root);
  if (::access(resolved.root.c_str(), W_OK) != 0) {
    return Status::FromErrno(errno, "storage root is not writable: " + resolved.root);
  }
  RemoveTempFiles(resolved.root);
  return std::unique_ptr<LocalObjectStore>(new LocalObjectStore(std::move(resolved)));
}

Result<LocalObjectStore::Location> LocalObjectStore::Locate(std::string_view key) const {
  LH_RETURN_IF_ERROR(ValidateKey(key));
  Location location{options_.root, ""};
  size_t start = 0;
  int index = 0;
  while (true) {
    size_t slash = key.find('/', start);
    bool last = slash == std::string_view::npos;
    std::string name = EscapeSegment(key.substr(start, (last ? key.size() : slash) - start));
    if (!last) name += kDirSuffix;
    if (name.size() > kMaxNameBytes) {
      return Status::InvalidKey(
          "key segment " + std::to_string(index) + " is " + std::to_string(name.size()) +
          " bytes once escaped; the local backend allows " + std::to_string(kMaxNameBytes));
    }
    if (last) {
      location.path = location.dir + "/" + name;
      return location;
    }
    location.dir += "/" + name;
    start = slash + 1;
    ++index;
  }
}

std::string LocalObjectStore::NewTempPath(const std::string& dir) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char name[96];
  std::snprintf(name, sizeof name, "%s%d-%llu-%016llx", kTempPrefix.data(),
                static_cast<int>(::getpid()),
                static_cast<unsigned long long>(temp_counter_.fetch_add(1)),
                static_cast<unsigned long long>(rng()));
  return dir + "/" + name;
}

Result<ObjectInfo> LocalObjectStore::Put(std::string_view key, const BodyProducer& body,
                                         const PutOptions& options) {
  LH_ASSIGN_OR_RETURN(Location location, Locate(key));
  const uint64_t max = options_.max_object_bytes;
  if (options.content_length && *options.content_length > max) {
    return Status::TooLarge("object is " + std::to_string(*options.content_length) +
                            " bytes; the limit is " + std::to_string(max));
  }

  // A concurrent Delete may remove a directory we just made, before the temp
  // file pins it; make it again and retry.
  std::string temp_path;
  Fd fd;
  for (int attempt = 0;; ++attempt) {
    LH_RETURN_IF_ERROR(MakeDirs(options_.root, location.dir, key));
    temp_path = NewTempPath(location.dir);
    int raw = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (raw >= 0) {
      fd.Reset(raw);
      break;
    }
    if (errno != ENOENT || attempt >= 3) return KeyFailure(errno, "create", key, temp_path);
  }
  // Everything past this point removes the temp file on failure.
  auto fail = [&](Status status) -> Result<ObjectInfo> {
    fd.Close();
    ::unlink(temp_path.c_str());
    return status;
  };

  std::vector<char> buffer;
  buffer.reserve(std::min<uint64_t>(kIoChunk, options.content_length.value_or(kIoChunk)));
  uint64_t written = 0;
  auto flush = [&]() -> Status {
    Status s = WriteAll(fd.get(), buffer.data(), buffer.size(), key, temp_path);
    buffer.clear();
    return s;
  };
  Status produced = body([&](std::string_view chunk) -> Status {
    written += chunk.size();
    if (written > max) {
      return Status::TooLarge("object exceeds the limit of " + std::to_string(max) + " bytes");
    }
    if (buffer.size() + chunk.size() > kIoChunk) LH_RETURN_IF_ERROR(flush());
    if (chunk.size() >= kIoChunk) {
      return WriteAll(fd.get(), chunk.data(), chunk.size(), key, temp_path);
    }
    buffer.insert(buffer.end(), chunk.begin(), chunk.end());
    return Status::Ok();
  });
  if (!produced.ok()) return fail(produced);
  if (Status s = flush(); !s.ok()) return fail(s);
  if (options.content_length && written != *options.content_length) {
    return fail(Status::InvalidArgument("body is " + std::to_string(written) +
                                        " bytes but its declared length is " +
                                        std::to_string(*options.content_length)));
  }
  if (RetryEintr([&] { return ::fsync(fd.get()); }) != 0) {
    return fail(KeyFailure(errno, "sync", key, temp_path));
  }
  if (fd.Close() != 0) return fail(KeyFailure(errno, "close", key, temp_path));

  if (options.mode == PutMode::kIfAbsent) {
    // link() fails with EEXIST atomically: of many racing writers one wins.
    if (::link(temp_path.c_str(), location.path.c_str()) != 0) {
      int err = errno;
      ::unlink(temp_path.c_str());
      if (err == EEXIST) return Status::AlreadyExists("object exists: " + std::string(key));
      return KeyFailure(err, "link", key, location.path);
    }
    ::unlink(temp_path.c_str());
  } else if (::rename(temp_path.c_str(), location.path.c_str()) != 0) {
    return fail(KeyFailure(errno, "rename into place", key, location.path));
  }
  LH_RETURN_IF_ERROR(FsyncDir(location.dir, key));
  struct stat st;
  if (::stat(location.path.c_str(), &st) != 0) return KeyFailure(errno, "stat", key, location.path);
  return InfoFromStat(std::string(key), st);
}

Result<ObjectInfo> LocalObjectStore::PutFile(std::string_view key, const std::string& path,
                                             PutMode mode) {
  LH_ASSIGN_OR_RETURN(Location location, Locate(key));
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return KeyFailure(errno, "read the file to store as", key, path);
  if (static_cast<uint64_t>(st.st_size) > options_.max_object_bytes) {
    return Status::TooLarge("object is " + std::to_string(st.st_size) + " bytes; the limit is " +
                            std::to_string(options_.max_object_bytes));
  }
  {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0 || RetryEintr([&] { return ::fsync(fd.get()); }) != 0) {
      return KeyFailure(errno, "sync the file to store as", key, path);
    }
  }
  LH_RETURN_IF_ERROR(MakeDirs(options_.root, location.dir, key));
  int rc = mode == PutMode::kIfAbsent ? ::link(path.c_str(), location.path.c_str())
                                      : ::rename(path.c_str(), location.path.c_str());
  if (rc != 0) {
    int err = errno;
    if (err == EXDEV) return ObjectStore::PutFile(key, path, mode);  // another filesystem: copy
    if (err == EEXIST) return Status::AlreadyExists("object exists: " + std::string(key));
    return KeyFailure(err, "move into place", key, path + " -> " + location.path);
  }
  if (mode == PutMode::kIfAbsent) ::unlink(path.c_str());
  LH_RETURN_IF_ERROR(FsyncDir(location.dir, key));
  if (::stat(location.path.c_str(), &st) != 0) return KeyFailure(errno, "stat", key, location.path);
  return InfoFromStat(std::string(key), st);
}

Result<ObjectInfo> LocalObjectStore::Head(std::string_view key) {
  LH_ASSIGN_OR_RETURN(Location location, Locate(key));
  struct stat st;
  if (::stat(location.path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Status::NotFound("no object under key: " + std::string(key));
    }
    return KeyFailure(errno, "stat", key, location.path);
  }
  return InfoFromStat(std::string(key), st);
}

Result<ObjectInfo> LocalObjectStore::Get(std::string_view key, ObjectSink& sink) {
  LH_ASSIGN_OR_RETURN(Location location, Locate(key));
  // Once open, the bytes are ours even if the key is replaced or deleted.
  Fd fd(::open(location.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Status::NotFound("no object under key: " + std::string(key));
    }
    return KeyFailure(errno, "open", key, location.path);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return KeyFailure(errno, "stat", key, location.path);
  ObjectInfo info = InfoFromStat(std::string(key), st);
  LH_RETURN_IF_ERROR(sink.OnInfo(info));
  // Uninitialised: zero-filling a 1 MiB buffer costs as much as the read.
  const size_t buffer_size = std::min<uint64_t>(kIoChunk, std::max<uint64_t>(info.size, 1));
  std::unique_ptr<char[]> buffer(new char[buffer_size]);
  uint64_t remaining = info.size;
  while (remaining > 0) {
    ssize_t n = ::read(fd.get(), buffer.get(), std::min<uint64_t>(buffer_size, remaining));
    if (n < 0) {
      if (errno == EINTR) continue;
      return KeyFailure(errno, "read", key, location.path);
    }
    if (n == 0) return Status::IoError("object shrank while being read: " + std::string(key));
    remaining -= static_cast<uint64_t>(n);
    LH_RETURN_IF_ERROR(sink.OnData(std::string_view(buffer.get(), static_cast<size_t>(n))));
  }
  return info;
}

Status LocalObjectStore::Delete(std::string_view key) {
  LH_ASSIGN_OR_RETURN(Location location, Locate(key));
  if (::unlink(location.path.c_str()) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Status::NotFound("no object under key: " + std::string(key));
    }
    return KeyFailure(errno, "delete", key, location.path);
  }
  LH_RETURN_IF_ERROR(FsyncDir(location.dir, key));
  RemoveEmptyParents(location.dir);
  return Status::Ok();
}

std::optional<std::string> LocalObjectStore::LocalPathOf(std::string_view key) const {
  auto location = Locate(key);
  if (!location.ok()) return std::nullopt;
  return location->path;
}

void LocalObjectStore::RemoveEmptyParents(std::string dir) const {
  // rmdir only removes empty directories, so a concurrent Put's directory
  // (pinned by its temp file) is never lost.
  while (dir.size() > options_.root.size()) {
    if (::rmdir(dir.c_str()) != 0) return;
    dir.resize(dir.rfind('/'));
  }
}

Result<ListPage> LocalObjectStore::List(const ListOptions& options) {
  LH_RETURN_IF_ERROR(ValidatePrefix(options.prefix));
  if (options.limit == 0 || options.limit > kMaxListLimit) {
    return Status::InvalidArgument("limit must be 1.." + std::to_string(kMaxListLimit));
  }
  // Start in the deepest directory the prefix names in full.
  std::string dir = options_.root;
  std::string parent_key;
  size_t last_slash = options.prefix.rfind('/');
  if (last_slash != std::string::npos) {
    parent_key = options.prefix.substr(0, last_slash + 1);
    size_t start = 0;
    while (start < parent_key.size()) {
      size_t slash = parent_key.find('/', start);
      dir += "/" + EscapeSegment(std::string_view(parent_key).substr(start, slash - start)) +
             std::string(kDirSuffix);
      start = slash + 1;
    }
  }
  ListPage page;
  Collect(dir, parent_key, options, options.limit + 1, page.objects);
  if (page.objects.size() > options.limit) {
    page.objects.resize(options.limit);
    page.next = page.objects.back().key;
  }
  return page;
}

}  // namespace lakehouse::storage
