#include "sources/builtin/monitors_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <unordered_set>

#include "core/clock.h"
#include "sources/builtin/args.h"
#include "sources/builtin/monitor_schedule.h"

namespace rb::sources {

namespace monitors {

namespace {

std::string monitor_label(const std::string& name) { return "monitor '" + name + "'"; }

// Seconds as a number or a numeric string, finite and > 0, to whole milliseconds (at least 1).
bool positive_ms(const value& v, std::int64_t& ms) {
  double d = 0;
  if (v.is_number()) {
    d = v.get<double>();
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc() || end != s.data() + s.size()) return false;
  } else {
    return false;
  }
  // Capped at ~31 years, as other delays, so that slot arithmetic cannot overflow.
  if (!std::isfinite(d) || d <= 0 || d > 1e9) return false;
  ms = std::llround(d * 1000);
  return ms >= 1;
}

value seconds_value(std::int64_t ms) {
  if (ms % 1000 == 0) return value(ms / 1000);
  return value(static_cast<double>(ms) / 1000);
}

}  // namespace

std::string normalize(const value& in, monitor& out) {
  if (!in.is_object()) return "each monitor must be a mapping, got " + detail::describe(in);
  const auto field = [&](const char* key) -> const value* {
    const auto it = in.find(key);
    return it == in.end() || it->is_null() ? nullptr : &*it;
  };
  const value* name = field("name");
  if (!name || !name->is_string() || name->get_ref<const std::string&>().empty())
    return "each monitor needs a 'name' (a non-empty string), got " + detail::describe(in);
  out.name = name->get<std::string>();
  const std::string who = monitor_label(out.name);
  // The known keys first, in a fixed order (readable events), then the others as given.
  out.spec = value::object();
  value& spec = out.spec;
  spec["name"] = out.name;

  const value* url = field("url");
  if (!url || !url->is_string() || url->get_ref<const std::string&>().empty())
    return who + ": 'url' is required (a non-empty string)";
  spec["url"] = *url;

  std::string method = "GET";
  if (const value* m = field("method")) {
    if (!m->is_string() || m->get_ref<const std::string&>().empty())
      return who + ": 'method' must be a string such as GET, got " + detail::describe(*m);
    method = m->get<std::string>();
    for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  spec["method"] = method;

  value headers = value::object();
  if (const value* h = field("headers")) {
    if (!h->is_object()) return who + ": 'headers' must be a mapping, got " + detail::describe(*h);
    for (auto it = h->begin(); it != h->end(); ++it) {
      const value& v = it.value();
      if (v.is_string())
        headers[it.key()] = v;
      else if (v.is_number() || v.is_boolean())
        headers[it.key()] = v.dump();  // `X-Retries: 3` means the text "3"
      else
        return who + ": header '" + it.key() + "' must be a string, got " + detail::describe(v);
    }
  }
  spec["headers"] = std::move(headers);

  std::string body;
  if (const value* b = field("body")) {
    if (b->is_string())
      body = b->get<std::string>();
    else if (b->is_object() || b->is_array())
      body = b->dump(-1, ' ', false, value::error_handler_t::replace);  // a JSON body
    else
      return who + ": 'body' must be a string or a mapping, got " + detail::describe(*b);
  }
  spec["body"] = std::move(body);

  out.interval_ms = 60'000;
  if (const value* v = field("interval"); v && !positive_ms(*v, out.interval_ms))
    return who + ": 'interval' must be a number of seconds more than 0, got " +
           detail::describe(*v);
  std::int64_t timeout_ms = 10'000;
  if (const value* v = field("timeout"); v && !positive_ms(*v, timeout_ms))
    return who + ": 'timeout' must be a number of seconds more than 0, got " + detail::describe(*v);
  spec["interval"] = seconds_value(out.interval_ms);
  spec["timeout"] = seconds_value(timeout_ms);

  spec["expect"] = value::object();
  if (const value* e = field("expect")) {
    if (!e->is_object()) return who + ": 'expect' must be a mapping, got " + detail::describe(*e);
    spec["expect"] = *e;  // the checker's business: passed through untouched
  }
  for (auto it = in.begin(); it != in.end(); ++it)
    if (!spec.contains(it.key())) spec[it.key()] = it.value();
  out.offset_ms = slot_offset_ms(out.name, out.interval_ms);
  return {};
}

}  // namespace monitors

namespace {

std::int64_t wall_ms() { return utc_now_us() / 1000; }

// The heap's order: std::*_heap keep the greatest on top, so "greater" puts the earliest there.
struct later {
  template <class Slot>
  bool operator()(const Slot& a, const Slot& b) const {
    if (a.due_ms != b.due_ms) return a.due_ms > b.due_ms;
    return a.m->name > b.m->name;  // ties in name order: a stable, readable order
  }
};

}  // namespace

monitors_source::monitors_source(const value& args, source_env env)
    : builtin_source("monitors", std::move(env)) {
  const detail::arg_reader a("monitors", args);
  const bool by_datacenter = a.has("datacenter_id");
  const bool by_agent = a.has("agent_id");
  if (by_datacenter && by_agent) a.fail("monitors: give 'datacenter_id' or 'agent_id', not both");
  if (a.has("monitors") && (by_datacenter || by_agent))
    a.fail(
        "monitors: give 'monitors' (a list) or a database selection ('datacenter_id' or "
        "'agent_id'), not both");

  if (const value* list = a.find("monitors")) {
    if (!list->is_array()) a.fail("monitors", "a list of monitors (mappings)", *list);
    std::vector<monitor_ptr> all;
    std::unordered_set<std::string> names;
    for (const value& item : *list) {
      auto m = std::make_shared<monitors::monitor>();
      if (std::string error = monitors::normalize(item, *m); !error.empty())
        a.fail("monitors: argument 'monitors': " + error);
      if (!names.insert(m->name).second)
        a.fail("monitors: argument 'monitors': monitor name '" + m->name +
               "' is used twice (names must be unique: they place the monitor's slots)");
      all.push_back(std::move(m));
    }
    apply(std::move(all), wall_ms());
    return;
  }

  if (!by_datacenter && !by_agent)
    a.fail("monitors: argument 'monitors' (a list) or 'datacenter_id' or 'agent_id' is required");
  monitor_catalog_query q;
  q.datacenter_id = a.integer("datacenter_id", 0, 1, "a positive integer");
  q.agent_id = a.integer("agent_id", 0, 1, "a positive integer");
  q.dsn = a.string("dsn", "");
  reload_interval_ = a.seconds("reload_interval", 60);
  if (reload_interval_ < std::chrono::seconds(1))
    a.fail("reload_interval", "at least 1 second", *a.find("reload_interval"));
  const auto timeout = a.seconds("load_timeout", 10);
  if (timeout <= std::chrono::nanoseconds(0))
    a.fail("load_timeout", "more than 0 seconds", *a.find("load_timeout"));
  q.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
  catalog_what_ = by_agent ? "agent " + std::to_string(q.agent_id)
                           : "datacenter " + std::to_string(q.datacenter_id);
  if (!this->env().monitor_catalogs)
    a.fail("monitors: internal error: this engine cannot read monitors from a database");
  std::string error;
  catalog_ = this->env().monitor_catalogs(q, error);
  if (!catalog_) {
    if (q.dsn.empty() && error.empty()) error = "no 'dsn' given and no HA DSN to default to";
    a.fail("monitors: argument 'dsn': " + error);
  }
}

monitors_source::~monitors_source() = default;

void monitors_source::push(std::int64_t due_ms, monitor_ptr m) {
  heap_.push_back(slot{due_ms, std::move(m)});
  std::push_heap(heap_.begin(), heap_.end(), later{});
}

void monitors_source::restart_from(std::int64_t now_ms) {
  heap_.clear();
  for (auto& [name, s] : current_) {
    s.due_ms = monitors::next_slot_ms(now_ms, s.m->interval_ms, s.m->offset_ms);
    heap_.push_back(slot{s.due_ms, s.m});
  }
  std::make_heap(heap_.begin(), heap_.end(), later{});
}

// A lost leadership (seen on the follower flag) means the slots missed meanwhile belong to the
// term that missed them: the next term starts every monitor from its next slot after now.
void monitors_source::watch_leadership() {
  env().signals->follower.when_set([this, alive = alive_token()] {
    if (alive.expired() || halted()) return;
    restart_ = true;
    env().signals->leader.when_set([this, alive] {
      if (alive.expired() || halted()) return;
      watch_leadership();
    });
  });
}

std::chrono::nanoseconds monitors_source::wake_delay(std::int64_t now_ms) const {
  auto delay = std::chrono::nanoseconds::max();
  if (!heap_.empty())
    delay = std::chrono::milliseconds(std::max<std::int64_t>(0, heap_.front().due_ms - now_ms));
  if (catalog_ && !loading_)
    delay = std::min<std::chrono::nanoseconds>(
        delay, std::max<std::chrono::nanoseconds>(std::chrono::nanoseconds(0),
                                                  next_reload_ - std::chrono::steady_clock::now()));
  return delay;
}

void monitors_source::step() {
  if (ha_mode()) {
    if (!watching_) {
      watching_ = true;
      watch_leadership();
    }
    if (!env().signals->leader.is_set()) {
      restart_ = true;
      env().signals->leader.when_set([this, alive = alive_token()] {
        if (alive.expired() || halted()) return;
        step();
      });
      return;
    }
  }
  if (catalog_ && !loading_ && std::chrono::steady_clock::now() >= next_reload_) reload();
  if (!catalog_ && current_.empty()) {
    finish(source_end::finished);  // `monitors: []`: nothing to do, as url_check with no urls
    return;
  }
  std::int64_t now = wall_ms();
  // A stepped wall clock (an NTP step, a VM resumed) moves every slot at once: forward it would
  // replay the whole jump, backward it would stall every monitor. Start again from now instead.
  const auto steady_now = std::chrono::steady_clock::now();
  if (last_wall_ms_ != 0) {
    const std::int64_t steady_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(steady_now - last_steady_).count();
    if (const std::int64_t jump = (now - last_wall_ms_) - steady_ms; std::abs(jump) > 1000) {
      spdlog::warn(
          "source '{}' (monitors): the wall clock jumped by {:.3f} s; every monitor "
          "continues from its next slot after now",
          env().name, static_cast<double>(jump) / 1000);
      restart_ = true;
    }
  }
  last_wall_ms_ = now;
  last_steady_ = steady_now;
  if (restart_) {
    restart_ = false;
    restart_from(now);
  }
  for (int budget = detail::batch_size; !heap_.empty() && heap_.front().due_ms <= now;) {
    std::pop_heap(heap_.begin(), heap_.end(), later{});
    slot s = std::move(heap_.back());
    heap_.pop_back();
    auto it = current_.find(s.m->name);
    // Removed or replaced by a reload since this entry was pushed.
    if (it == current_.end() || it->second.m != s.m || it->second.due_ms != s.due_ms) continue;
    it->second.due_ms = s.due_ms + s.m->interval_ms;
    push(it->second.due_ms, s.m);
    value event = value::object();
    event["monitor"] = s.m->spec;
    event["scheduled_at"] = utc_iso_ms(s.due_ms * 1000);
    const bool more = sink().put(std::move(event));
    if (halted()) return;
    if (!more) {
      when_ready_then_step();
      return;
    }
    if (--budget == 0) {
      yield_then_step();
      return;
    }
    now = wall_ms();
  }
  const auto delay = wake_delay(now);
  // Nothing scheduled and nothing to reload cannot happen (an empty static list finished above).
  wait_then_step(delay == std::chrono::nanoseconds::max() ? reload_interval_ : delay);
}

void monitors_source::reload() {
  loading_ = true;
  catalog_->load([this, alive = alive_token()](value list, std::string error) {
    if (alive.expired() || halted()) return;
    on_loaded(list, error);
  });
}

void monitors_source::on_loaded(const value& list, const std::string& error) {
  loading_ = false;
  next_reload_ = std::chrono::steady_clock::now() + reload_interval_;
  if (error.empty() && !list.is_array()) {
    on_loaded(value(), "the catalog answered something other than a list");
    return;
  }
  if (!error.empty()) {
    // Keep what we have: a database hiccup must not stop the checks that are known.
    if (error != last_error_)
      spdlog::warn(
          "source '{}' (monitors): cannot load the monitors of {}: {}; keeping the {} "
          "known monitor(s), retrying in {:g} s",
          env().name, catalog_what_, error, current_.size(),
          std::chrono::duration<double>(reload_interval_).count());
    last_error_ = error;
  } else {
    if (!last_error_.empty())
      spdlog::info("source '{}' (monitors): monitors of {} loaded again", env().name,
                   catalog_what_);
    last_error_.clear();
    std::vector<monitor_ptr> all;
    std::unordered_set<std::string> names;
    for (const value& item : list) {
      auto m = std::make_shared<monitors::monitor>();
      if (std::string why = monitors::normalize(item, *m); !why.empty()) {
        spdlog::warn("source '{}' (monitors): {}: skipped: {}", env().name, catalog_what_, why);
        continue;
      }
      if (!names.insert(m->name).second) {
        spdlog::warn(
            "source '{}' (monitors): {}: monitor name '{}' is used twice; only the first "
            "is run",
            env().name, catalog_what_, m->name);
        continue;
      }
      all.push_back(std::move(m));
    }
    apply(std::move(all), wall_ms());
  }
  // A sooner slot (an added monitor) or the next reload may need an earlier wake-up.
  advance_wait(wake_delay(wall_ms()));
}

void monitors_source::apply(std::vector<monitor_ptr> list, std::int64_t now_ms) {
  std::size_t added = 0, changed = 0, removed = 0;
  std::unordered_map<std::string, scheduled> next;
  next.reserve(list.size());
  for (auto& m : list) {
    const auto old = current_.find(m->name);
    std::int64_t due = monitors::next_slot_ms(now_ms, m->interval_ms, m->offset_ms);
    if (old == current_.end()) {
      ++added;
    } else if (old->second.m->spec == m->spec) {
      next.emplace(m->name, std::move(old->second));  // unchanged: its heap entry stays live
      continue;
    } else {
      ++changed;
      // Same slots: keep the pending one (it may be late under back-pressure, never lost).
      if (old->second.m->interval_ms == m->interval_ms) due = old->second.due_ms;
    }
    push(due, m);
    next.emplace(m->name, scheduled{m, due});
  }
  for (const auto& [name, s] : current_)
    if (!next.count(name)) ++removed;
  current_ = std::move(next);
  if (env().monitors) {
    std::vector<monitor_listing> listed;
    listed.reserve(current_.size());
    for (const auto& [name, s] : current_) {
      const auto dc = s.m->spec.find("datacenter");
      listed.push_back({name, s.m->spec.value("url", ""), s.m->spec.value("method", ""),
                        static_cast<double>(s.m->interval_ms) / 1000, true,
                        dc != s.m->spec.end() && dc->is_string() ? dc->get<std::string>() : ""});
    }
    env().monitors->publish(this, std::move(listed));
  }
  if (loaded_once_ && (added || changed || removed))
    spdlog::info("source '{}' (monitors): {}: {} monitor(s): {} added, {} changed, {} removed",
                 env().name, catalog_what_, current_.size(), added, changed, removed);
  else if (catalog_ && !loaded_once_)
    spdlog::info("source '{}' (monitors): {}: {} monitor(s) loaded", env().name, catalog_what_,
                 current_.size());
  if (catalog_) loaded_once_ = true;
  // Entries of removed and replaced monitors are skipped when popped; drop them now when they
  // outnumber the live ones, so that churn cannot grow the heap.
  if (heap_.size() > 2 * current_.size() + 64) {
    std::erase_if(heap_, [this](const slot& s) {
      const auto it = current_.find(s.m->name);
      return it == current_.end() || it->second.m != s.m || it->second.due_ms != s.due_ms;
    });
    std::make_heap(heap_.begin(), heap_.end(), later{});
  }
}

}  // namespace rb::sources
