// The example plugins on a real loop: counter_c (C, batches, wait hints) and ticker_cpp (C++
// helper, timerfd readiness, leadership).
#include <doctest/doctest.h>

#include "unit/sources_so/so_harness.h"

using namespace rb::sources;
using namespace rb::sources::so::test;

TEST_CASE("counter_c: emits {n: 0..limit-1} then finishes") {
  so_harness h;
  h.run_so(example_plugin("counter_c"), {{"limit", 10}});
  h.check_contract();
  CHECK(h.end == source_end::finished);
  CHECK(h.error.empty());
  REQUIRE(h.sink.events.size() == 10);
  for (int i = 0; i < 10; ++i) CHECK(h.sink.events[i] == rb::value{{"n", i}});
}

TEST_CASE("counter_c: limit 0 sends nothing; null args are {}") {
  so_harness h;
  h.run_so(example_plugin("counter_c"), {{"limit", 0}});
  h.check_contract();
  CHECK(h.end == source_end::finished);
  CHECK(h.sink.events.empty());
  CHECK(contains(so_make_error(example_plugin("counter_c"), nullptr), "'limit' is required"));
}

TEST_CASE("counter_c: back-pressure loses nothing and never puts into a full sink") {
  so_harness h(7);  // full every 7 events, in the middle of every 300-event batch
  h.run_so(example_plugin("counter_c"), {{"limit", 5000}, {"batch", 300}});
  h.check_contract();
  CHECK(h.end == source_end::finished);
  REQUIRE(h.sink.events.size() == 5000);
  for (int i = 0; i < 5000; ++i) REQUIRE(h.sink.events[i]["n"] == i);
  CHECK(h.sink.times_full >= 5000 / 7);
  CHECK(h.sink.when_ready_calls == h.sink.times_full);
}

TEST_CASE("counter_c: bad arguments are refused at load with the plugin's message") {
  const std::string so = example_plugin("counter_c");
  CHECK(so_make_error(so, rb::value::object()) == "counter_c: argument 'limit' is required");
  CHECK(so_make_error(so, {{"limit", -1}}) ==
        "counter_c: argument 'limit' must be an integer >= 0");
  CHECK(so_make_error(so, {{"limit", "x"}}) ==
        "counter_c: argument 'limit' must be an integer >= 0");
  CHECK(so_make_error(so, {{"limit", 1}, {"batch", 0}}) ==
        "counter_c: argument 'batch' must be an integer from 1 to 65536");
  CHECK(so_make_error(so, rb::value::array({1, 2})) ==
        "counter_c: the source's arguments must be a mapping, got [1,2]");
}

TEST_CASE("counter_c: interval_ms paces batches through TIMEOUT wait hints, without blocking") {
  so_harness h;
  // An interval long enough that "no pause before the first batch" (< half of it) and "paced"
  // (>= one interval, less 2 ms of the plugin's millisecond clock) cannot be mistaken for each
  // other on a slow machine; run_so's 10 s limit catches a hang.
  h.run_so(example_plugin("counter_c"), {{"limit", 3}, {"batch", 1}, {"interval_ms", 300}});
  h.check_contract();
  CHECK(h.end == source_end::finished);
  REQUIRE(h.sink.events.size() == 3);
  CHECK(h.ms_until_event(0) < 150);
  CHECK(h.ms_until_event(1) >= 298);
  CHECK(h.ms_until_event(2) >= 598);
}

TEST_CASE("counter_c: other work on the loop runs between batches") {
  so_harness h;
  int ticks = 0;
  std::function<void()> tick = [&] {
    if (++ticks < 50 && !h.end) boost::asio::post(h.io, tick);
  };
  h.make_so(example_plugin("counter_c"), {{"limit", 100000}, {"batch", 100}});
  h.start();
  boost::asio::post(h.io, tick);
  h.io.run_for(60s);  // returns when the source ends; the limit only turns a hang into a failure
  h.check_contract();
  CHECK(h.sink.events.size() == 100000);
  CHECK(ticks == 50);  // interleaved, not starved until the source ended
}

TEST_CASE("counter_c: stop() from inside put ends at once with nothing more put") {
  so_harness h;
  h.sink.on_put = [&](const rb::value&) {
    if (h.sink.events.size() == 100) h.stop();
  };
  h.run_so(example_plugin("counter_c"), {{"limit", 1000000}});
  h.check_contract();
  CHECK(h.end == source_end::stopped);
  CHECK(h.sink.events.size() == 100);
}

TEST_CASE("counter_c: stop() before start, and two sources of one library side by side") {
  so_harness h;
  h.make_so(example_plugin("counter_c"), {{"limit", 5}});
  h.stop();
  h.start();  // ignored after stop
  h.io.run_for(5s);
  h.check_contract();
  CHECK(h.end == source_end::stopped);
  CHECK(h.sink.events.empty());

  so_harness a, b;
  a.make_so(example_plugin("counter_c"), {{"limit", 3}});
  b.make_so(example_plugin("counter_c"), {{"limit", 5}});
  a.start();
  b.start();
  a.io.run_for(5s);
  b.io.run_for(5s);
  CHECK(a.sink.events.size() == 3);  // each source has its own state
  CHECK(b.sink.events.size() == 5);
}

TEST_CASE("ticker_cpp: ticks on its timerfd at the interval, then ends at limit") {
  so_harness h;
  h.run_so(example_plugin("ticker_cpp"), {{"interval", 0.03}, {"limit", 3}});
  h.check_contract();
  CHECK(h.end == source_end::finished);
  REQUIRE(h.sink.events.size() == 3);
  for (int i = 0; i < 3; ++i) CHECK(h.sink.events[i] == rb::value{{"tick", i}, {"source", "test"}});
  CHECK(h.ms_until_event(0) >= 25);
  CHECK(h.ms_until_event(2) >= 85);  // paced by the timerfd; run_so's 10 s limit catches a hang
}

TEST_CASE("ticker_cpp: bad arguments are refused by throwing in the constructor") {
  const std::string err = so_make_error(example_plugin("ticker_cpp"), {{"interval", 0}});
  CHECK(err == "ticker_cpp: argument 'interval' must be a number of seconds in (0, 86400]");
}

TEST_CASE("ticker_cpp: emits only while the leader; follows leadership changes") {
  so_harness h;
  ha_signals sig(h.io);
  sig.ha_mode = true;
  h.signals = &sig;
  h.make_so(example_plugin("ticker_cpp"), {{"interval", 0.01}});
  h.start();
  h.run_for(100ms);
  CHECK(h.sink.events.empty());  // a follower from the start: never armed

  sig.follower.clear();
  sig.leader.set();
  CHECK(h.run_until([&] { return h.sink.events.size() >= 5; }));

  sig.leader.clear();
  sig.follower.set();
  h.io.restart();
  h.io.poll();  // the notice is posted: let it land, and whatever else is ready
  const std::size_t at_demotion = h.sink.events.size();
  h.run_for(100ms);
  CHECK(h.sink.events.size() == at_demotion);  // silent while a follower

  sig.follower.clear();
  sig.leader.set();
  CHECK(h.run_until([&] { return h.sink.events.size() > at_demotion; }));  // and back
  h.stop();
  CHECK(h.run_until([&] { return h.end.has_value(); }));
  h.check_contract();
  CHECK(h.end == source_end::stopped);
}

TEST_CASE("ticker_cpp: stop() ends a source idling on its fd promptly") {
  so_harness h;
  h.make_so(example_plugin("ticker_cpp"), {{"interval", 3600}});
  h.start();
  h.io.poll();  // opens the plugin: it now waits on its fd
  const auto t0 = std::chrono::steady_clock::now();
  h.stop();
  h.run_for(60s);  // returns once the loop has no work: at once unless the fd wait outlives stop
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  h.check_contract();
  CHECK(h.end == source_end::stopped);
}
