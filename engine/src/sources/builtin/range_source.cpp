#include "sources/builtin/range_source.h"

#include "sources/builtin/args.h"

namespace rb::sources {

range_source::range_source(const value& args, source_env env)
    : builtin_source("range", std::move(env)) {
  const detail::arg_reader a("range", args);
  // ansible-rulebook reads args["limit"] unconditionally, so a missing limit is an error there too.
  if (!a.has("limit")) a.fail("range: argument 'limit' is required");
  limit_ = a.integer("limit", 0, 0, "a non-negative integer");
  delay_ = a.seconds("delay");
}

void range_source::step() {
  if (delay_owed_) {
    delay_owed_ = false;
    wait_then_step(delay_);
    return;
  }
  event_sink& out = sink();
  const bool delayed = delay_.count() > 0;
  for (int budget = detail::batch_size;; --budget) {
    if (next_ >= limit_) {
      finish(source_end::finished);
      return;
    }
    if (budget == 0) {
      yield_then_step();
      return;
    }
    value event(value::value_t::object);
    event.emplace("i", next_);
    ++next_;
    const bool more = out.put(std::move(event));
    if (halted()) return;  // the sink may stop us from inside put (a failing filter)
    if (!more) {
      delay_owed_ = delayed;
      when_ready_then_step();
      return;
    }
    if (delayed) {
      wait_then_step(delay_);
      return;
    }
  }
}

}  // namespace rb::sources
