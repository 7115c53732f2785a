// noop: passes every event through unchanged (ansible-rulebook's eda.builtin.noop).
#include "filters/builtin.h"

namespace rb::filters {

namespace {

class noop final : public event_filter {
 public:
  filter_result apply(value&& event, std::vector<value>& out) noexcept override {
    try {
      out.push_back(std::move(event));
      return {};
    } catch (const std::exception& e) {
      return {false, filter_message("noop", e.what())};
    }
  }
};

}  // namespace

std::unique_ptr<event_filter> make_noop(const filter_args&) { return std::make_unique<noop>(); }

}  // namespace rb::filters
