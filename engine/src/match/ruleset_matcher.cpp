#include "match/ruleset_matcher.h"

#include <stdexcept>

namespace rb::match {
namespace {

void validate(const rule& r) {
  const std::string where = "rule '" + r.name + "': ";
  switch (r.kind) {
    case rule_kind::single:
      if (r.conditions.size() != 1) throw std::invalid_argument(where + "needs one condition");
      break;
    case rule_kind::constant:
      break;
    case rule_kind::all:
    case rule_kind::any:
    case rule_kind::not_all:
      if (r.conditions.empty()) throw std::invalid_argument(where + "needs conditions");
      if (r.conditions.size() > 64) throw std::invalid_argument(where + "more than 64 conditions");
      break;
  }
  if (r.throttle && r.kind != rule_kind::single)
    throw std::invalid_argument(where + "throttle needs a single condition");
}

constexpr std::uint32_t sweep_every = 1024;

}  // namespace

ruleset_matcher::ruleset_matcher(std::vector<rule> rules, matcher_options options)
    : rules_(std::move(rules)), options_(options) {
  state_.resize(rules_.size());
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    rule& r = rules_[i];
    validate(r);
    rule_state& st = state_[i];
    for (std::size_t c = 0; c < r.conditions.size(); ++c) {
      const auto& assigned = r.conditions[c].assigned_name();
      st.names.push_back(assigned ? *assigned : "m_" + std::to_string(c));
    }
    if (!r.enabled) continue;
    switch (r.kind) {
      case rule_kind::all:
        st.join = std::make_unique<all_join>(r, r.timeout.value_or(options_.default_events_ttl));
        joins_.push_back(static_cast<std::uint32_t>(i));
        break;
      case rule_kind::not_all:
        st.window =
            std::make_unique<not_all_window>(r, r.timeout.value_or(options_.default_events_ttl));
        break;
      default:
        break;
    }
    if (r.throttle) st.thr = std::make_unique<throttle>(*r.throttle);
    for (const auto& c : r.conditions) reads_meta_ = reads_meta_ || c.reads_meta();
    if (r.throttle) {
      for (const auto& attr : r.throttle->group_by_attributes)
        reads_meta_ = reads_meta_ || attr.find("meta") != std::string::npos || attr == "event";
    }
  }
  index_ = std::make_unique<rule_index>(rules_);
  scratch_.reserve(rules_.size());
}

ruleset_matcher::~ruleset_matcher() = default;

bool ruleset_matcher::offer(std::size_t r, incoming& x, std::vector<firing>& out) {
  const rule& rl = rules_[r];
  rule_state& st = state_[r];
  const bool global = !options_.match_multiple_rules;
  switch (rl.kind) {
    case rule_kind::constant: {
      if (!rl.silent) {
        firing f(r);
        add_to(f, "m", x.hold(), rl.raw_events);
        out.push_back(std::move(f));
      }
      if (global) x.consume();
      return true;
    }
    case rule_kind::single: {
      const condition::scope sc{&x.data(), {}, nullptr};
      if (!rl.conditions[0].matches(sc)) return false;
      bool fire = true;
      if (st.thr) {
        const auto res = st.thr->offer(x);
        if (res.deadline)
          timers_.push({*res.deadline, static_cast<std::uint32_t>(r), st.thr->generation()});
        fire = res.fire;
      }
      if (fire && !rl.silent) {
        firing f(r);
        add_to(f, "m", x.hold(), rl.raw_events);
        out.push_back(std::move(f));
      }
      if (global) x.consume();
      return true;
    }
    case rule_kind::any: {
      const condition::scope sc{&x.data(), {}, nullptr};
      for (std::size_t c = 0; c < rl.conditions.size(); ++c) {
        if (!rl.conditions[c].matches(sc)) continue;
        if (!rl.silent) {
          firing f(r);
          add_to(f, st.names[c], x.hold(), rl.raw_events);
          out.push_back(std::move(f));
        }
        if (global) x.consume();
        return true;
      }
      return false;
    }
    case rule_kind::all: {
      const join_context ctx{facts_.all(), global, now_};
      return st.join->offer(x, ctx, r, out);
    }
    case rule_kind::not_all: {
      if (const auto end = st.window->offer(x, global))
        timers_.push({*end, static_cast<std::uint32_t>(r), st.window->generation()});
      return false;
    }
  }
  return false;
}

void ruleset_matcher::on_event(value&& event, time_point now, std::vector<firing>& out) noexcept {
  on_event(std::move(event), pending_meta{}, now, out);
}

void ruleset_matcher::on_event(value&& event, pending_meta meta, time_point now,
                               std::vector<firing>& out) noexcept {
  now_ = now;
  if (!timers_.empty()) run_due(now, out);
  if (++since_sweep_ >= sweep_every) sweep(now);
  incoming x(event, meta, now);
  for (const std::uint32_t r : index_->candidates(x.data(), scratch_)) {
    if (offer(r, x, out) && !options_.match_multiple_rules) break;
  }
}

void ruleset_matcher::assert_fact(value&& fact, time_point now, std::vector<firing>& out) noexcept {
  assert_fact(std::move(fact), pending_meta{}, now, out);
}

void ruleset_matcher::assert_fact(value&& fact, pending_meta meta, time_point now,
                                  std::vector<firing>& out) noexcept {
  now_ = now;
  if (!timers_.empty()) run_due(now, out);
  incoming x(facts_.assert_fact(std::move(fact), meta, now));
  for (const std::uint32_t r : index_->candidates(x.data(), scratch_)) offer(r, x, out);
}

std::size_t ruleset_matcher::retract_fact(const value& fact, bool partial) noexcept {
  return facts_.retract(fact, partial);
}

bool ruleset_matcher::live(const timer& t) const noexcept {
  const rule_state& st = state_[t.rule];
  if (st.window) return st.window->generation() == t.generation;
  if (st.thr) return st.thr->generation() == t.generation;
  return false;
}

std::optional<time_point> ruleset_matcher::next_deadline() const noexcept {
  while (!timers_.empty() && !live(timers_.top())) timers_.pop();
  if (timers_.empty()) return std::nullopt;
  return timers_.top().at;
}

void ruleset_matcher::run_due(time_point now, std::vector<firing>& out) {
  while (!timers_.empty() && timers_.top().at <= now) {
    const timer t = timers_.top();
    timers_.pop();
    rule_state& st = state_[t.rule];
    if (st.window) {
      st.window->on_deadline(t.generation, now, !options_.match_multiple_rules, t.rule, out);
    } else if (st.thr) {
      st.thr->on_deadline(t.generation, now, t.rule, out, m_names_);
    }
  }
}

void ruleset_matcher::on_time(time_point now, std::vector<firing>& out) noexcept {
  now_ = now;
  run_due(now, out);
  sweep(now);
}

void ruleset_matcher::sweep(time_point now) noexcept {
  since_sweep_ = 0;
  for (const std::uint32_t r : joins_) state_[r].join->expire(now);
}

std::vector<event_ptr> ruleset_matcher::facts() const {
  std::vector<event_ptr> out;
  out.reserve(facts_.size());
  for (const auto& f : facts_.all())
    if (!f->retracted) out.push_back(view(f));
  return out;
}

std::size_t ruleset_matcher::held() const noexcept {
  std::size_t n = 0;
  for (const auto& st : state_) {
    if (st.join) n += st.join->held();
    if (st.window) n += st.window->held();
    if (st.thr) n += st.thr->held();
  }
  return n;
}

void ruleset_matcher::on_throttle_change(const throttle_change_fn& changed) {
  for (std::size_t r = 0; r < state_.size(); ++r) {
    if (!state_[r].thr) continue;
    state_[r].thr->on_change([changed, r](const std::string& group, long count, time_point end) {
      changed(r, group, count, end);
    });
  }
}

void ruleset_matcher::restore_throttle(std::size_t rule, const std::string& group, long count,
                                       time_point end) {
  if (rule < state_.size() && state_[rule].thr) state_[rule].thr->restore(group, count, end);
}

}  // namespace rb::match
