// event_splitter: turns one event carrying a list of events (at splitter_key, a dotted dpath) into
// one event per list item. Each item gets, in this order, the values found at the paths of
// attributes_key_map (taken from the original event; a missing path is skipped with a warning)
// and then the static extras; both overwrite keys the item already has. As in ansible-rulebook:
//  - splitter_key not found: raise_error -> error; otherwise a warning and the event passes intact;
//  - an empty list yields no events at all; the original event's other keys (meta included) are
//    not carried over unless mapped;
//  - an empty string or empty mapping at splitter_key yields no events, like an empty list (Python
//    iterates it and finds nothing);
//  - any other value at splitter_key that is not a list, an item that is not a mapping, or a path
//    pattern matching several values is always an error (ansible-rulebook fails on these too).
#include <exception>
#include <stdexcept>
#include <utility>

#include "filters/builtin.h"
#include "filters/dpath.h"

namespace rb::filters {

namespace {

constexpr std::string_view name = "event_splitter";

class event_splitter final : public event_filter {
 public:
  event_splitter(dpath_glob splitter, std::vector<std::pair<std::string, dpath_glob>> attributes,
                 value extras, bool raise_error)
      : splitter_(std::move(splitter)),
        attributes_(std::move(attributes)),
        extras_(std::move(extras)),
        raise_error_(raise_error) {}

  filter_result apply(value&& event, std::vector<value>& out) noexcept override {
    try {
      return split(event, out);
    } catch (const std::exception& e) {
      return {false, filter_message(name, e.what())};
    }
  }

 private:
  filter_result split(value& event, std::vector<value>& out) const {
    const dpath_glob::result list = splitter_.find(event);
    if (list.count == 0) {
      if (raise_error_) {
        return {false, filter_message(name, "key " + splitter_.path() + " doesn't exist")};
      }
      filter_result r;
      r.warning =
          filter_message(name, "key " + splitter_.path() + " doesn't exist, leaving event intact");
      out.push_back(std::move(event));
      return r;
    }
    if (list.count > 1) {
      return {false, filter_message(name, "splitter_key " + splitter_.path() +
                                              " matches more than one value")};
    }
    value& items = *list.found;
    const bool empty_iterable =
        (items.is_string() && items.get_ref<const std::string&>().empty()) ||
        (items.is_object() && items.empty());
    if (!items.is_array() && !empty_iterable) {
      return {false, filter_message(name, "the value at " + splitter_.path() +
                                              " is not a list: " + describe(items))};
    }
    const std::size_t count = items.is_array() ? items.size() : 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (!items[i].is_object()) {
        return {false,
                filter_message(name, "item " + std::to_string(i) + " at " + splitter_.path() +
                                         " is not a mapping: " + describe(items[i]))};
      }
    }

    // Copied out before the items are moved: a mapped path may point into the list itself.
    filter_result r;
    value added = value::object();
    for (const auto& [key, path] : attributes_) {
      const dpath_glob::result found = path.find(event);
      if (found.count == 0) {
        if (!r.warning.empty()) r.warning += "; ";
        r.warning +=
            filter_message(name, "attributes_key_map path " + path.path() + " missing, skipping");
      } else if (found.count > 1) {
        return {false, filter_message(name, "attributes_key_map path " + path.path() +
                                                " matches more than one value")};
      } else {
        added[key] = *found.found;
      }
    }
    for (auto it = extras_.begin(); it != extras_.end(); ++it) added[it.key()] = it.value();

    out.reserve(out.size() + count);
    for (std::size_t i = 0; i < count; ++i) {
      value& item = items[i];
      if (!added.empty()) {
        const bool last = i + 1 == count;
        for (auto it = added.begin(); it != added.end(); ++it) {
          if (last) {
            item[it.key()] = std::move(it.value());
          } else {
            item[it.key()] = it.value();
          }
        }
      }
      out.push_back(std::move(item));
    }
    return r;
  }

  dpath_glob splitter_;
  std::vector<std::pair<std::string, dpath_glob>> attributes_;
  value extras_;
  bool raise_error_;
};

dpath_glob compile(const filter_args& args, std::string_view arg, const std::string& path) {
  try {
    return dpath_glob(path, ".");
  } catch (const std::invalid_argument& e) {
    args.fail(arg, std::string("a valid path (") + e.what() + ")");
  }
}

}  // namespace

std::unique_ptr<event_filter> make_event_splitter(const filter_args& args) {
  const std::optional<std::string> key = args.get_string("splitter_key");
  if (!key || key->empty()) args.fail("splitter_key", "given, as a non-empty string");
  std::vector<std::pair<std::string, dpath_glob>> attributes;
  if (const value* map = args.get_object("attributes_key_map")) {
    for (auto it = map->begin(); it != map->end(); ++it) {
      if (!it->is_string()) args.fail("attributes_key_map", "a mapping of names to key paths");
      attributes.emplace_back(it.key(),
                              compile(args, "attributes_key_map", it->get<std::string>()));
    }
  }
  value extras = value::object();
  if (const value* e = args.get_object("extras")) extras = *e;
  return std::make_unique<event_splitter>(compile(args, "splitter_key", *key),
                                          std::move(attributes), std::move(extras),
                                          args.get_bool("raise_error", false));
}

}  // namespace rb::filters
