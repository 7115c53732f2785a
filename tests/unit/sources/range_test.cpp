#include <doctest/doctest.h>

#include <boost/asio/steady_timer.hpp>

#include "source_harness.h"

using rb::value;
using namespace rb::sources;
using namespace rb::sources::test;

namespace {

void check_sequence(const std::vector<value>& events, std::int64_t limit) {
  REQUIRE(events.size() == static_cast<std::size_t>(limit));
  for (std::int64_t i = 0; i < limit; ++i) {
    CHECK(events[i] == value{{"i", i}});
    if (events[i] != value{{"i", i}}) break;  // one failure is enough to read
  }
}

}  // namespace

TEST_CASE("range: emits {\"i\": n} for n in [0, limit) in order, then finishes") {
  harness h;
  h.run("range", {{"limit", 5}});
  check_sequence(h.sink.events, 5);
  CHECK(h.end == source_end::finished);
  CHECK(h.error.empty());
  h.check_contract();
}

TEST_CASE("range: limit 0 emits nothing and finishes") {
  harness h;
  h.run("range", {{"limit", 0}});
  CHECK(h.sink.events.empty());
  CHECK(h.end == source_end::finished);
  h.check_contract();
}

TEST_CASE("range: numbers written as strings or whole floats work like Python int()") {
  for (const value& limit : {value("3"), value(" 3 "), value("+3"), value(3.0), value("0_3")}) {
    CAPTURE(limit.dump());
    harness h;
    h.run("range", {{"limit", limit}});
    check_sequence(h.sink.events, 3);
  }
  harness h;
  h.run("range", {{"limit", 2}, {"delay", "0.01"}});
  check_sequence(h.sink.events, 2);
}

TEST_CASE("range: bad arguments are load errors naming the argument") {
  CHECK(make_error("range", {{"limit", "abc"}}) ==
        "range: argument 'limit' must be a non-negative integer, got \"abc\"");
  CHECK(make_error("range", {{"limit", -1}}) ==
        "range: argument 'limit' must be a non-negative integer, got -1");
  CHECK(make_error("range", {{"limit", 2.5}}) ==
        "range: argument 'limit' must be a non-negative integer, got 2.5");
  CHECK(make_error("range", {{"limit", true}}) ==
        "range: argument 'limit' must be a non-negative integer, got true");
  CHECK(make_error("range", {{"limit", "3.0"}}) ==
        "range: argument 'limit' must be a non-negative integer, got \"3.0\"");
  CHECK(make_error("range", {{"limit", "99999999999999999999"}}) ==
        "range: argument 'limit' must be a non-negative integer, got \"99999999999999999999\"");
  CHECK(make_error("range", value::object()) == "range: argument 'limit' is required");
  CHECK(make_error("range", nullptr) == "range: argument 'limit' is required");
  CHECK(make_error("range", value::array({1})) == "range: arguments must be a mapping, got [1]");
  CHECK(make_error("range", {{"limit", 1}, {"delay", -1}}) ==
        "range: argument 'delay' must be a non-negative number of seconds, got -1");
  CHECK(make_error("range", {{"limit", 1}, {"delay", "soon"}}) ==
        "range: argument 'delay' must be a non-negative number of seconds, got \"soon\"");
  CHECK(make_error("range", {{"limit", 1}, {"delay", "0x10"}}) ==
        "range: argument 'delay' must be a non-negative number of seconds, got \"0x10\"");
  // Unknown arguments are ignored, as ansible-rulebook ignores them.
  CHECK(make_error("range", {{"limit", 1}, {"colour", "blue"}}).empty());
}

TEST_CASE("range: delay waits on a timer after every event, the last one included") {
  harness h;
  h.run("range", {{"limit", 3}, {"delay", 0.02}});
  check_sequence(h.sink.events, 3);
  CHECK(h.ms_until_event(1) >= 19.0);
  CHECK(h.ms_until_event(2) >= 39.0);
  CHECK(h.elapsed_ms() >= 59.0);
  CHECK(h.end == source_end::finished);
  h.check_contract();
}

TEST_CASE("range: a delay never blocks the loop; two delayed sources interleave") {
  boost::asio::io_context io;
  recording_sink sink(io, 1u << 20);
  int done = 0;
  auto env = [&] {
    source_env e;
    e.io = &io;
    e.sink = &sink;
    e.done = [&](source_end, const std::string&) { ++done; };
    return e;
  };
  auto a = make_builtin("range", {{"limit", 3}, {"delay", 0.03}}, env());
  auto b = make_builtin("range", {{"limit", 3}, {"delay", 0.03}}, env());
  a->start();
  b->start();
  io.run();
  CHECK(done == 2);
  REQUIRE(sink.events.size() == 6);
  // If a slept instead of waiting on a timer, b's first event would come after all of a's.
  CHECK(sink.events[0] == value{{"i", 0}});
  CHECK(sink.events[1] == value{{"i", 0}});
}

TEST_CASE("range: back-pressure with capacity 3 loses and duplicates nothing") {
  harness h(3);
  h.run("range", {{"limit", 100}});
  check_sequence(h.sink.events, 100);
  CHECK(h.sink.times_full == 33);
  CHECK(h.sink.when_ready_calls >= 33);
  CHECK(h.end == source_end::finished);
  h.check_contract();
}

TEST_CASE("range: back-pressure combined with a delay") {
  harness h(2);
  h.run("range", {{"limit", 5}, {"delay", 0.005}});
  check_sequence(h.sink.events, 5);
  CHECK(h.sink.times_full == 2);
  CHECK(h.elapsed_ms() >= 24.0);
  h.check_contract();
}

TEST_CASE("range: without a delay it yields to the loop every batch, even if never full") {
  harness h;
  h.make("range", {{"limit", 100000}});
  h.start();
  std::size_t seen_by_other_handler = 0;
  boost::asio::post(h.io, [&] { seen_by_other_handler = h.sink.events.size(); });
  h.io.run();
  check_sequence(h.sink.events, 100000);
  CHECK(seen_by_other_handler > 0);
  CHECK(seen_by_other_handler < 100000);
  h.check_contract();
}

TEST_CASE("range: start() produces nothing synchronously and done is posted") {
  harness h;
  h.make("range", {{"limit", 3}});
  h.start();
  CHECK(h.sink.events.empty());
  h.io.run();
  CHECK(h.sink.events.size() == 3);
  h.check_contract();
}

TEST_CASE("range: stop() during a long delay ends at once with stopped") {
  harness h;
  h.make("range", {{"limit", 5}, {"delay", 3600}});
  h.sink.on_put = [&](const value&) { boost::asio::post(h.io, [&] { h.stop(); }); };
  h.start();
  // run_for returns early only when the loop ran out of work: the hour-long timer was cancelled.
  h.io.run_for(std::chrono::seconds(60));
  CHECK(h.io.stopped());
  CHECK(h.sink.events.size() == 1);
  CHECK(h.end == source_end::stopped);
  CHECK(h.error.empty());
  h.check_contract();
}

TEST_CASE("range: stop() from inside put stops before the next event") {
  harness h;
  h.make("range", {{"limit", 1000000}});
  h.sink.on_put = [&](const value&) {
    if (h.sink.events.size() == 10) h.stop();
  };
  h.start();
  h.io.run();
  CHECK(h.sink.events.size() == 10);
  CHECK(h.end == source_end::stopped);
  h.check_contract();
}

TEST_CASE("range: stop() while waiting for the sink; the late resume does nothing") {
  harness h(4);
  h.make("range", {{"limit", 1000}});
  h.sink.on_put = [&](const value&) {
    if (h.sink.events.size() == 4) boost::asio::post(h.io, [&] { h.stop(); });
  };
  h.start();
  h.io.run();
  CHECK(h.sink.events.size() == 4);
  CHECK(h.end == source_end::stopped);
  h.check_contract();
}

TEST_CASE("range: stop() before start(), twice, and after finishing: done exactly once") {
  {
    harness h;
    h.make("range", {{"limit", 3}});
    h.stop();
    h.stop();
    h.start();
    h.io.run();
    CHECK(h.sink.events.empty());
    CHECK(h.end == source_end::stopped);
    h.check_contract();
  }
  {
    harness h;
    h.run("range", {{"limit", 3}});
    h.stop();
    h.io.restart();
    h.io.run();
    CHECK(h.end == source_end::finished);
    h.check_contract();
  }
}

TEST_CASE("range: destroying the source with continuations pending is safe; done still comes") {
  harness h(2);
  h.make("range", {{"limit", 100}, {"delay", 0.001}});
  h.sink.on_put = [&](const value&) {
    if (h.sink.events.size() != 2) return;
    // The sink's resume is still queued when the source goes away.
    boost::asio::post(h.io, [&] {
      h.stop();
      h.src.reset();
    });
  };
  h.start();
  h.io.run();
  CHECK(h.sink.events.size() == 2);
  CHECK(h.end == source_end::stopped);
  h.check_contract();
}

TEST_CASE("range: throughput without delay (informational)") {
  harness h(1u << 30);
  // The recording sink keeps events; a counting sink measures the source alone.
  struct counting_sink final : event_sink {
    std::int64_t n = 0, last = -1;
    bool put(value&& ev) override {
      last = ev["i"].get<std::int64_t>();
      ++n;
      return true;
    }
    void when_ready(std::function<void()>) override {}
  } counter;
  source_env env = h.env();
  env.sink = &counter;
  auto src = make_builtin("range", {{"limit", 2000000}}, env);
  const auto t0 = std::chrono::steady_clock::now();
  src->start();
  h.io.run();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(counter.n == 2000000);
  CHECK(counter.last == 1999999);
  MESSAGE("range alone: " << static_cast<long>(counter.n / s) << " events/s, "
                          << s * 1e9 / counter.n << " ns/event");
}
