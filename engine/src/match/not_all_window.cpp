#include "match/not_all_window.h"

namespace rb::match {

not_all_window::not_all_window(const rule& r, std::chrono::milliseconds timeout)
    : rule_(&r), timeout_(timeout) {
  for (std::size_t i = 0; i < r.conditions.size(); ++i) {
    const auto& assigned = r.conditions[i].assigned_name();
    names_.push_back(assigned ? *assigned : "m_" + std::to_string(i));
  }
  seen_.resize(r.conditions.size());
  bound_.reserve(r.conditions.size());
}

std::optional<time_point> not_all_window::offer(incoming& x, bool consume_globally) {
  bound_.clear();
  for (std::size_t i = 0; i < seen_.size(); ++i)
    if (seen_[i]) bound_.emplace_back(names_[i], &seen_[i]->data);
  for (std::size_t i = 0; i < seen_.size(); ++i) {
    if (seen_[i]) continue;
    const condition::scope sc{&x.data(), bound_, nullptr};
    if (!rule_->conditions[i].matches(sc)) continue;
    seen_[i] = x.hold();
    ++seen_count_;
    std::optional<time_point> opened;
    if (!open_) {
      open_ = true;
      first_ = i;
      end_ = x.now() + timeout_;
      ++generation_;
      opened = end_;
    }
    if (seen_count_ == seen_.size()) reset(consume_globally);  // all came in time: no firing
    return opened;
  }
  return std::nullopt;
}

void not_all_window::on_deadline(std::uint64_t generation, time_point now, bool consume_globally,
                                 std::size_t rule_index, std::vector<firing>& out) {
  if (!open_ || generation != generation_ || now < end_) return;
  firing f(rule_index);
  f.add(names_[first_], view(seen_[first_]));
  out.push_back(std::move(f));
  reset(consume_globally);
}

void not_all_window::reset(bool consume_globally) noexcept {
  for (auto& it : seen_) {
    if (it && consume_globally && !it->fact) it->consumed = true;
    it.reset();
  }
  seen_count_ = 0;
  open_ = false;
  ++generation_;
}

std::size_t not_all_window::held() const noexcept { return seen_count_; }

}  // namespace rb::match
