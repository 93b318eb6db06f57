// A session's start (startup packet, sign-in, its parameters) and the dispatch of its messages.
#include "pgwire/session.h"

#include <cctype>

#include "common/version.h"
#include "pgwire/errors.h"
#include "pgwire/session_impl.h"

namespace lakehouse::pgwire {
namespace {

// Output is handed to the socket once it grows past this, so a long result
// streams in pieces rather than being built whole.
constexpr size_t kFlushBytes = 64 << 10;

constexpr int32_t kAuthOk = 0;
constexpr int32_t kAuthCleartext = 3;
constexpr int32_t kAuthSasl = 10;

std::string LowerCase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

Session::Session(query::QueryEngine& engine, SessionOptions options,
                 std::function<bool(std::string_view)> send)
    : impl_(std::make_unique<Impl>(engine, std::move(options), std::move(send))) {}

Session::~Session() = default;

bool Session::Receive(std::string_view bytes) { return impl_->Receive(bytes); }

void Session::Cancel() { impl_->Cancel(); }

bool Session::signed_in() const { return impl_->signed_in(); }

bool Session::Impl::Receive(std::string_view bytes) {
  if (phase_ == Phase::kEnded) return false;
  reader_.Append(bytes);
  while (phase_ != Phase::kEnded) {
    auto next = reader_.Next();
    if (!next.ok()) {
      if (options_.stats) ++options_.stats->protocol_errors;
      Fatal(next.status().code() == StatusCode::kTooLarge ? "54000" : "08P01",
            next.status().message());
      break;
    }
    if (!next->has_value()) break;
    if (!Handle(**next)) phase_ = Phase::kEnded;
  }
  bool sent = Flush();
  return sent && phase_ != Phase::kEnded;
}

bool Session::Impl::Handle(const Message& message) {
  switch (phase_) {
    case Phase::kStartup:
      return HandleStartupPacket(message);
    case Phase::kPassword:
      return HandleCleartextPassword(message);
    case Phase::kSaslInitial:
      return HandleSaslInitial(message);
    case Phase::kSaslResponse:
      return HandleSaslResponse(message);
    case Phase::kEnded:
      return false;
    case Phase::kReady:
      break;
  }
  if (message.type == 'X') return false;
  if (skip_until_sync_ && message.type != 'S') return true;
  switch (message.type) {
    case 'Q':
      return HandleQuery(message);
    case 'P':
      return HandleParse(message);
    case 'B':
      return HandleBind(message);
    case 'D':
      return HandleDescribe(message);
    case 'E':
      return HandleExecute(message);
    case 'C':
      return HandleClose(message);
    case 'S':
      return HandleSync();
    case 'H':
      return Flush();
    case 'F':
      return ExtendedError("0A000", "function calls are not supported");
    case 'd':
    case 'c':
    case 'f':
      return true;  // copy data when no COPY FROM is running: ignored, as PostgreSQL does
    default:
      if (options_.stats) ++options_.stats->protocol_errors;
      return Fatal("08P01", std::string("invalid frontend message type ") +
                                std::to_string(static_cast<unsigned char>(message.type)));
  }
}

bool Session::Impl::HandleStartupPacket(const Message& message) {
  FieldReader fields(message.body);
  auto code = fields.Int32();
  if (!code.ok()) return Fatal("08P01", code.status().message());
  if (*code == kSslRequest || *code == kGssEncRequest) {
    out_.push_back('N');  // no TLS here: the client goes on in plain text or gives up
    return true;
  }
  if (*code == kCancelRequest) {
    auto process_id = fields.Int32();
    auto secret_key = fields.Int32();
    if (process_id.ok() && secret_key.ok() && options_.cancel) {
      options_.cancel(*process_id, *secret_key);
    }
    return false;  // a cancel connection gets no answer
  }
  if ((*code >> 16) != 3) {
    return Fatal("0A000", "unsupported frontend protocol " + std::to_string(*code >> 16) + "." +
                              std::to_string(*code & 0xffff) + ": only 3.0 is served");
  }
  return StartSession(fields);
}

bool Session::Impl::StartSession(FieldReader& fields) {
  std::vector<std::string> unknown_options;
  while (fields.left() > 0) {
    auto name = fields.CString();
    if (!name.ok()) return Fatal("08P01", name.status().message());
    if (name->empty()) break;
    auto value = fields.CString();
    if (!value.ok()) return Fatal("08P01", value.status().message());
    if (name->starts_with("_pq_.")) {
      unknown_options.push_back(*name);
    } else if (*name == "user") {
      user_ = *value;
    } else if (*name != "database" && *name != "options" && *name != "replication") {
      settings_[LowerCase(*name)] = *value;
    }
  }
  reader_.StartupDone();
  if (user_.empty()) return Fatal("28000", "no PostgreSQL user name specified in startup packet");
  if (!unknown_options.empty()) {
    MessageWriter w(out_);
    w.Begin('v').Int32(kProtocolV3).Int32(static_cast<int32_t>(unknown_options.size()));
    for (const auto& option : unknown_options) w.CString(option);
    w.End();
  }
  if (!options_.check_password) {
    if (!options_.loopback) {
      return Fatal("28000", "no API tokens are configured, so only loopback clients may connect");
    }
    SignedIn();
    return true;
  }
  MessageWriter w(out_);
  if (options_.loopback || options_.tls) {
    w.Begin('R').Int32(kAuthCleartext).End();
    phase_ = Phase::kPassword;
    return true;
  }
  if (options_.scram.empty()) {
    return Fatal("28000",
                 "off loopback without TLS a password is taken only by SCRAM-SHA-256, and no API "
                 "token has a SCRAM verifier (tokens given as sha256: digests cannot have one)");
  }
  w.Begin('R').Int32(kAuthSasl).CString("SCRAM-SHA-256").CString("").End();
  phase_ = Phase::kSaslInitial;
  return true;
}

bool Session::Impl::HandleCleartextPassword(const Message& message) {
  if (message.type != 'p') return Fatal("08P01", "expected a password message");
  FieldReader fields(message.body);
  auto password = fields.CString();
  if (!password.ok()) return Fatal("08P01", password.status().message());
  auto who = options_.check_password(*password);
  if (!who.ok()) {
    if (options_.stats) ++options_.stats->auth_failures;
    return Fatal("28P01", "password authentication failed for user \"" + user_ +
                              "\": the password must be an API token");
  }
  SignedIn();
  return true;
}

void Session::Impl::SignedIn() {
  MessageWriter w(out_);
  w.Begin('R').Int32(kAuthOk).End();
  const std::string app = settings_.count("application_name") ? settings_["application_name"] : "";
  settings_["server_version"] = "15.0 (Lakehouse " + std::string(kVersion) + ")";
  settings_["server_encoding"] = "UTF8";
  settings_["client_encoding"] = "UTF8";
  settings_["datestyle"] = "ISO, MDY";
  settings_["intervalstyle"] = "postgres";
  settings_["integer_datetimes"] = "on";
  settings_["standard_conforming_strings"] = "on";
  settings_["timezone"] = options_.time_zone;
  settings_["is_superuser"] = "off";
  settings_["session_authorization"] = user_;
  settings_["application_name"] = app;
  settings_["search_path"] = "main";
  settings_["transaction_isolation"] = "serializable";
  settings_["transaction_read_only"] = "on";
  settings_["default_transaction_read_only"] = "on";
  const std::pair<const char*, const char*> reported[] = {
      {"server_version", "server_version"},
      {"server_encoding", "server_encoding"},
      {"client_encoding", "client_encoding"},
      {"DateStyle", "datestyle"},
      {"IntervalStyle", "intervalstyle"},
      {"integer_datetimes", "integer_datetimes"},
      {"standard_conforming_strings", "standard_conforming_strings"},
      {"TimeZone", "timezone"},
      {"is_superuser", "is_superuser"},
      {"session_authorization", "session_authorization"},
      {"application_name", "application_name"},
  };
  for (const auto& [name, key] : reported) SendParameterStatus(name, settings_[key]);
  w.Begin('K').Int32(options_.process_id).Int32(options_.secret_key).End();
  phase_ = Phase::kReady;
  SendReady();
}

bool Session::Impl::Fatal(std::string_view sqlstate, const std::string& message) {
  MessageWriter w(out_);
  w.Begin('E').Byte('S').CString("FATAL").Byte('V').CString("FATAL").Byte('C').CString(sqlstate);
  w.Byte('M').CString(message).Byte(0).End();
  phase_ = Phase::kEnded;
  return false;
}

void Session::Impl::SendError(std::string_view sqlstate, const std::string& message) {
  MessageWriter w(out_);
  w.Begin('E').Byte('S').CString("ERROR").Byte('V').CString("ERROR").Byte('C').CString(sqlstate);
  w.Byte('M').CString(message).Byte(0).End();
}

void Session::Impl::SendError(const Status& status) {
  SendError(SqlStateOf(status), status.message());
}

void Session::Impl::SendReady() {
  MessageWriter(out_).Begin('Z').Byte(static_cast<uint8_t>(transaction_)).End();
}

void Session::Impl::SendParameterStatus(const std::string& name, const std::string& value) {
  MessageWriter(out_).Begin('S').CString(name).CString(value).End();
}

void Session::Impl::SendCommandComplete(const std::string& tag) {
  MessageWriter(out_).Begin('C').CString(tag).End();
}

bool Session::Impl::Flush() {
  if (out_.empty()) return true;
  bool sent = send_(out_);
  out_.clear();
  if (!sent) phase_ = Phase::kEnded;
  return sent;
}

bool Session::Impl::FlushIfFull() { return out_.size() < kFlushBytes || Flush(); }

}  // namespace lakehouse::pgwire
