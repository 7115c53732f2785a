// restarting_source: `restart: on-failure` with exponential back-off, around scripted sources.
#include <doctest/doctest.h>

#include <boost/asio/steady_timer.hpp>

#include "source_harness.h"
#include "sources/restarting_source.h"

using rb::value;
using namespace rb::sources;
using namespace rb::sources::test;
using namespace std::chrono_literals;

namespace {

// What one inner source does: put `events` events, then end as `end` (or run until stopped).
struct script {
  int events = 0;
  std::optional<source_end> end;
  std::string error;
};

struct counters {
  int made = 0;
  int started = 0;
  int stopped = 0;
  int destroyed = 0;
  int alive() const { return made - destroyed; }
};

class scripted_source final : public source {
 public:
  scripted_source(source_env env, script s, int generation, counters& c)
      : env_(std::move(env)), script_(std::move(s)), generation_(generation), c_(c) {}
  ~scripted_source() override { ++c_.destroyed; }

  void start() override {
    ++c_.started;
    boost::asio::post(*env_.io, [this, alive = std::weak_ptr<char>(alive_)] {
      if (alive.expired() || ended_) return;
      for (int i = 0; i < script_.events; ++i)
        env_.sink->put(value{{"generation", generation_}, {"i", i}});
      if (script_.end) finish(*script_.end, script_.error);
    });
  }
  void stop() override {
    if (ended_) return;
    ++c_.stopped;
    finish(source_end::stopped, {});
  }

 private:
  void finish(source_end how, std::string err) {
    ended_ = true;
    boost::asio::post(*env_.io, [done = env_.done, how, err] { done(how, err); });
  }

  source_env env_;
  script script_;
  int generation_;
  counters& c_;
  bool ended_ = false;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

restart_options fast(int max_restarts) {
  restart_options o;
  o.max_restarts = max_restarts;
  o.base_delay = 10ms;
  o.max_delay = 1s;
  return o;
}

// A maker playing `scripts` in turn (the last one again once they run out).
source_maker maker(std::vector<script> scripts, counters& c) {
  return [scripts = std::move(scripts), &c](source_env env) -> std::unique_ptr<source> {
    const int gen = c.made++;
    const script& s = scripts.at(std::min<std::size_t>(gen, scripts.size() - 1));
    return std::make_unique<scripted_source>(std::move(env), s, gen, c);
  };
}

const script fails{1, source_end::failed, "boom: plugin.lua:3: broken"};

}  // namespace

TEST_CASE("restart_delay: base * 2^n, capped") {
  restart_options o;  // the defaults: 1 s doubling up to 30 s
  CHECK(restart_delay(o, 0) == 1s);
  CHECK(restart_delay(o, 1) == 2s);
  CHECK(restart_delay(o, 2) == 4s);
  CHECK(restart_delay(o, 3) == 8s);
  CHECK(restart_delay(o, 4) == 16s);
  CHECK(restart_delay(o, 5) == 30s);
  CHECK(restart_delay(o, 1000) == 30s);
  o.base_delay = 0ms;
  CHECK(restart_delay(o, 7) == 0ms);
  o.base_delay = 100ms;
  o.max_delay = 50ms;
  CHECK(restart_delay(o, 0) == 50ms);
}

TEST_CASE("a failed source is restarted after a back-off and may then finish") {
  counters c;
  harness h;
  h.src = make_restarting_source(maker({fails, fails, script{2, source_end::finished, {}}}, c),
                                 h.env(), fast(5));
  CHECK(c.made == 1);  // the first instance is made at load time
  CHECK(c.started == 0);
  h.start();
  h.io.run();
  CHECK(h.end == source_end::finished);
  CHECK(h.error.empty());
  CHECK(c.made == 3);
  CHECK(c.started == 3);
  // Every instance's events reached the same sink.
  REQUIRE(h.sink.events.size() == 4);
  CHECK(h.sink.events[0]["generation"] == 0);
  CHECK(h.sink.events[1]["generation"] == 1);
  CHECK(h.sink.events[3] == value{{"generation", 2}, {"i", 1}});
  // Back-off: 10 ms then 20 ms.
  CHECK(h.elapsed_ms() >= 30);
  CHECK(h.elapsed_ms() < 1000);
  h.check_contract();
  h.src.reset();
  CHECK(c.alive() == 0);
}

TEST_CASE("after max_restarts restarts the next failure is final, with the last error") {
  counters c;
  harness h;
  h.src = make_restarting_source(maker({fails}, c), h.env(), fast(3));
  h.start();
  h.io.run();
  CHECK(h.end == source_end::failed);
  CHECK(h.error == "boom: plugin.lua:3: broken (gave up after 3 restarts)");
  CHECK(c.made == 4);
  CHECK(h.sink.events.size() == 4);
  CHECK(h.elapsed_ms() >= 10 + 20 + 40);
  h.check_contract();
  // Failed instances are destroyed as soon as possible, not kept until the wrapper goes.
  CHECK(c.alive() == 0);
}

TEST_CASE("max_restarts 0 fails at once with the plugin's own error") {
  counters c;
  harness h;
  h.src = make_restarting_source(maker({fails}, c), h.env(), fast(0));
  h.start();
  h.io.run();
  CHECK(h.end == source_end::failed);
  CHECK(h.error == "boom: plugin.lua:3: broken");
  CHECK(c.made == 1);
  h.check_contract();

  harness one;
  counters c1;
  one.src = make_restarting_source(maker({fails}, c1), one.env(), fast(1));
  one.start();
  one.io.run();
  CHECK(one.error == "boom: plugin.lua:3: broken (gave up after 1 restart)");
}

TEST_CASE("finished and stopped pass through without restarts") {
  for (source_end how : {source_end::finished, source_end::stopped}) {
    counters c;
    harness h;
    h.src = make_restarting_source(maker({script{1, how, {}}}, c), h.env(), fast(5));
    h.start();
    h.io.run();
    CHECK(h.end == how);
    CHECK(c.made == 1);
    h.check_contract();
  }
}

TEST_CASE("stop() while the inner source runs stops it; the end is `stopped`") {
  counters c;
  harness h;
  h.src = make_restarting_source(maker({script{1, std::nullopt, {}}}, c), h.env(), fast(5));
  h.start();
  boost::asio::steady_timer t(h.io, 20ms);
  t.async_wait([&](auto) { h.stop(); });
  h.io.run();
  CHECK(h.end == source_end::stopped);
  CHECK(c.stopped == 1);
  CHECK(c.made == 1);
  h.check_contract();
}

TEST_CASE("stop() during the back-off ends `stopped` at once and restarts nothing") {
  counters c;
  harness h;
  restart_options slow = fast(5);
  slow.base_delay = 10s;
  h.src = make_restarting_source(maker({fails}, c), h.env(), slow);
  h.start();
  boost::asio::steady_timer t(h.io, 30ms);
  t.async_wait([&](auto) {
    CHECK(c.made == 1);
    CHECK_FALSE(h.end.has_value());  // waiting for the restart
    h.stop();
    CHECK_FALSE(h.end.has_value());  // never synchronously
  });
  const auto t0 = std::chrono::steady_clock::now();
  h.io.run();
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);  // the 10 s timer was cancelled
  CHECK(h.end == source_end::stopped);
  CHECK(c.made == 1);
  h.check_contract();
}

TEST_CASE("stop() before start() ends `stopped`") {
  counters c;
  harness h;
  h.src = make_restarting_source(maker({fails}, c), h.env(), fast(5));
  h.stop();
  h.start();  // ignored
  h.io.run();
  CHECK(h.end == source_end::stopped);
  CHECK(c.started == 0);
  h.check_contract();
}

TEST_CASE("a failure to create the source again counts as a failure") {
  counters c;
  int attempts = 0;
  source_maker make = [&](source_env env) -> std::unique_ptr<source> {
    if (attempts++ > 0) throw source_error("tick: tick.lua:1: syntax error near 'x'");
    return std::make_unique<scripted_source>(std::move(env), fails, 0, c);
  };
  harness h;
  h.src = make_restarting_source(make, h.env(), fast(2));
  h.start();
  h.io.run();
  CHECK(attempts == 3);
  CHECK(h.end == source_end::failed);
  CHECK(h.error == "tick: tick.lua:1: syntax error near 'x' (gave up after 2 restarts)");
  h.check_contract();
}

TEST_CASE("the first instance's load error is thrown by the constructor") {
  harness h;
  source_maker make = [](source_env) -> std::unique_ptr<source> {
    throw source_error("range: argument 'limit' is required");
  };
  CHECK_THROWS_WITH_AS(make_restarting_source(make, h.env(), fast(3)),
                       "range: argument 'limit' is required", source_error);
}

TEST_CASE("a real built-in source inside the wrapper runs as without it") {
  harness h;
  source_maker make = [](source_env env) {
    return make_builtin("range", value{{"limit", 3000}}, std::move(env));
  };
  h.src = make_restarting_source(make, h.env(), fast(2));
  h.start();
  h.io.run();
  CHECK(h.end == source_end::finished);
  CHECK(h.sink.events.size() == 3000);
  h.check_contract();
}

TEST_CASE("destroying the wrapper during the back-off is safe") {
  counters c;
  harness h;
  h.src = make_restarting_source(maker({fails}, c), h.env(), fast(5));
  h.start();
  boost::asio::steady_timer t(h.io, 5ms);
  t.async_wait([&](auto) { h.src.reset(); });
  h.io.run();
  CHECK(c.made == 1);
  CHECK(c.alive() == 0);
}
