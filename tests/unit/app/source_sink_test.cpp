// source_sink with HA gating: a worker that may not deliver holds the event put and makes the
// source wait until leadership comes; then the held event goes first, and the source resumes.
#include "app/source_sink.h"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

using namespace rb;

TEST_CASE("source_sink: without leadership an event is held and the source waits") {
  boost::asio::io_context io;
  app::ruleset_queue queue;
  bool leader = false;
  std::vector<std::function<void()>> waiting;
  app::source_sink::hooks h;
  h.on_enqueued = [] {};
  h.on_filter_error = [](const std::string&, const std::string&) {};
  h.may_deliver = [&] { return leader; };
  h.when_may_deliver = [&](std::function<void()> resume) { waiting.push_back(std::move(resume)); };
  app::source_sink sink(io, queue, "ticks", "range", {}, {}, std::move(h));

  CHECK_FALSE(sink.put(value{{"i", 1}}));  // held: stop producing
  CHECK(queue.events.empty());
  bool resumed = false;
  sink.when_ready([&] { resumed = true; });
  io.run();
  CHECK_FALSE(resumed);
  REQUIRE(waiting.size() == 1);

  leader = true;
  auto w = std::move(waiting);
  waiting.clear();
  for (auto& f : w) f();
  io.restart();
  io.run();
  CHECK(resumed);
  REQUIRE(queue.events.size() == 1);
  CHECK(queue.events.front().event["i"] == 1);
  CHECK(queue.events.front().event["meta"]["source"]["name"] == "ticks");
  CHECK(sink.put(value{{"i", 2}}));  // a leader delivers at once
  CHECK(queue.events.size() == 2);
}

TEST_CASE("meta waits in the queue entry unless the ruleset reads it on arrival") {
  boost::asio::io_context io;
  app::ruleset_queue queue;
  queue.meta_at_arrival = false;
  app::source_sink::hooks h;
  h.on_enqueued = [] {};
  app::source_sink sink(io, queue, "ticks", "generic", {}, {}, h);
  sink.put(value("text"));
  REQUIRE(queue.events.size() == 1);
  auto& q = queue.events.front();
  CHECK(q.event == value::parse(R"({"payload": "text"})"));  // wrapped at once, meta pending
  REQUIRE(q.meta.pending());
  CHECK(q.meta.source->name == "ticks");
  CHECK(q.meta.source->type == "generic");
  rb::render_meta(q.event, q.meta);
  CHECK_FALSE(q.meta.pending());
  CHECK(q.event["meta"]["source"]["type"] == "generic");
}
