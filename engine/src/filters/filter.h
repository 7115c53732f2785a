// filter: event filters, applied to each event a source emits before it reaches the ruleset
// (ansible-rulebook's `filters:` list on a source entry). A filter may change the event, drop it
// or split it into several. Filters are created at start-up (bad arguments throw filter_error);
// apply() never throws.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/value.h"

namespace rb::filters {

struct filter_result {
  filter_result() = default;
  // Lets `filter_result{false, "json_filter: ..."}` name only what matters.
  filter_result(bool ok_, std::string error_ = {}, std::string warning_ = {})
      : ok(ok_), error(std::move(error_)), warning(std::move(warning_)) {}

  bool ok = true;
  std::string error;    // when !ok: the filter was told to raise (e.g. raise_error: true), or
                        // ansible-rulebook's filter would raise whatever its flags (a bad value);
                        // nothing was appended to `out`
  std::string warning;  // when ok: what ansible-rulebook would log (e.g. log_error: true); the
                        // events in `out` are still good
};

class event_filter {
 public:
  virtual ~event_filter() = default;
  // Consumes `event` and appends zero or more resulting events to `out`.
  virtual filter_result apply(value&& event, std::vector<value>& out) noexcept = 0;
};

struct filter_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The short name ("json_filter") for any accepted spelling (`json_filter`,
// `eda.builtin.json_filter`, `ansible.eda.json_filter`), or "" when not built in.
std::string builtin_filter_name(std::string_view name);

// Creates a built-in filter. Throws filter_error naming the filter and the bad argument.
std::unique_ptr<event_filter> make_builtin_filter(std::string_view name, const value& args);

}  // namespace rb::filters
