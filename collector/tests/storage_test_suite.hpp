// The Storage conformance suite, parameterised by a factory.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "storage.hpp"

namespace clinic_audit::collector::test {

class StorageFactory {
 public:
  virtual ~StorageFactory() = default;
  // A new connection to the same (initially empty) database.
  virtual std::unique_ptr<Storage> make() = 0;
  virtual std::string url() const = 0;
};

// A small report of `machine_id` (report id "id-" + sha256 unless given).
IncomingReport make_incoming(const std::string& machine_id, std::uint64_t sequence, const std::string& sha256,
                             std::int64_t started_at, const std::string& report_id = "");
Judgement no_anomaly(const ChainHistory&, const IncomingReport&);

using FactoryMaker = std::function<std::unique_ptr<StorageFactory>()>;

class StorageSuite : public testing::TestWithParam<FactoryMaker> {
 protected:
  void SetUp() override {
    factory_ = GetParam()();
    storage_ = factory_->make();
    storage_->migrate();
  }
  std::unique_ptr<StorageFactory> factory_;
  std::unique_ptr<Storage> storage_;
};

}  // namespace clinic_audit::collector::test
