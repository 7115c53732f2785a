// normalize_keys: replaces each run of characters outside Python's `\w` (Unicode letters, digits,
// '_') in every key at any depth, lists included, with one '_' ("server.com/&abc" ->
// "server_com_abc"). Collisions follow ansible-rulebook, which builds a new dict in key order:
//  - a renamed key whose new name is not an original key of that mapping is always written, so of
//    two keys renamed to the same new name the later value wins (overwrite does not apply);
//  - a renamed key whose new name is an original key is written only with overwrite: true, and
//    then the original key's own value still wins if that key comes later;
//  - a key keeps the position where its name was first written.
#include <exception>
#include <string>

#include "filters/builtin.h"
#include "filters/unicode.h"

namespace rb::filters {

namespace {

// Writes the normalized form of `key` into `out`; returns whether it differs from `key`.
bool normalize(std::string_view key, std::string& out) {
  out.clear();
  bool changed = false;
  bool in_run = false;
  for (std::size_t pos = 0; pos < key.size();) {
    const std::size_t start = pos;
    const char32_t cp = next_code_point(key, pos);
    if (is_word_char(cp)) {
      out.append(key.substr(start, pos - start));
      in_run = false;
    } else {
      if (!in_run) out.push_back('_');
      in_run = true;
      changed = true;
    }
  }
  return changed;
}

class normalize_keys final : public event_filter {
 public:
  explicit normalize_keys(bool overwrite) : overwrite_(overwrite) {}

  filter_result apply(value&& event, std::vector<value>& out) noexcept override {
    try {
      normalize_all(event);
      out.push_back(std::move(event));
      return {};
    } catch (const std::exception& e) {
      return {false, filter_message("normalize_keys", e.what())};
    }
  }

 private:
  void normalize_all(value& event) const {
    std::vector<value*> pending{&event};
    std::string scratch;
    while (!pending.empty()) {
      value& node = *pending.back();
      pending.pop_back();
      if (node.is_object()) {
        bool any = false;
        for (auto it = node.begin(); it != node.end() && !any; ++it) {
          any = normalize(it.key(), scratch);
        }
        if (any) rebuild(node, scratch);
      }
      // The mapping is final before its children are queued, so these pointers stay valid.
      if (node.is_structured()) {
        for (auto& child : node) {
          if (child.is_structured()) pending.push_back(&child);
        }
      }
    }
  }

  void rebuild(value& obj, std::string& scratch) const {
    value fresh = value::object();
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const bool changed = normalize(it.key(), scratch);
      if (changed && obj.contains(scratch) && !overwrite_) continue;
      fresh[scratch] = std::move(it.value());
    }
    obj = std::move(fresh);
  }

  bool overwrite_;
};

}  // namespace

std::unique_ptr<event_filter> make_normalize_keys(const filter_args& args) {
  return std::make_unique<normalize_keys>(args.get_bool("overwrite", true));
}

}  // namespace rb::filters
