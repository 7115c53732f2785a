// event_meta: ansible-rulebook's `meta` on every event a source produces — meta.source.name,
// meta.source.type, meta.received_at and meta.uuid, each only where absent. A non-object event
// is wrapped as {"payload": event} first. Runs once per event: the common case (no meta yet)
// builds it with exactly sized objects.
#pragma once

#include <string>

#include "core/value.h"

namespace rb::app {

void add_meta(value& event, const std::string& source_name, const std::string& source_type);

}  // namespace rb::app
