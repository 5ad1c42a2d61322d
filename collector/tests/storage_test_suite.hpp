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
