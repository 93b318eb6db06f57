// Cuts received bytes into protocol messages within their bounds, and writes backend messages.
#include "pgwire/wire.h"

namespace lakehouse::pgwire {
namespace {

int32_t ReadInt32(const char* p) {
  auto b = reinterpret_cast<const unsigned char*>(p);
  return static_cast<int32_t>((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) |
                              (uint32_t{b[2]} << 8) | uint32_t{b[3]});
}

}  // namespace

Result<std::optional<Message>> MessageReader::Next() {
  const size_t header = startup_ ? 4 : 5;
  if (buffered() < header) return std::optional<Message>();
  const char* p = buffer_.data() + offset_;
  Message message;
  message.type = startup_ ? 0 : p[0];
  int32_t length = ReadInt32(p + header - 4);
  const size_t bound = startup_ ? kMaxStartupBytes : max_message_bytes_;
  // The length counts itself; a startup packet has at least its code too.
  if (length < (startup_ ? 8 : 4)) {
    return Status::InvalidArgument("invalid message length " + std::to_string(length));
  }
  if (static_cast<size_t>(length) > bound) {
    return Status::TooLarge("message of " + std::to_string(length) +
                            " bytes is over the limit of " + std::to_string(bound) + " bytes");
  }
  const size_t total = header - 4 + static_cast<size_t>(length);
  if (buffered() < total) return std::optional<Message>();
  message.body.assign(p + header, total - header);
  offset_ += total;
  // Drop what was taken once it is most of the buffer, so a long session's
  // buffer does not grow with everything it ever received.
  if (offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  } else if (offset_ > 65536 && offset_ * 2 > buffer_.size()) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  return std::optional<Message>(std::move(message));
}

Result<int32_t> FieldReader::Int32() {
  if (rest_.size() < 4) return Status::InvalidArgument("message is shorter than its fields");
  int32_t value = ReadInt32(rest_.data());
  rest_.remove_prefix(4);
  return value;
}

Result<int16_t> FieldReader::Int16() {
  if (rest_.size() < 2) return Status::InvalidArgument("message is shorter than its fields");
  auto b = reinterpret_cast<const unsigned char*>(rest_.data());
  auto value = static_cast<int16_t>((b[0] << 8) | b[1]);
  rest_.remove_prefix(2);
  return value;
}

Result<uint8_t> FieldReader::Byte() {
  if (rest_.empty()) return Status::InvalidArgument("message is shorter than its fields");
  auto value = static_cast<uint8_t>(rest_[0]);
  rest_.remove_prefix(1);
  return value;
}

Result<std::string> FieldReader::CString() {
  size_t end = rest_.find('\0');
  if (end == std::string_view::npos) {
    return Status::InvalidArgument("message has a string without its terminating NUL");
  }
  std::string value(rest_.substr(0, end));
  rest_.remove_prefix(end + 1);
  return value;
}

Result<std::string_view> FieldReader::Bytes(size_t n) {
  if (rest_.size() < n) return Status::InvalidArgument("message is shorter than its fields");
  std::string_view value = rest_.substr(0, n);
  rest_.remove_prefix(n);
  return value;
}

MessageWriter& MessageWriter::Begin(char type) {
  out_.push_back(type);
  start_ = out_.size();
  out_.append(4, '\0');
  return *this;
}

MessageWriter& MessageWriter::Int32(int32_t value) {
  auto v = static_cast<uint32_t>(value);
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                         static_cast<char>(v >> 8), static_cast<char>(v)};
  out_.append(bytes, 4);
  return *this;
}

MessageWriter& MessageWriter::Int16(int16_t value) {
  auto v = static_cast<uint16_t>(value);
  const char bytes[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  out_.append(bytes, 2);
  return *this;
}

MessageWriter& MessageWriter::Byte(uint8_t value) {
  out_.push_back(static_cast<char>(value));
  return *this;
}

MessageWriter& MessageWriter::CString(std::string_view text) {
  out_.append(text);
  out_.push_back('\0');
  return *this;
}

MessageWriter& MessageWriter::Bytes(std::string_view bytes) {
  out_.append(bytes);
  return *this;
}

void MessageWriter::End() {
  auto length = static_cast<uint32_t>(out_.size() - start_);
  out_[start_] = static_cast<char>(length >> 24);
  out_[start_ + 1] = static_cast<char>(length >> 16);
  out_[start_ + 2] = static_cast<char>(length >> 8);
  out_[start_ + 3] = static_cast<char>(length);
}

}  // namespace lakehouse::pgwire
