// Private to the storage part: S3's XML (listings, errors, multipart) read into plain values.
//
// S3's answers are small and flat enough that finding a tag's text is all
// the XML reading needed; text never holds a raw '<', so a search for a tag
// cannot match inside a value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/object_store.h"

namespace lakehouse::storage::s3 {

// The raw contents of each <tag>...</tag> in `xml`, in order.
std::vector<std::string_view> Elements(std::string_view xml, std::string_view tag);
// The unescaped text of the first <tag> in `xml`.
std::optional<std::string> FirstText(std::string_view xml, std::string_view tag);
// An ETag without the quotes S3 puts around it, in headers and XML alike.
std::string Unquote(std::string text);

// The machine-readable Code of an error body; empty when there is none.
std::string ErrorCode(const std::string& body);

// One page of a ListObjectsV2 answer; `next` is set when S3 truncated it.
Result<ListPage> ParseListObjectsV2(const std::string& body);

// The body of CompleteMultipartUpload for parts 1..N with these ETags.
std::string CompleteMultipartBody(const std::vector<std::string>& etags);

// What a 200 to CompleteMultipartUpload says: S3 may answer 200 and still
// report a failure in the body.
struct CompletedUpload {
  bool failed = false;
  std::string etag;  // unquoted
};
CompletedUpload ParseCompleteMultipart(const std::string& body);

}  // namespace lakehouse::storage::s3
