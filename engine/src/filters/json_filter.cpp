// json_filter: removes keys matching exclude_keys unless they match include_keys, in every mapping
// reachable through mappings. As in ansible-rulebook, mappings inside lists are left alone, and
// include_keys only shields a key from exclusion (it is not a whitelist); the value of a shielded
// or untouched key is still filtered below.
#include <exception>

#include "filters/builtin.h"
#include "filters/fnmatch.h"

namespace rb::filters {

namespace {

class key_patterns {
 public:
  explicit key_patterns(std::vector<std::string> keys) : keys_(std::move(keys)) {
    patterns_.reserve(keys_.size());
    for (const auto& k : keys_) patterns_.emplace_back(k);
  }
  bool empty() const noexcept { return keys_.empty(); }
  // `key in list or any(fnmatch(key, p))`: the plain comparison matters for keys such as "[x]".
  bool matches(std::string_view key) const noexcept {
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] == key || patterns_[i].match(key)) return true;
    }
    return false;
  }

 private:
  std::vector<std::string> keys_;
  std::vector<glob_pattern> patterns_;
};

class json_filter final : public event_filter {
 public:
  json_filter(std::vector<std::string> include, std::vector<std::string> exclude)
      : include_(std::move(include)), exclude_(std::move(exclude)) {}

  filter_result apply(value&& event, std::vector<value>& out) noexcept override {
    try {
      if (!exclude_.empty()) filter(event);
      out.push_back(std::move(event));
      return {};
    } catch (const std::exception& e) {
      return {false, filter_message("json_filter", e.what())};
    }
  }

 private:
  void filter(value& event) const {
    // An explicit stack rather than recursion: webhook payloads may nest arbitrarily deep.
    std::vector<value*> pending{&event};
    while (!pending.empty()) {
      value& obj = *pending.back();
      pending.pop_back();
      if (!obj.is_object()) continue;
      for (auto it = obj.begin(); it != obj.end();) {
        if (exclude_.matches(it.key()) && !include_.matches(it.key())) {
          it = obj.erase(it);
        } else {
          ++it;
        }
      }
      // Pointers are taken only after this mapping's erasures, which move its elements.
      for (auto& child : obj) {
        if (child.is_object()) pending.push_back(&child);
      }
    }
  }

  key_patterns include_;
  key_patterns exclude_;
};

}  // namespace

std::unique_ptr<event_filter> make_json_filter(const filter_args& args) {
  return std::make_unique<json_filter>(args.get_string_list("include_keys"),
                                       args.get_string_list("exclude_keys"));
}

}  // namespace rb::filters
