// StoreCatalog's tags: one small object per tag, naming the version it marks.
#include "catalog/manifest_codec.h"
#include "catalog/store_catalog.h"
#include "catalog/store_catalog_keys.h"

namespace lakehouse::catalog {
namespace {

Status NoSuchTag(std::string_view name, std::string_view tag) {
  return Status::NotFound("dataset " + std::string(name) + " has no tag \"" + std::string(tag) +
                          "\"");
}

}  // namespace

Result<std::vector<Tag>> StoreCatalog::ReadTags(std::string_view name) {
  const std::string prefix = TagsPrefix(name);
  storage::ListOptions options;
  options.prefix = prefix;
  options.limit = storage::kMaxListLimit;
  std::vector<Tag> tags;
  while (true) {
    LH_ASSIGN_OR_RETURN(auto page, store_.List(options));
    for (const auto& object : page.objects) {
      if (!object.key.ends_with(".json")) continue;
      std::string_view tag_name = std::string_view(object.key).substr(prefix.size());
      tag_name.remove_suffix(5);
      auto bytes = store_.GetBytes(object.key);
      if (!bytes.ok()) {
        if (bytes.status().code() == StatusCode::kNotFound) continue;  // deleted meanwhile
        return bytes.status();
      }
      auto parsed = nlohmann::json::parse(*bytes, nullptr, false);
      auto tag = TagFromJson(parsed);
      if (!tag.ok()) {
        return Status::IoError("tag " + object.key + " is damaged: " + tag.status().message());
      }
      if (tag->tag != tag_name) {
        return Status::IoError("tag " + object.key + " is damaged: it names tag " + tag->tag);
      }
      tags.push_back(std::move(*tag));
    }
    if (!page.next) break;
    options.start_after = *page.next;
  }
  // Keys sort "a-b.json" before "a.json"; tags sort by name.
  std::sort(tags.begin(), tags.end(), [](const Tag& a, const Tag& b) { return a.tag < b.tag; });
  return tags;
}

Status StoreCatalog::PutTag(std::string_view name, std::string_view tag, uint64_t version) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  LH_RETURN_IF_ERROR(ValidateTagName(tag));
  std::lock_guard retention(retention_mu_);
  LH_ASSIGN_OR_RETURN(Manifest manifest, GetVersion(name, version));
  if (manifest.operation == Operation::kDelete) {
    return Status::NotFound("version " + std::to_string(version) + " of " + std::string(name) +
                            " is a deletion and has no rows to tag");
  }
  std::string body = TagToJson({std::string(tag), version, NowMs()}).dump(2);
  return store_.PutBytes(TagKey(name, tag), body).status();
}

Result<std::vector<Tag>> StoreCatalog::ListTags(std::string_view name) {
  LH_ASSIGN_OR_RETURN(auto head, Head(name));
  if (!head) return DatasetNotFound(name);
  return ReadTags(name);
}

Result<uint64_t> StoreCatalog::GetTag(std::string_view name, std::string_view tag) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  LH_RETURN_IF_ERROR(ValidateTagName(tag));
  const std::string key = TagKey(name, tag);
  auto bytes = store_.GetBytes(key);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) return NoSuchTag(name, tag);
    return bytes.status();
  }
  auto parsed = TagFromJson(nlohmann::json::parse(*bytes, nullptr, false));
  if (!parsed.ok()) {
    return Status::IoError("tag " + key + " is damaged: " + parsed.status().message());
  }
  if (parsed->tag != tag) {
    return Status::IoError("tag " + key + " is damaged: it names tag " + parsed->tag);
  }
  return parsed->version;
}

Status StoreCatalog::DeleteTag(std::string_view name, std::string_view tag) {
  LH_RETURN_IF_ERROR(ValidateDatasetName(name));
  LH_RETURN_IF_ERROR(ValidateTagName(tag));
  const std::string key = TagKey(name, tag);
  // Some stores (S3) answer a delete of a missing key with success.
  auto head = store_.Head(key);
  if (!head.ok()) {
    if (head.status().code() == StatusCode::kNotFound) return NoSuchTag(name, tag);
    return head.status();
  }
  Status deleted = store_.Delete(key);
  if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) return deleted;
  return Status::Ok();
}

}  // namespace lakehouse::catalog
