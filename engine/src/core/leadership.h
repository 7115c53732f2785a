// leadership: what the rest of the engine may know about high availability, without including
// ha/. Sources, the dispatcher and the stores ask `trusted_now()` before they act or write; the
// epoch and term token stamp fenced writes and audit records. Without HA there is no leadership
// object at all (a null pointer), and everything acts.
//
// trusted_now() is cheap (one atomic load and one monotonic clock reading) and safe from any
// thread. It turns false on its own when the leader's lease runs out, even if nobody told the
// engine yet (a frozen or cut-off process finds its lease expired the moment it runs again).
#pragma once

#include <cstdint>
#include <string>

namespace rb {

struct leadership_term {
  std::int64_t epoch = 0;  // bumped by every acquisition; 0: never led
  std::string token;       // random per acquisition: tells two terms of one epoch number apart
};

class leadership {
 public:
  virtual ~leadership() = default;
  virtual bool trusted_now() const noexcept = 0;
  // The current (or last) term; read on the event loop.
  virtual leadership_term term() const = 0;
  virtual const std::string& worker_id() const noexcept = 0;
};

}  // namespace rb
