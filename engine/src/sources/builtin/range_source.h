// range: emits {"i": 0}, {"i": 1}, ... {"i": limit-1}, as ansible-rulebook's range plugin.
//
// Arguments: `limit` (required, non-negative integer), `delay` (seconds, default 0) waited after
// every event, the last one included, before the source finishes. With no delay it produces in a
// tight loop until the sink is full, yielding to the loop every batch_size events.
#pragma once

#include <chrono>
#include <cstdint>

#include "sources/builtin/builtin_source.h"

namespace rb::sources {

class range_source final : public detail::builtin_source {
 public:
  // Throws source_error for bad arguments.
  range_source(const value& args, source_env env);

 private:
  void step() override;

  std::int64_t limit_ = 0;
  std::int64_t next_ = 0;
  std::chrono::nanoseconds delay_{0};
  // The delay after the last event is still owed (the sink was full when it was put).
  bool delay_owed_ = false;
};

}  // namespace rb::sources
