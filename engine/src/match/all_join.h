// all_join: the partial matches of one `all` rule. Every event that could satisfy one of the
// rule's conditions waits here, in arrival order, until it completes a firing, is consumed by
// another rule, or is older than the rule's retention (its `timeout`, else default_events_ttl).
// An event no condition could use is never stored. Facts are not stored here: they live in the
// fact store, are offered to every join, and are never consumed.
//
// A firing assigns one distinct event or fact to each condition such that every condition holds
// with the others bound under their names (`m_<i>` or the `<<` name), so a condition may read a
// name bound by an earlier or a later condition. Candidates are tried oldest first.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "match/firing.h"
#include "match/item.h"
#include "match/rule.h"

namespace rb::match {

struct join_context {
  std::span<const item_ptr> facts;  // the fact store, in assertion order
  bool consume_globally = true;     // !match_multiple_rules: a firing's events leave every rule
  time_point now;
};

class all_join {
 public:
  // Throws std::invalid_argument beyond 64 conditions.
  all_join(const rule& r, std::chrono::milliseconds retention);

  // A new event or fact for rule `rule_index`. Appends the firings it completes to `out`: at most
  // one for an event (which is then used up for this rule), every one for a fact. An event that
  // fired nothing but could still take part in a firing is kept. Returns true when `x` fired.
  bool offer(incoming& x, const join_context& ctx, std::size_t rule_index,
             std::vector<firing>& out);

  // Drops events older than the retention and those consumed elsewhere.
  void expire(time_point now) noexcept;

  std::size_t held() const noexcept { return store_.size(); }

 private:
  struct slot {
    std::string name;
    std::vector<std::size_t> refs;     // slots whose names this condition reads
    std::vector<std::size_t> readers;  // conditions that read this slot's name
    bool has_refs = false;             // reads events./facts. names (bound or not)
  };
  struct stored {
    item_ptr it;
    std::uint64_t mask;  // bit s: may satisfy condition s (program::may_match; exact without refs)
    bool dead = false;   // used up by this rule
  };
  struct pick {
    const value* data = nullptr;
    stored* entry = nullptr;         // a stored event
    const item_ptr* fact = nullptr;  // a fact
  };
  enum class outcome { keep_looking, stop };

  std::uint64_t mask_of(const value& v) const noexcept;
  bool check(std::size_t s) noexcept;
  bool ready(std::size_t c) const noexcept;
  bool eval(std::size_t c) noexcept;
  bool picked(const value* data) const noexcept;
  bool search(incoming& x, std::size_t x_slot, const join_context& ctx, std::size_t rule_index,
              std::vector<firing>& out);
  outcome complete(incoming& x, std::size_t x_slot, const join_context& ctx, std::size_t rule_index,
                   std::vector<firing>& out);
  bool expired(const stored& e, time_point now) const noexcept;
  void compact() noexcept;
  void index(stored* e) noexcept;

  const rule* rule_;
  std::chrono::milliseconds retention_;
  std::vector<slot> slots_;
  std::deque<stored> store_;  // arrival order; element addresses survive push_back/pop_front
  // Per condition, the stored events that may satisfy it, in arrival order: the search for a
  // condition visits only these (a stream of events that can never fill a condition costs
  // nothing per later event). Rebuilt by compact(), which moves the stored elements.
  std::vector<std::deque<stored*>> by_slot_;
  std::size_t dead_ = 0;
  std::vector<pick> picks_;
  std::vector<condition::binding> bound_;
  std::vector<std::vector<const value*>> fact_only_fired_;  // per fact offer: no repeats
};

}  // namespace rb::match
