// Reads S3's XML answers: tag texts and entities, listings, errors and multipart completions.
#include "storage/s3_xml.h"

#include <cstdint>
#include <cstdlib>

#include "common/percent_encoding.h"
#include "common/time_format.h"
#include "storage/object_key.h"

namespace lakehouse::storage::s3 {
namespace {

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string XmlUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    size_t semi = text.find(';', i);
    if (semi == std::string_view::npos) {
      out.push_back('&');
      continue;
    }
    std::string_view entity = text.substr(i + 1, semi - i - 1);
    if (entity == "amp") {
      out.push_back('&');
    } else if (entity == "lt") {
      out.push_back('<');
    } else if (entity == "gt") {
      out.push_back('>');
    } else if (entity == "quot") {
      out.push_back('"');
    } else if (entity == "apos") {
      out.push_back('\'');
    } else if (!entity.empty() && entity[0] == '#') {
      bool hex = entity.size() > 1 && (entity[1] == 'x' || entity[1] == 'X');
      std::string digits(entity.substr(hex ? 2 : 1));
      AppendUtf8(out, static_cast<uint32_t>(std::strtoul(digits.c_str(), nullptr, hex ? 16 : 10)));
    } else {
      out.append(text.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

// One <Contents> of a listing; `url_encoded` when the listing says its keys
// are (EncodingType url).
Result<ObjectInfo> ParseListedObject(std::string_view contents, bool url_encoded) {
  ObjectInfo info;
  std::string key = FirstText(contents, "Key").value_or("");
  if (url_encoded) {
    // S3 encodes a space as '+' here, as in a form.
    auto decoded = PercentDecode(key, true);
    if (!decoded.ok()) return Status::Internal("s3: undecodable key in a listing: " + key);
    key = *decoded;
  }
  info.key = key;
  info.size = std::strtoull(FirstText(contents, "Size").value_or("0").c_str(), nullptr, 10);
  info.etag = Unquote(FirstText(contents, "ETag").value_or(""));
  info.modified_unix_ms =
      ParseRfc3339Ms(FirstText(contents, "LastModified").value_or("")).value_or(0);
  return info;
}

}  // namespace

std::vector<std::string_view> Elements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  std::string open = "<" + std::string(tag) + ">";
  std::string close = "</" + std::string(tag) + ">";
  size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    size_t start = pos + open.size();
    size_t end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(start, end - start));
    pos = end + close.size();
  }
  return out;
}

std::optional<std::string> FirstText(std::string_view xml, std::string_view tag) {
  auto found = Elements(xml, tag);
  if (found.empty()) return std::nullopt;
  return XmlUnescape(found.front());
}

std::string Unquote(std::string text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

std::string ErrorCode(const std::string& body) { return FirstText(body, "Code").value_or(""); }

Result<ListPage> ParseListObjectsV2(const std::string& body) {
  bool url_encoded = FirstText(body, "EncodingType").value_or("") == "url";
  ListPage page;
  for (std::string_view contents : Elements(body, "Contents")) {
    LH_ASSIGN_OR_RETURN(ObjectInfo info, ParseListedObject(contents, url_encoded));
    page.objects.push_back(std::move(info));
  }
  if (FirstText(body, "IsTruncated").value_or("false") == "true" && !page.objects.empty()) {
    page.next = page.objects.back().key;
  }
  return page;
}

std::string CompleteMultipartBody(const std::vector<std::string>& etags) {
  std::string xml = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + etags[i] +
           "</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  return xml;
}

CompletedUpload ParseCompleteMultipart(const std::string& body) {
  CompletedUpload completed;
  completed.failed = body.find("<Error>") != std::string::npos;
  if (!completed.failed) completed.etag = Unquote(FirstText(body, "ETag").value_or(""));
  return completed;
}

}  // namespace lakehouse::storage::s3
