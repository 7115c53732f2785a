// may_match: can a condition that reads other events' bindings (`events.x`) hold for this
// subject, whatever those bindings turn out to be? A multi-event join asks before keeping an
// event in a partial match, so an event that fails the binding-free part of such a condition
// (`event.type == "b" and event.host == events.a.host` with type "c") is never kept.
//
// Sound, not exact: the parts that read a binding count as "could be anything", and `and`, `or`
// and `not` combine the possible outcomes; the answer is false only when no binding could make
// the condition hold.
#pragma once

#include <vector>

#include "condition/condition.h"
#include "condition/program_data.h"

namespace rb::condition {

// Per node: does it (or anything under it) read a binding (`events.`/`facts.`)?
std::vector<bool> binding_dependence(const program_data& p);

bool may_match(const program_data& p, const std::vector<bool>& dependent,
               const value& subject) noexcept;

}  // namespace rb::condition
