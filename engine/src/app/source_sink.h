// source_sink: where one source's events go — its filter chain, then meta (core/event_meta.h:
// written at once only when the ruleset reads it), then its ruleset's bounded queue. put() answers
// false once the queue holds `capacity` events; the source then waits in when_ready() until the
// engine drains below it (back-pressure: nothing is dropped). A filter that fails stops the chain
// for that event and is reported through on_filter_error; filter warnings are logged. With HA, a
// worker that is not the trusted leader delivers nothing: the event put is held and the source
// waits until leadership comes.
#pragma once

#include <boost/asio/io_context.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/event_meta.h"
#include "core/metrics.h"
#include "core/value.h"
#include "filters/filter.h"
#include "sources/source.h"

namespace rb::app {

// A ruleset's queue of events waiting for its matcher, and the sources paused on it.
struct queued_event {
  value event;
  pending_meta meta;  // not pending when written into `event` already
};

struct ruleset_queue {
  static constexpr std::size_t capacity = 1024;
  std::deque<queued_event> events;
  // Write meta into each event on arrival (a rule reads meta, or events are printed); otherwise
  // it is written when the event leaves the matcher in a firing.
  bool meta_at_arrival = true;
  std::vector<std::function<void()>> waiting_producers;
  bool has_room() const noexcept { return events.size() < capacity; }
};

class source_sink final : public sources::event_sink {
 public:
  struct hooks {
    std::function<void()> on_enqueued;  // the engine schedules a drain
    std::function<void(const std::string& filter, const std::string& error)> on_filter_error;
    // HA: events are delivered only while this answers true; otherwise put() holds the event and
    // the source waits (when_ready) until when_may_deliver calls back. Unset without HA.
    std::function<bool()> may_deliver;
    std::function<void(std::function<void()>)> when_may_deliver;
    metric_counter* received = nullptr;  // every event put, before filters
  };

  source_sink(boost::asio::io_context& io, ruleset_queue& queue, std::string name, std::string type,
              std::vector<std::unique_ptr<filters::event_filter>> filter_chain,
              std::vector<std::string> filter_names, hooks h);

  bool put(value&& event) override;
  void when_ready(std::function<void()> resume) override;
  bool ready() const override;

 private:
  bool deliver(value&& event);
  void enqueue(value&& event);

  boost::asio::io_context& io_;
  ruleset_queue& queue_;
  std::string name_;
  const event_source* source_;
  std::vector<std::unique_ptr<filters::event_filter>> filters_;
  std::vector<std::string> filter_names_;
  hooks hooks_;
  std::vector<value> current_, next_;  // filter scratch, reused
  std::vector<value> held_;            // put while not allowed to deliver (HA follower)
};

}  // namespace rb::app
