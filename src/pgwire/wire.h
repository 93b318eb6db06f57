// Private to pgwire: the byte forms of protocol v3 messages, read from a bounded buffer and
// written.
//
// Reading never trusts a length field: it is checked against its bound
// before anything is allocated for it, and a message is only taken once all
// of its bytes have arrived, so the memory one connection holds is bounded by
// the bound it was given, whatever it claims.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lakehouse::pgwire {

// The codes a startup-phase packet carries instead of a protocol version.
inline constexpr int32_t kProtocolV3 = 196608;  // 3.0
inline constexpr int32_t kSslRequest = 80877103;
inline constexpr int32_t kGssEncRequest = 80877104;
inline constexpr int32_t kCancelRequest = 80877102;
// A startup packet holds only a few parameter names and values.
inline constexpr size_t kMaxStartupBytes = 10000;

struct Message {
  char type = 0;     // 0 for a startup-phase packet, which has no type byte
  std::string body;  // after the length field
};

// Bytes as they arrive, cut into messages. Errors (kInvalidArgument for a
// length that cannot be, kTooLarge over a bound) leave the connection
// unusable: the caller answers and closes.
class MessageReader {
 public:
  explicit MessageReader(size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

  void Append(std::string_view bytes) { buffer_.append(bytes); }
  // The next whole message, or nullopt until more bytes arrive. Until
  // StartupDone, messages are startup-phase packets (no type byte).
  Result<std::optional<Message>> Next();
  void StartupDone() { startup_ = false; }
  size_t buffered() const { return buffer_.size() - offset_; }

 private:
  const size_t max_message_bytes_;
  std::string buffer_;
  size_t offset_ = 0;  // bytes of buffer_ already taken
  bool startup_ = true;
};

// Reads the fields of one message body; every read checks the bytes left,
// and a short body is kInvalidArgument (a protocol violation).
class FieldReader {
 public:
  explicit FieldReader(std::string_view body) : rest_(body) {}
  Result<int32_t> Int32();
  Result<int16_t> Int16();
  Result<uint8_t> Byte();
  Result<std::string> CString();  // up to a NUL
  Result<std::string_view> Bytes(size_t n);
  size_t left() const { return rest_.size(); }

 private:
  std::string_view rest_;
};

// Builds one backend message: the type byte, a length patched in at End.
class MessageWriter {
 public:
  explicit MessageWriter(std::string& out) : out_(out) {}
  MessageWriter& Begin(char type);
  MessageWriter& Int32(int32_t value);
  MessageWriter& Int16(int16_t value);
  MessageWriter& Byte(uint8_t value);
  MessageWriter& CString(std::string_view text);
  MessageWriter& Bytes(std::string_view bytes);
  void End();

 private:
  std::string& out_;
  size_t start_ = 0;
};

}  // namespace lakehouse::pgwire
