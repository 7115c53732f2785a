// dashes_to_underscores: renames keys containing '-' by replacing every '-' with '_', in every
// mapping at any depth, lists included. Key order follows ansible-rulebook's in-place Python edit:
// a renamed key is deleted and re-added at the end of its mapping, unless the new name already
// exists, in which case (overwrite: true) the value lands in that key's position, or
// (overwrite: false) the dashed key and its value are dropped.
#include <exception>
#include <string>

#include "filters/builtin.h"

namespace rb::filters {

namespace {

class dashes_to_underscores final : public event_filter {
 public:
  explicit dashes_to_underscores(bool overwrite) : overwrite_(overwrite) {}

  filter_result apply(value&& event, std::vector<value>& out) noexcept override {
    try {
      rename_all(event);
      out.push_back(std::move(event));
      return {};
    } catch (const std::exception& e) {
      return {false, filter_message("dashes_to_underscores", e.what())};
    }
  }

 private:
  void rename_all(value& event) const {
    std::vector<value*> pending{&event};
    std::vector<std::string> dashed;
    while (!pending.empty()) {
      value& node = *pending.back();
      pending.pop_back();
      if (node.is_object()) {
        dashed.clear();
        for (auto it = node.begin(); it != node.end(); ++it) {
          if (it.key().find('-') != std::string::npos) dashed.push_back(it.key());
        }
        // In the order Python visits its snapshot of the keys; earlier renames can create the
        // names later ones collide with.
        for (auto& key : dashed) rename(node, key);
        for (auto& child : node) {
          if (child.is_structured()) pending.push_back(&child);
        }
      } else if (node.is_array()) {
        for (auto& child : node) {
          if (child.is_structured()) pending.push_back(&child);
        }
      }
    }
  }

  void rename(value& obj, std::string& key) const {
    auto it = obj.find(key);
    value moved = std::move(*it);
    obj.erase(it);
    for (char& c : key) {
      if (c == '-') c = '_';
    }
    auto existing = obj.find(key);
    if (existing == obj.end()) {
      obj.emplace(std::move(key), std::move(moved));
    } else if (overwrite_) {
      *existing = std::move(moved);
    }
  }

  bool overwrite_;
};

}  // namespace

std::unique_ptr<event_filter> make_dashes_to_underscores(const filter_args& args) {
  return std::make_unique<dashes_to_underscores>(args.get_bool("overwrite", true));
}

}  // namespace rb::filters
