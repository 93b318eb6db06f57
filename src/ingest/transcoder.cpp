// Streams bytes of another encoding into UTF-8 through iconv, holding characters cut between
// pieces.
#include "ingest/transcoder.h"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>

namespace lakehouse::ingest {

struct Transcoder::Handle {
  iconv_t cd;
  explicit Handle(iconv_t c) : cd(c) {}
  ~Handle() { iconv_close(cd); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
};

Transcoder::Transcoder(std::string encoding, std::shared_ptr<Handle> handle)
    : encoding_(std::move(encoding)), handle_(std::move(handle)) {}

// glibc's name for a canonical one: the same upper-cased, but for Latin-1.
std::string IconvName(const std::string& encoding) {
  if (encoding == "latin-1") return "ISO-8859-1";
  std::string name = encoding;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return name;
}

Result<Transcoder> Transcoder::Open(const std::string& encoding) {
  iconv_t cd = iconv_open("UTF-8", IconvName(encoding).c_str());
  // iconv_open's failure value is (iconv_t)-1, an integer cast to a pointer.
  if (cd == reinterpret_cast<iconv_t>(-1)) {  // NOLINT(performance-no-int-to-ptr)
    return Status::InvalidArgument("this server's iconv cannot read encoding " + encoding);
  }
  return Transcoder(encoding, std::make_shared<Handle>(cd));
}

Status Transcoder::Feed(std::string_view input, std::string& out) {
  std::string joined;
  if (!pending_.empty()) {
    joined = std::move(pending_) + std::string(input);
    pending_.clear();
    input = joined;
  }
  size_t consumed = 0;
  LH_RETURN_IF_ERROR(Convert(input, out, consumed));
  pending_.assign(input.substr(consumed));
  return Status::Ok();
}

// Converts as much of `input` as forms whole characters; `consumed` says how
// much that was.
Status Transcoder::Convert(std::string_view input, std::string& out, size_t& consumed) {
  char* in = const_cast<char*>(input.data());  // iconv's signature; it does not write
  size_t in_left = input.size();
  while (in_left > 0) {
    const size_t start = out.size();
    // Four output bytes per input byte covers any single-byte encoding.
    out.resize(start + std::max<size_t>(in_left * 4, 16));
    char* to = out.data() + start;
    size_t to_left = out.size() - start;
    const size_t rc = iconv(handle_->cd, &in, &in_left, &to, &to_left);
    const int error = errno;
    out.resize(out.size() - to_left);
    line_ += static_cast<uint64_t>(
        std::count(out.begin() + static_cast<std::ptrdiff_t>(start), out.end(), '\n'));
    if (rc != static_cast<size_t>(-1) || error == E2BIG) continue;
    if (error == EINVAL) break;  // a character cut off: wait for the rest
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(*in));
    return Status::InvalidArgument("line " + std::to_string(line_) + " holds byte " + byte +
                                   ", which " + encoding_ + " does not define");
  }
  consumed = input.size() - in_left;
  return Status::Ok();
}

Status Transcoder::Finish() const {
  if (pending_.empty()) return Status::Ok();
  return Status::InvalidArgument("the file ends inside a character (" +
                                 std::to_string(pending_.size()) + " bytes of " + encoding_ +
                                 " left over)");
}

}  // namespace lakehouse::ingest
