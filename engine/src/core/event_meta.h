// event_meta: ansible-rulebook's `meta` on every event a source produces — meta.source.name,
// meta.source.type, meta.received_at and meta.uuid, each only where absent.
//
// Most events never leave the engine (no rule fires on them) and most rules never read meta, so
// meta is taken when the event arrives (pending_meta: 16 bytes) and written into the event only
// when something shows it (a firing, --print-events) or a rule of its ruleset reads it. The
// text is the same whenever and wherever it is written: the uuid comes from the event's sequence
// number (uuid4_for), so an audit record written from the pending meta and a later rendering agree.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/value.h"

namespace rb {

// The name and type a source's events carry.
struct event_source {
  std::string name;
  std::string type;
  std::string json;  // {"name":...,"type":...}, written once
};

// The one event_source for (name, type), alive until the process ends: events keep a pointer.
const event_source* intern_event_source(std::string_view name, std::string_view type);

struct pending_meta {
  const event_source* source = nullptr;  // null: nothing pending
  std::int64_t received_us = 0;          // system clock, microseconds since the epoch
  std::uint64_t sequence = 0;            // the event's number in this process: its uuid
  bool pending() const noexcept { return source != nullptr; }
};

// The meta of an event arriving now from `source`.
pending_meta meta_now(const event_source* source) noexcept;

// A non-object event becomes {"payload": event}, as in ansible-rulebook; done on arrival, before
// any rule sees the event.
void wrap_payload(value& event);

// Writes `m` into `event` (an object) where absent, then clears `m`. Nothing when not pending.
void render_meta(value& event, pending_meta& m);

// wrap_payload, then the meta of now, rendered at once.
void add_meta(value& event, const event_source* source);

// Appends `event` as JSON (json_text.h) with `m` written in, as render_meta would, without
// changing the event. `m` may be null or not pending: the event as it is.
void append_event_json(std::string& out, const value& event, const pending_meta* m);

}  // namespace rb
