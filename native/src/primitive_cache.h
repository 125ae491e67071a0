// oneDNN's engine and stream (one each per process) and a cache of primitives by shape key.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "oneapi/dnnl/dnnl.hpp"

namespace batchlab {

inline dnnl::engine& engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

inline dnnl::stream& stream() {
  static dnnl::stream s(engine());
  return s;
}

// Primitives (with their descriptors) built once per key: a cache grows by one entry per distinct
// layer shape (a handful per model), and building a primitive costs far more than a lookup.
template <typename Entry>
class PrimitiveCache {
 public:
  // The entry for `key`, built by make() the first time.
  template <typename Make>
  Entry& get(const std::string& key, Make&& make) {
    auto it = entries_.find(key);
    if (it != entries_.end()) return *it->second;
    auto entry = std::make_unique<Entry>(make());
    Entry& ref = *entry;
    entries_[key] = std::move(entry);
    return ref;
  }

 private:
  std::unordered_map<std::string, std::unique_ptr<Entry>> entries_;
};

}  // namespace batchlab
