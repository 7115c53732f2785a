// `none`: does nothing; ansible-rulebook reports it as "noop" in audit records.
#include "actions/builtin_actions.h"

namespace rb::actions {

namespace {

class none_action final : public action {
 public:
  std::string_view audit_name() const noexcept override { return "noop"; }
  action_result run(const firing&, const value&, services&) noexcept override { return {}; }
};

}  // namespace

std::unique_ptr<action> make_none(const value&) { return std::make_unique<none_action>(); }

}  // namespace rb::actions
