#include "match/fact_store.h"

#include <algorithm>

#include "core/canonical.h"

namespace rb::match {
namespace {

// The condition language's equality: 3 == 3.0, 3 != "3", objects by key whatever their order.
bool equal(const value& a, const value& b) noexcept {
  if (a.is_number() && b.is_number()) {
    if (a.is_number_float() || b.is_number_float()) return a.get<double>() == b.get<double>();
    if (a.is_number_unsigned() && b.is_number_unsigned())
      return a.get<std::uint64_t>() == b.get<std::uint64_t>();
    if (a.is_number_unsigned() || b.is_number_unsigned()) {
      const value& u = a.is_number_unsigned() ? a : b;
      const value& s = a.is_number_unsigned() ? b : a;
      return s.get<std::int64_t>() >= 0 &&
             static_cast<std::uint64_t>(s.get<std::int64_t>()) == u.get<std::uint64_t>();
    }
    return a.get<std::int64_t>() == b.get<std::int64_t>();
  }
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto o = b.find(it.key());
      if (o == b.end() || !equal(*it, *o)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!equal(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

bool contains(const value& fact, const value& pattern) noexcept {
  if (!pattern.is_object() || !fact.is_object()) return equal(fact, pattern);
  for (auto it = pattern.begin(); it != pattern.end(); ++it) {
    auto o = fact.find(it.key());
    if (o == fact.end() || !contains(*o, *it)) return false;
  }
  return true;
}

}  // namespace

bool same_fact(const value& a, const value& b) noexcept {
  if (!a.is_object() || !b.is_object()) return equal(a, b);
  std::size_t na = 0, nb = 0;
  for (auto it = a.begin(); it != a.end(); ++it) {
    if (it.key() == "meta") continue;
    ++na;
    auto o = b.find(it.key());
    if (o == b.end() || !equal(*it, *o)) return false;
  }
  for (auto it = b.begin(); it != b.end(); ++it)
    if (it.key() != "meta") ++nb;
  return na == nb;
}

bool fact_contains(const value& fact, const value& pattern) noexcept {
  if (!pattern.is_object() || !fact.is_object()) return equal(fact, pattern);
  for (auto it = pattern.begin(); it != pattern.end(); ++it) {
    if (it.key() == "meta") continue;
    auto o = fact.find(it.key());
    if (o == fact.end() || !contains(*o, *it)) return false;
  }
  return true;
}

const item_ptr& fact_store::assert_fact(value&& fact, pending_meta meta, time_point now) {
  std::string key = canonical_key(fact, true);
  if (auto it = index_.find(key); it != index_.end()) remove(it->second);
  index_[key] = facts_.size();
  facts_.push_back(std::make_shared<item>(item{std::move(fact), meta, now, true, false}));
  keys_.push_back(std::move(key));
  sweep();  // keeps the order: the new fact stays last
  return facts_.back();
}

std::size_t fact_store::retract(const value& pattern, bool partial) {
  std::size_t n = 0;
  if (!partial) {
    if (auto it = index_.find(canonical_key(pattern, true)); it != index_.end()) {
      remove(it->second);
      n = 1;
    }
  } else {
    for (std::size_t i = 0; i < facts_.size(); ++i) {
      if (facts_[i]->retracted || !fact_contains(facts_[i]->data, pattern)) continue;
      remove(i);
      ++n;
    }
  }
  sweep();
  return n;
}

void fact_store::remove(std::size_t position) {
  facts_[position]->retracted = true;
  index_.erase(keys_[position]);
  ++removed_;
}

// Drops retracted facts once they are half of the list: amortized constant per removal.
void fact_store::sweep() {
  if (removed_ < 64 || removed_ * 2 < facts_.size()) return;
  std::size_t out = 0;
  for (std::size_t i = 0; i < facts_.size(); ++i) {
    if (facts_[i]->retracted) continue;
    facts_[out] = std::move(facts_[i]);
    keys_[out] = std::move(keys_[i]);
    index_[keys_[out]] = out;
    ++out;
  }
  facts_.resize(out);
  keys_.resize(out);
  removed_ = 0;
}

}  // namespace rb::match
