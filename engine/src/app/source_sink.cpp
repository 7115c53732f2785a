#include "app/source_sink.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

namespace rb::app {

source_sink::source_sink(boost::asio::io_context& io, ruleset_queue& queue, std::string name,
                         std::string type,
                         std::vector<std::unique_ptr<filters::event_filter>> filter_chain,
                         std::vector<std::string> filter_names, hooks h)
    : io_(io),
      queue_(queue),
      name_(std::move(name)),
      source_(intern_event_source(name_, type)),
      filters_(std::move(filter_chain)),
      filter_names_(std::move(filter_names)),
      hooks_(std::move(h)) {}

bool source_sink::put(value&& event) {
  if (hooks_.received) hooks_.received->inc();
  if (hooks_.may_deliver && !hooks_.may_deliver()) {
    held_.push_back(std::move(event));
    return false;
  }
  return deliver(std::move(event));
}

bool source_sink::deliver(value&& event) {
  if (filters_.empty()) {
    enqueue(std::move(event));
    return queue_.has_room();
  }
  current_.clear();
  current_.push_back(std::move(event));
  for (std::size_t f = 0; f < filters_.size() && !current_.empty(); ++f) {
    next_.clear();
    for (auto& ev : current_) {
      const filters::filter_result r = filters_[f]->apply(std::move(ev), next_);
      if (!r.ok) {
        current_.clear();
        next_.clear();
        hooks_.on_filter_error(filter_names_[f], r.error);
        return false;
      }
      if (!r.warning.empty())
        spdlog::warn("source '{}': filter '{}': {}", name_, filter_names_[f], r.warning);
    }
    std::swap(current_, next_);
  }
  for (auto& ev : current_) enqueue(std::move(ev));
  current_.clear();
  return queue_.has_room();
}

bool source_sink::ready() const {
  return held_.empty() && queue_.has_room() && (!hooks_.may_deliver || hooks_.may_deliver());
}

void source_sink::when_ready(std::function<void()> resume) {
  if (hooks_.may_deliver && (!held_.empty() || !hooks_.may_deliver())) {
    hooks_.when_may_deliver([this, resume = std::move(resume)]() mutable {
      if (!hooks_.may_deliver()) {
        when_ready(std::move(resume));
        return;
      }
      auto held = std::move(held_);
      held_.clear();
      for (auto& e : held) deliver(std::move(e));
      when_ready(std::move(resume));
    });
    return;
  }
  if (queue_.has_room()) {
    boost::asio::post(io_, std::move(resume));
  } else {
    queue_.waiting_producers.push_back(std::move(resume));
  }
}

void source_sink::enqueue(value&& event) {
  wrap_payload(event);
  pending_meta meta = meta_now(source_);
  if (queue_.meta_at_arrival) render_meta(event, meta);
  queue_.events.push_back({std::move(event), meta});
  hooks_.on_enqueued();
}

}  // namespace rb::app
