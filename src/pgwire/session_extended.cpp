// The extended query protocol: Parse, Bind, Describe, Execute, Close and Sync.
#include "pgwire/errors.h"
#include "pgwire/pg_types.h"
#include "pgwire/session_impl.h"
#include "pgwire/statements.h"

namespace lakehouse::pgwire {
namespace {

// Formats as Bind gives them: none (all text), one for all, or one each.
Result<std::vector<int16_t>> ExpandFormats(const std::vector<int16_t>& given, size_t count,
                                           const char* what) {
  if (given.empty()) return std::vector<int16_t>(count, 0);
  if (given.size() == 1) return std::vector<int16_t>(count, given[0]);
  if (given.size() != count) {
    return Status::InvalidArgument("bind message has " + std::to_string(given.size()) + " " + what +
                                   " formats for " + std::to_string(count) + " " + what +
                                   "s (protocol violation)");
  }
  for (int16_t format : given) {
    if (format != 0 && format != 1) {
      return Status::InvalidArgument("unknown format code " + std::to_string(format) +
                                     " (protocol violation)");
    }
  }
  return given;
}

Result<std::vector<int16_t>> ReadFormats(FieldReader& fields) {
  LH_ASSIGN_OR_RETURN(int16_t count, fields.Int16());
  if (count < 0) return Status::InvalidArgument("negative format count (protocol violation)");
  // Bounded by the message: each format takes two of its bytes.
  if (static_cast<size_t>(count) * 2 > fields.left()) {
    return Status::InvalidArgument("message is shorter than its fields");
  }
  std::vector<int16_t> formats(static_cast<size_t>(count));
  for (auto& format : formats) {
    LH_ASSIGN_OR_RETURN(format, fields.Int16());
  }
  return formats;
}

}  // namespace

bool Session::Impl::ExtendedError(std::string_view sqlstate, const std::string& message) {
  if (options_.stats) ++options_.stats->query_errors;
  SendError(sqlstate, message);
  skip_until_sync_ = true;
  if (transaction_ == 'T') transaction_ = 'E';
  return true;
}

bool Session::Impl::ExtendedError(const Status& status) {
  return ExtendedError(SqlStateOf(status), status.message());
}

bool Session::Impl::HandleParse(const Message& message) {
  FieldReader fields(message.body);
  auto name = fields.CString();
  auto sql = fields.CString();
  auto count = fields.Int16();
  if (!name.ok() || !sql.ok() || !count.ok() || *count < 0 ||
      static_cast<size_t>(*count) * 4 > fields.left()) {
    return ExtendedError("08P01", "malformed Parse message");
  }
  PreparedStatement statement;
  for (int16_t i = 0; i < *count; ++i) statement.param_oids.push_back(*fields.Int32());
  if (!name->empty() && statements_.contains(*name)) {
    return ExtendedError("42P05", "prepared statement \"" + *name + "\" already exists");
  }
  auto parts = SplitStatements(*sql);
  if (parts.size() > 1) {
    return ExtendedError("42601", "cannot insert multiple commands into a prepared statement");
  }
  statement.sql = parts.empty() ? "" : parts[0];
  statement.kind = KindOf(statement.sql);
  if (statement.kind == StatementKind::kQuery || statement.kind == StatementKind::kCopyOut) {
    query::QueryRequest request;
    request.sql = statement.sql;
    if (statement.kind == StatementKind::kCopyOut) request.sql = ParseCopyOut(statement.sql)->query;
    auto shape = DescribeQuery(request);
    if (!shape.ok()) return ExtendedError(shape.status());
    statement.shape = std::move(*shape);
  } else if (statement.kind == StatementKind::kCommand) {
    statement.shape.columns = CommandColumns(statement.sql);
  }
  statement.param_oids.resize(statement.shape.params.size(), 0);
  for (size_t i = 0; i < statement.shape.params.size(); ++i) {
    if (statement.param_oids[i] == 0) {
      int32_t oid = OidOf(statement.shape.params[i]);
      statement.param_oids[i] = oid == kOidUnknown ? kOidText : oid;
    }
  }
  statements_[*name] = std::move(statement);
  MessageWriter(out_).Begin('1').End();
  return true;
}

bool Session::Impl::HandleBind(const Message& message) {
  FieldReader fields(message.body);
  auto portal_name = fields.CString();
  auto statement_name = fields.CString();
  if (!portal_name.ok() || !statement_name.ok()) {
    return ExtendedError("08P01", "malformed Bind message");
  }
  auto found = statements_.find(*statement_name);
  if (found == statements_.end()) {
    return ExtendedError("26000", "prepared statement \"" + *statement_name + "\" does not exist");
  }
  const PreparedStatement& statement = found->second;
  auto param_formats = ReadFormats(fields);
  auto count = fields.Int16();
  if (!param_formats.ok() || !count.ok()) return ExtendedError("08P01", "malformed Bind message");
  // Read as unsigned, as PostgreSQL does, and checked before any value is.
  size_t given = static_cast<uint16_t>(*count);
  if (given != statement.param_oids.size()) {
    return ExtendedError("08P01", "bind message supplies " + std::to_string(given) +
                                      " parameters, but prepared statement \"" + *statement_name +
                                      "\" requires " + std::to_string(statement.param_oids.size()));
  }
  auto formats = ExpandFormats(*param_formats, given, "parameter");
  if (!formats.ok()) return ExtendedError("08P01", formats.status().message());
  std::vector<std::optional<std::string>> params(given);
  for (size_t i = 0; i < given; ++i) {
    auto length = fields.Int32();
    if (!length.ok()) return ExtendedError("08P01", "malformed Bind message");
    if (*length < 0) continue;  // NULL
    auto bytes = fields.Bytes(static_cast<size_t>(*length));
    if (!bytes.ok()) return ExtendedError("08P01", "malformed Bind message");
    if ((*formats)[i] == 0) {
      params[i] = std::string(*bytes);
      continue;
    }
    auto text = TextFromBinary(statement.param_oids[i], *bytes);
    if (!text.ok()) return ExtendedError(text.status());
    params[i] = std::move(*text);
  }
  auto result_formats = ReadFormats(fields);
  if (!result_formats.ok()) return ExtendedError("08P01", "malformed Bind message");
  auto columns = ExpandFormats(*result_formats, statement.shape.columns.size(), "result");
  if (!columns.ok()) return ExtendedError("08P01", columns.status().message());
  if (!portal_name->empty() && portals_.contains(*portal_name)) {
    return ExtendedError("42P03", "portal \"" + *portal_name + "\" already exists");
  }
  auto portal = PortalFor(statement.sql, statement.kind, std::move(params));
  if (!portal.ok()) return ExtendedError(portal.status());
  portal->columns = statement.shape.columns;
  for (const auto& column : portal->columns) portal->oids.push_back(OidOf(column.value_type));
  portal->formats = std::move(*columns);
  for (size_t c = 0; c < portal->columns.size(); ++c) {
    if (portal->formats[c] == 1 && !HasBinaryForm(portal->oids[c])) {
      return ExtendedError("0A000", "binary format is not supported for column \"" +
                                        portal->columns[c].name + "\" of type " +
                                        portal->columns[c].type +
                                        " (only int2, int4, int8, float4, float8 and bool)");
    }
  }
  portals_[*portal_name] = std::move(*portal);
  MessageWriter(out_).Begin('2').End();
  return true;
}

bool Session::Impl::HandleDescribe(const Message& message) {
  FieldReader fields(message.body);
  auto kind = fields.Byte();
  auto name = fields.CString();
  if (!kind.ok() || !name.ok()) return ExtendedError("08P01", "malformed Describe message");
  Portal described;
  if (*kind == 'S') {
    auto found = statements_.find(*name);
    if (found == statements_.end()) {
      return ExtendedError("26000", "prepared statement \"" + *name + "\" does not exist");
    }
    MessageWriter w(out_);
    w.Begin('t').Int16(static_cast<int16_t>(found->second.param_oids.size()));
    for (int32_t oid : found->second.param_oids) w.Int32(oid);
    w.End();
    described.columns = found->second.shape.columns;
    for (const auto& column : described.columns) described.oids.push_back(OidOf(column.value_type));
    described.formats.assign(described.columns.size(), 0);
  } else if (*kind == 'P') {
    auto found = portals_.find(*name);
    if (found == portals_.end()) {
      return ExtendedError("34000", "portal \"" + *name + "\" does not exist");
    }
    described.columns = found->second.columns;
    described.oids = found->second.oids;
    described.formats = found->second.formats;
  } else {
    return ExtendedError("08P01", "invalid Describe message subtype");
  }
  if (described.columns.empty()) {
    MessageWriter(out_).Begin('n').End();
  } else {
    SendRowDescription(described);
  }
  return true;
}

bool Session::Impl::HandleExecute(const Message& message) {
  FieldReader fields(message.body);
  auto name = fields.CString();
  auto max_rows = fields.Int32();
  if (!name.ok() || !max_rows.ok()) return ExtendedError("08P01", "malformed Execute message");
  auto found = portals_.find(*name);
  if (found == portals_.end()) {
    return ExtendedError("34000", "portal \"" + *name + "\" does not exist");
  }
  Portal& portal = found->second;
  auto words = LeadingWords(portal.sql, 1);
  bool ends_block =
      portal.kind == StatementKind::kCommand &&
      (words[0] == "COMMIT" || words[0] == "ROLLBACK" || words[0] == "ABORT" || words[0] == "END");
  if (transaction_ == 'E' && !ends_block) {
    return ExtendedError("25P02",
                         "current transaction is aborted, commands ignored until end of "
                         "transaction block");
  }
  Status status;
  switch (portal.kind) {
    case StatementKind::kEmpty:
      MessageWriter(out_).Begin('I').End();
      return true;
    case StatementKind::kCommand:
      status = RunCommand(portal.sql, false);
      break;
    case StatementKind::kCopyOut:
      status = RunCopyOut(portal);
      break;
    case StatementKind::kQuery: {
      status = StartPortal(portal);
      bool suspended = false;
      size_t limit = *max_rows > 0 ? static_cast<size_t>(*max_rows) : 0;
      if (status.ok()) status = RunPortal(portal, limit, "SELECT", &suspended);
      break;
    }
  }
  if (!status.ok()) return ExtendedError(status);
  return true;
}

bool Session::Impl::HandleClose(const Message& message) {
  FieldReader fields(message.body);
  auto kind = fields.Byte();
  auto name = fields.CString();
  if (!kind.ok() || !name.ok() || (*kind != 'S' && *kind != 'P')) {
    return ExtendedError("08P01", "malformed Close message");
  }
  if (*kind == 'S') {
    statements_.erase(*name);
  } else {
    portals_.erase(*name);
  }
  MessageWriter(out_).Begin('3').End();
  return true;
}

bool Session::Impl::HandleSync() {
  skip_until_sync_ = false;
  // Outside a transaction block each Sync ends the implicit one, and with
  // it the portals, which hold query connections.
  if (transaction_ == 'I') portals_.clear();
  SendReady();
  return Flush();
}

}  // namespace lakehouse::pgwire
