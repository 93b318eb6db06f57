// ObjectStore's shared helpers: PutBytes, PutFile (streamed, source removed after) and GetBytes.
#include "storage/object_store.h"

#include <filesystem>
#include <fstream>
#include <vector>

namespace lakehouse::storage {
namespace {

class StringSink : public ObjectSink {
 public:
  Status OnInfo(const ObjectInfo& info) override {
    bytes.reserve(info.size);
    return Status::Ok();
  }
  Status OnData(std::string_view chunk) override {
    bytes.append(chunk);
    return Status::Ok();
  }
  std::string bytes;
};

}  // namespace

Result<ObjectInfo> ObjectStore::PutBytes(std::string_view key, std::string_view bytes,
                                         PutMode mode) {
  PutOptions options;
  options.mode = mode;
  options.content_length = bytes.size();
  return Put(
      key, [bytes](const ChunkWriter& write) { return write(bytes); }, options);
}

Result<ObjectInfo> ObjectStore::PutFile(std::string_view key, const std::string& path,
                                        PutMode mode) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::FromErrno(errno, "open " + path);
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return Status::FromErrno(ec.value(), "stat " + path);
  PutOptions options;
  options.mode = mode;
  options.content_length = size;
  auto info = Put(
      key,
      [&in, &path](const ChunkWriter& write) -> Status {
        std::vector<char> buffer(1 << 20);
        while (in) {
          in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
          if (in.gcount() > 0) {
            LH_RETURN_IF_ERROR(
                write(std::string_view(buffer.data(), static_cast<size_t>(in.gcount()))));
          }
        }
        if (in.bad()) return Status::IoError("read " + path);
        return Status::Ok();
      },
      options);
  if (info.ok()) std::filesystem::remove(path, ec);
  return info;
}

Result<std::string> ObjectStore::GetBytes(std::string_view key) {
  StringSink sink;
  auto info = Get(key, sink);
  if (!info.ok()) return info.status();
  return std::move(sink.bytes);
}

}  // namespace lakehouse::storage
