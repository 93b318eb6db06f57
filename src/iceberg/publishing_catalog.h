// iceberg::PublishingCatalog — a Catalog that publishes each dataset's
// Iceberg table (table_publisher.h) after every change to its versions or
// tags, so engines reading the table see what Lakehouse committed.
//
// Promises:
//  - A commit, deletion, tag change or rewrite succeeds or fails exactly as
//    the wrapped catalog's does; the Iceberg metadata follows it. A publish
//    that fails after a commit is logged and done again by the next change
//    of the dataset, a REST load of its table, or startup (PublishAll).
//  - RewriteFiles (an erasure) answers an error when the table could not be
//    published: the erasure then keeps the old files, which the old
//    metadata still names, and finishes when it is carried on.
//  - Vacuum first publishes the table as the versions it will keep make it,
//    removing the metadata of the others, and only then lets the wrapped
//    catalog remove versions and files: no stored metadata names a file
//    vacuum removed. If that publish fails, the table's objects are removed
//    instead (it is published again on the next change or load); if even
//    that fails, nothing is vacuumed (kUnavailable).
// Threads: as catalog.h. Lifetimes: `inner` and `publisher` must outlive it.
#pragma once

#include "catalog/catalog.h"
#include "iceberg/table_publisher.h"

namespace lakehouse::iceberg {

class PublishingCatalog final : public catalog::Catalog {
 public:
  PublishingCatalog(catalog::Catalog& inner, TablePublisher& publisher)
      : inner_(inner), publisher_(publisher) {}

  Result<catalog::DatasetListing> ListDatasets() override { return inner_.ListDatasets(); }
  Result<catalog::Manifest> GetCurrent(std::string_view name) override {
    return inner_.GetCurrent(name);
  }
  Result<catalog::Manifest> GetVersion(std::string_view name, uint64_t version) override {
    return inner_.GetVersion(name, version);
  }
  Result<std::vector<catalog::Manifest>> ListVersions(std::string_view name) override {
    return inner_.ListVersions(name);
  }
  Result<std::vector<catalog::Tag>> ListTags(std::string_view name) override {
    return inner_.ListTags(name);
  }
  Result<uint64_t> GetTag(std::string_view name, std::string_view tag) override {
    return inner_.GetTag(name, tag);
  }

  Result<catalog::Manifest> Commit(const catalog::CommitRequest& request) override;
  Result<catalog::Manifest> DeleteDataset(std::string_view name) override;
  Result<catalog::VacuumReport> Vacuum(std::string_view name, uint64_t keep) override;
  Status PutTag(std::string_view name, std::string_view tag, uint64_t version) override;
  Status DeleteTag(std::string_view name, std::string_view tag) override;
  Result<std::vector<uint64_t>> RewriteFiles(std::string_view name,
                                             const catalog::FileRewrites& rewrites) override;

 private:
  // Publishes after a change that has already succeeded: a failure is logged.
  void Follow(std::string_view name);

  catalog::Catalog& inner_;
  TablePublisher& publisher_;
};

}  // namespace lakehouse::iceberg
