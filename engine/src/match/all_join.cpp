#include "match/all_join.h"

#include <algorithm>
#include <stdexcept>

namespace rb::match {

all_join::all_join(const rule& r, std::chrono::milliseconds retention)
    : rule_(&r), retention_(retention) {
  const std::size_t n = r.conditions.size();
  if (n == 0 || n > 64)
    throw std::invalid_argument("rule '" + r.name + "': 'all' needs 1 to 64 conditions");
  slots_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& assigned = r.conditions[i].assigned_name();
    slots_[i].name = assigned ? *assigned : "m_" + std::to_string(i);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const auto& names = r.conditions[i].referenced_names();
    slots_[i].has_refs = !names.empty();
    for (const auto& name : names) {
      // The last condition assigning a name wins, as a later binding would shadow an earlier.
      for (std::size_t j = n; j-- > 0;) {
        if (slots_[j].name == name) {
          slots_[i].refs.push_back(j);
          slots_[j].readers.push_back(i);
          break;
        }
      }
    }
  }
  picks_.resize(n);
  bound_.reserve(n);
  by_slot_.resize(n);
}

void all_join::index(stored* e) noexcept {
  for (std::size_t s = 0; s < slots_.size(); ++s)
    if (e->mask & (std::uint64_t{1} << s)) by_slot_[s].push_back(e);
}

std::uint64_t all_join::mask_of(const value& v) const noexcept {
  std::uint64_t mask = 0;
  for (std::size_t s = 0; s < slots_.size(); ++s)
    if (rule_->conditions[s].may_match(v)) mask |= std::uint64_t{1} << s;
  return mask;
}

bool all_join::ready(std::size_t c) const noexcept {
  if (!picks_[c].data) return false;
  for (std::size_t r : slots_[c].refs)
    if (!picks_[r].data) return false;
  return true;
}

bool all_join::eval(std::size_t c) noexcept {
  bound_.clear();
  for (std::size_t j = 0; j < slots_.size(); ++j)
    if (picks_[j].data) bound_.emplace_back(slots_[j].name, picks_[j].data);
  const condition::scope sc{picks_[c].data, bound_, nullptr};
  return rule_->conditions[c].matches(sc);
}

// Called after slot `s` got its pick: every condition that just became decidable must hold.
// Conditions without references were decided when their candidate was chosen.
bool all_join::check(std::size_t s) noexcept {
  if (slots_[s].has_refs && ready(s) && !eval(s)) return false;
  for (std::size_t c : slots_[s].readers)
    if (c != s && ready(c) && !eval(c)) return false;
  return true;
}

bool all_join::picked(const value* data) const noexcept {
  for (const auto& p : picks_)
    if (p.data == data) return true;
  return false;
}

bool all_join::expired(const stored& e, time_point now) const noexcept {
  return e.it->arrived + retention_ <= now;
}

bool all_join::search(incoming& x, std::size_t x_slot, const join_context& ctx,
                      std::size_t rule_index, std::vector<firing>& out) {
  std::size_t s = 0;
  while (s < slots_.size() && picks_[s].data) ++s;
  if (s == slots_.size()) return complete(x, x_slot, ctx, rule_index, out) == outcome::stop;

  for (stored* entry : by_slot_[s]) {
    stored& e = *entry;
    if (e.dead) continue;
    if (e.it->consumed) {
      e.dead = true;
      ++dead_;
      continue;
    }
    if (expired(e, ctx.now) || picked(&e.it->data)) continue;
    picks_[s] = {&e.it->data, &e, nullptr};
    if (check(s) && search(x, x_slot, ctx, rule_index, out)) {
      picks_[s] = {};
      return true;
    }
    picks_[s] = {};
  }
  for (const auto& f : ctx.facts) {
    if (f->retracted || picked(&f->data)) continue;
    if (!rule_->conditions[s].may_match(f->data)) continue;
    picks_[s] = {&f->data, nullptr, &f};
    if (check(s) && search(x, x_slot, ctx, rule_index, out)) {
      picks_[s] = {};
      return true;
    }
    picks_[s] = {};
  }
  return false;
}

all_join::outcome all_join::complete(incoming& x, std::size_t x_slot, const join_context& ctx,
                                     std::size_t rule_index, std::vector<firing>& out) {
  bool has_events = !x.is_fact();
  for (const auto& p : picks_)
    if (p.entry) has_events = true;
  if (!has_events) {
    // Facts are never used up, so the same facts would complete again: fire each set once.
    std::vector<const value*> key;
    key.reserve(picks_.size());
    for (const auto& p : picks_) key.push_back(p.data);
    if (std::find(fact_only_fired_.begin(), fact_only_fired_.end(), key) != fact_only_fired_.end())
      return outcome::keep_looking;
    fact_only_fired_.push_back(std::move(key));
  }

  firing f(rule_index);
  for (std::size_t s = 0; s < slots_.size(); ++s) {
    const pick& p = picks_[s];
    if (s == x_slot) {
      f.add(slots_[s].name, view(x.hold()));
    } else if (p.entry) {
      f.add(slots_[s].name, view(p.entry->it));
      p.entry->dead = true;
      ++dead_;
      if (ctx.consume_globally) p.entry->it->consumed = true;
    } else {
      f.add(slots_[s].name, view(*p.fact));
    }
  }
  if (ctx.consume_globally) x.consume();
  out.push_back(std::move(f));
  return has_events ? outcome::stop : outcome::keep_looking;
}

bool all_join::offer(incoming& x, const join_context& ctx, std::size_t rule_index,
                     std::vector<firing>& out) {
  expire(ctx.now);
  const std::uint64_t mask = mask_of(x.data());
  if (mask == 0) return false;

  bool fired = false;
  if (!x.is_fact()) {
    for (std::size_t s = 0; s < slots_.size() && !fired; ++s) {
      if (!(mask & (std::uint64_t{1} << s))) continue;
      picks_[s] = {&x.data(), nullptr, nullptr};
      if (check(s)) fired = search(x, s, ctx, rule_index, out);
      picks_[s] = {};
    }
    if (fired) {
      expire(ctx.now);  // the used-up events may be at the front
    } else {
      store_.push_back({x.hold(), mask, false});
      index(&store_.back());
    }
    return fired;
  }

  // A fact may complete many firings, each using up different events: after each one that used
  // events, look again from the start (the search's earlier picks may be gone).
  fact_only_fired_.clear();
  const std::size_t before = out.size();
  for (bool again = true; again;) {
    again = false;
    for (std::size_t s = 0; s < slots_.size() && !again; ++s) {
      if (!(mask & (std::uint64_t{1} << s))) continue;
      picks_[s] = {&x.data(), nullptr, nullptr};
      if (check(s)) again = search(x, s, ctx, rule_index, out);
      picks_[s] = {};
    }
  }
  fact_only_fired_.clear();
  expire(ctx.now);
  return out.size() != before;
}

void all_join::expire(time_point now) noexcept {
  while (!store_.empty()) {
    const stored& e = store_.front();
    if (e.dead) {
      if (dead_ > 0) --dead_;
    } else if (!e.it->consumed && !expired(e, now)) {
      break;
    }
    // The oldest stored event is at the front of every list it is in.
    for (auto& list : by_slot_)
      if (!list.empty() && list.front() == &store_.front()) list.pop_front();
    store_.pop_front();
  }
  if (dead_ > 64 && dead_ * 2 > store_.size()) compact();
}

// Used-up events behind a long-lived one would otherwise stay until it expires.
void all_join::compact() noexcept {
  std::erase_if(store_, [](const stored& e) { return e.dead || e.it->consumed; });
  dead_ = 0;
  for (auto& list : by_slot_) list.clear();
  for (auto& e : store_) index(&e);
}

}  // namespace rb::match
