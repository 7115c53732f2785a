#include "match/throttle.h"

#include <algorithm>
#include <stdexcept>

namespace rb::match {

throttle::throttle(const throttle_spec& spec) : spec_(spec) {
  for (const auto& attr : spec_.group_by_attributes) {
    auto compiled = condition::compile_expression(attr);
    if (auto* err = std::get_if<condition::error>(&compiled))
      throw std::invalid_argument("throttle: group_by_attributes '" + attr + "': " + err->message);
    attributes_.push_back(std::move(std::get<condition::expression>(compiled)));
  }
  if (spec_.threshold < 1) spec_.threshold = 1;
}

// The values of the group_by attributes, each as JSON (an undefined one as `~`): equal groups
// give equal keys, and `1` and `"1"` stay apart.
std::string throttle::group_key(const value& v) const {
  std::string key;
  const condition::scope sc{&v, {}, nullptr};
  for (const auto& attr : attributes_) {
    const auto got = attr.evaluate(sc);
    key += got ? got->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) : "~";
    key += '\x1f';
  }
  return key;
}

// Forget ended windows once the tables have doubled since the last sweep: memory follows the
// groups active within a window, not the groups ever seen.
void throttle::sweep(time_point now) {
  if (quiet_until_.size() + tallies_.size() < sweep_at_) return;
  std::erase_if(quiet_until_, [&](const auto& kv) { return kv.second <= now; });
  std::erase_if(tallies_, [&](const auto& kv) { return kv.second.end <= now; });
  sweep_at_ = std::max<std::size_t>(64, 2 * (quiet_until_.size() + tallies_.size()));
}

throttle::result throttle::offer(incoming& x) {
  const time_point now = x.now();
  result r;
  std::string key = group_key(x.data());
  switch (spec_.type) {
    case throttle_spec::kind::once_within: {
      sweep(now);
      auto [it, inserted] = quiet_until_.try_emplace(std::move(key), now + spec_.window);
      if (inserted || it->second <= now) {
        it->second = now + spec_.window;
        r.fire = true;
        if (changed_) changed_(it->first, 1, it->second);
      }
      break;
    }
    case throttle_spec::kind::accumulate_within: {
      sweep(now);
      auto [it, inserted] = tallies_.try_emplace(std::move(key));
      if (inserted || it->second.end <= now) it->second = {0, now + spec_.window};
      if (++it->second.count >= spec_.threshold) {
        if (changed_) changed_(it->first, 0, now);
        tallies_.erase(it);
        r.fire = true;
      } else if (changed_) {
        changed_(it->first, it->second.count, it->second.end);
      }
      break;
    }
    case throttle_spec::kind::once_after: {
      if (!open_) {
        open_ = true;
        end_ = now + spec_.window;
        ++generation_;
        r.deadline = end_;
      }
      if (kept_groups_.insert(std::move(key)).second) kept_.push_back(x.hold());
      break;
    }
  }
  return r;
}

void throttle::on_deadline(std::uint64_t generation, time_point now, std::size_t rule_index,
                           std::vector<firing>& out, index_names& names) {
  if (!open_ || generation != generation_ || now < end_) return;
  firing f(rule_index);
  if (kept_.size() == 1) {
    f.add("m", view(kept_[0]));
  } else {
    for (std::size_t i = 0; i < kept_.size(); ++i) f.add(names[i], view(kept_[i]));
  }
  if (!kept_.empty()) out.push_back(std::move(f));
  kept_.clear();
  kept_groups_.clear();
  open_ = false;
  ++generation_;
}

void throttle::restore(const std::string& group, long count, time_point end) {
  if (spec_.type == throttle_spec::kind::once_within) {
    if (count > 0)
      quiet_until_[group] = end;
    else
      quiet_until_.erase(group);
  } else if (spec_.type == throttle_spec::kind::accumulate_within) {
    if (count > 0)
      tallies_[group] = {count, end};
    else
      tallies_.erase(group);
  }
}

std::size_t throttle::held() const noexcept {
  return quiet_until_.size() + tallies_.size() + kept_.size();
}

}  // namespace rb::match
