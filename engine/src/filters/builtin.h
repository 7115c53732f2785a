// builtin: internal to the filters module. Argument checking shared by the built-in filters, and
// one factory per filter (each in its own file), called by make_builtin_filter in registry.cpp.
// Every factory throws filter_error("<filter>: ...") for a bad or unknown argument.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "filters/filter.h"

namespace rb::filters {

// A filter's argument mapping, checked against the names the filter accepts (ansible-rulebook
// passes them as keyword arguments, so an unknown one is a TypeError there). Accessors throw
// filter_error naming the filter and the argument.
class filter_args {
 public:
  filter_args(std::string_view filter, const value& args,
              const std::vector<std::string_view>& allowed);

  // Given at all (even as null).
  bool present(std::string_view name) const { return find(name) != nullptr; }
  // Present and not null.
  bool has(std::string_view name) const;
  // A YAML null counts as false, as Python's truthiness of None does in ansible-rulebook.
  bool get_bool(std::string_view name, bool fallback) const;
  // nullopt when absent or null.
  std::optional<std::string> get_string(std::string_view name) const;
  // Empty when absent or null.
  std::vector<std::string> get_string_list(std::string_view name) const;
  // nullptr when absent or null; otherwise must be a mapping.
  const value* get_object(std::string_view name) const;

  [[noreturn]] void fail(std::string_view name, std::string_view must) const;
  const std::string& filter() const { return filter_; }

 private:
  const value* find(std::string_view name) const;

  std::string filter_;
  const value* args_ = nullptr;  // an object, or nullptr for none
};

// "<filter>: <what>" prefixing for messages returned from apply().
std::string filter_message(std::string_view filter, std::string_view what);

// A value as text for messages, never throwing on odd UTF-8.
std::string describe(const value& v);

std::unique_ptr<event_filter> make_json_filter(const filter_args& args);
std::unique_ptr<event_filter> make_dashes_to_underscores(const filter_args& args);
std::unique_ptr<event_filter> make_normalize_keys(const filter_args& args);
std::unique_ptr<event_filter> make_insert_hosts_to_meta(const filter_args& args);
std::unique_ptr<event_filter> make_event_splitter(const filter_args& args);
std::unique_ptr<event_filter> make_noop(const filter_args& args);

}  // namespace rb::filters
