#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cmath>

#include "lua_test_util.h"

using rb::value;
using namespace rb::sources;
using namespace rb::sources::lua;
using namespace rb::sources::lua::test;
using namespace std::chrono_literals;

TEST_CASE("lua find_source: -S dirs in order, then the shipped lua/sources; dotted names") {
  const std::string shipped = find_source("tick", {});
  REQUIRE_FALSE(shipped.empty());
  CHECK(fs::path(shipped) == fs::path(shipped_dir()) / "sources" / "tick.lua");
  CHECK(find_source("ansible.eda.tick", {}) == shipped);
  const fs::path a = scratch() / "dir_a", b = scratch() / "dir_b";
  fs::create_directories(a);
  fs::create_directories(b);
  std::ofstream(b / "tick.lua") << "return function() end";
  std::ofstream(a / "only_a.lua") << "return function() end";
  std::ofstream(b / "only_a.lua") << "return function() end";
  CHECK(find_source("tick", {a.string(), b.string()}) == (b / "tick.lua").string());
  CHECK(find_source("only_a", {a.string(), b.string()}) == (a / "only_a.lua").string());
  CHECK(find_source("my.coll.only_a", {b.string()}) == (b / "only_a.lua").string());
  CHECK(find_source("nope", {a.string()}).empty());
  CHECK(find_source("../dir_a/only_a", {b.string()}).empty());
  CHECK(find_source("", {a.string()}).empty());
  CHECK(find_filter("add_field", {}) ==
        (fs::path(shipped_dir()) / "filters" / "add_field.lua").string());
}

TEST_CASE("lua source: the shipped tick.lua emits {tick = n} every interval, limit events") {
  lua_harness h;
  h.src = make_source(find_source("tick", {}), {{"interval", 0.02}, {"limit", 3}},
                      h.env_named("tick"), quick_options());
  h.start();
  h.io.run();
  REQUIRE(h.sink.events.size() == 3);
  CHECK(h.sink.events[0] == value{{"tick", 1}});
  CHECK(h.sink.events[2] == value{{"tick", 3}});
  CHECK(h.ms_until_event(2) >= 35);
  CHECK(h.end == source_end::finished);
  h.check_contract();
}

TEST_CASE("lua source: put, sleep, now, json and log") {
  log_capture logs;
  lua_harness h;
  h.run_code("api", R"lua(
return function(queue, args)
  local t0 = now()
  queue:put({n = 1, s = "x", f = 2.5, b = true, list = {1, 2, 3}, nested = {a = {b = "c"}}})
  sleep(0.05)
  local t1 = now()
  queue:put({slept = t1 - t0, wall = t1})
  local decoded = json.decode('{"k": [1, 2.5, null, "é"], "e": [], "o": {}}')
  queue:put({decoded = decoded, null_is_sentinel = decoded.k[3] == json.null,
             encoded = json.encode({a = 1})})
  queue:put({arg = args.payload, ha = args.ha})
  log.debug("debug", 1)
  log.info("info", true, nil)
  log.warning("warning")
  log.error("error", {1})
  print("printed")
end
)lua",
             {{"payload", {{"x", {1, "two", nullptr}}}}});
  REQUIRE(h.sink.events.size() == 4);
  CHECK(same(h.sink.events[0], value::parse(R"({"n":1,"s":"x","f":2.5,"b":true,"list":[1,2,3],
                                               "nested":{"a":{"b":"c"}}})")));
  CHECK(h.sink.events[0]["n"].is_number_integer());
  CHECK(h.sink.events[1]["slept"].get<double>() >= 0.045);
  const double wall =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  CHECK(std::fabs(h.sink.events[1]["wall"].get<double>() - wall) < 5);
  CHECK(same(h.sink.events[2]["decoded"], value::parse(R"({"k":[1,2.5,null,"é"],"e":[],"o":{}})")));
  CHECK(h.sink.events[2]["null_is_sentinel"] == true);
  CHECK(h.sink.events[2]["encoded"] == R"({"a":1})");
  CHECK(same(h.sink.events[3], value::parse(R"({"arg":{"x":[1,"two",null]},"ha":false})")));
  CHECK(h.end == source_end::finished);
  h.check_contract();
  const std::string text = logs.text();
  CHECK(text.find("debug api: debug 1") != std::string::npos);
  CHECK(text.find("info api: info true nil") != std::string::npos);
  CHECK(text.find("warning api: warning") != std::string::npos);
  CHECK(text.find("error api: error table: ") != std::string::npos);
  CHECK(text.find("info api: printed") != std::string::npos);
}

TEST_CASE("lua source: a global main works too; nothing runs before start()") {
  lua_harness h;
  h.load("global_main", R"lua(
ran_at_load = true
function main(queue, args) queue:put({ok = true}) end
)lua");
  CHECK(h.sink.events.empty());
  h.start();
  CHECK(h.sink.events.empty());  // start() only posts
  h.io.run();
  REQUIRE(h.sink.events.size() == 1);
  CHECK(h.end == source_end::finished);
  h.check_contract();
}

TEST_CASE("lua source: back-pressure with a small sink loses nothing and never overfills") {
  lua_harness h(3);
  h.run_code("pressure", R"lua(
return function(queue) for i = 1, 5000 do queue:put({i = i}) end end
)lua");
  REQUIRE(h.sink.events.size() == 5000);
  for (int i = 0; i < 5000; ++i) {
    if (h.sink.events[i] != value{{"i", i + 1}}) {
      FAIL("event " << i << " is " << h.sink.events[i].dump());
    }
  }
  CHECK(h.sink.times_full > 1000);
  CHECK(h.end == source_end::finished);
  h.check_contract();
}

TEST_CASE("lua source: a put-only loop yields to the loop every batch (fairness)") {
  lua_harness h;
  h.load("fair", "return function(queue) for i = 1, 5000 do queue:put({i = i}) end end");
  h.start();
  std::size_t seen = 0;
  boost::asio::post(h.io, [&] { seen = h.sink.events.size(); });
  h.io.run();
  CHECK(seen > 0);
  CHECK(seen < 5000);
  CHECK(h.sink.events.size() == 5000);
  h.check_contract();
}

TEST_CASE("lua source: a raised error fails the source with plugin, file and line") {
  log_capture logs;
  lua_harness h;
  h.run_code("raiser", "return function(queue)\n  queue:put({a = 1})\n  error('boom')\nend\n");
  CHECK(h.sink.events.size() == 1);
  CHECK(h.end == source_end::failed);
  CHECK(h.error == "raiser: " + h.path + ":3: boom");
  CHECK(logs.text().find("stack traceback") != std::string::npos);
  h.check_contract();
}

TEST_CASE("lua source: bad API use is an error at the caller's line") {
  struct bad_case {
    const char* code;
    const char* expected;
  };
  for (const auto& c : {
           bad_case{"return function(queue)\n queue.put({})\nend",
                    ":2: queue:put(event) is a method"},
           bad_case{"return function(queue)\n queue:put(5)\nend",
                    ":2: queue:put expects an event table, got number"},
           bad_case{"return function(queue)\n queue:put({1, 2})\nend",
                    ":2: queue:put: an event must be a table with keys"},
           bad_case{"return function(queue)\n queue:put({f = print})\nend",
                    ":2: queue:put: at .f: cannot convert a function to JSON"},
           bad_case{"return function(queue)\n queue:put({x = 0/0})\nend",
                    ":2: queue:put: at .x: NaN and infinity"},
           bad_case{"return function(queue)\n local t = {} t.self = t\n queue:put(t)\nend",
                    ":3: queue:put: at .self.self"},
           bad_case{"return function(queue)\n queue:put({s = '\\255'})\nend",
                    ":2: queue:put: at .s: string is not valid UTF-8"},
           bad_case{"return function(queue)\n coroutine.wrap(function() sleep(1) end)()\nend",
                    "sleep must be called from main's coroutine"},
           bad_case{"return 42",
                    "the file must return a function main(queue, args) or define a global main"},
       }) {
    CAPTURE(c.code);
    lua_harness h;
    h.run_code("bad", c.code);
    CHECK(h.end == source_end::failed);
    CHECK(h.error.find(c.expected) != std::string::npos);
    CAPTURE(h.error);
    h.check_contract();
  }
}

TEST_CASE("lua source: a syntax error is a load error naming plugin, file and line") {
  std::string path = write_lua("broken", "return function(queue)\n  local x = = 1\nend\n");
  const std::string err = load_error("broken", "return function(queue)\n  local x = = 1\nend\n");
  CHECK(err.rfind("broken: " + path + ":2: ", 0) == 0);
  CHECK(err.find("unexpected symbol near '='") != std::string::npos);
  CHECK(load_error("no_main_yet", "x = 1").empty());  // found missing only when it runs
  lua_harness h;
  CHECK_THROWS_AS(
      make_source((scratch() / "absent.lua").string(), {}, h.env_named("absent"), quick_options()),
      source_error);
  CHECK_THROWS_WITH_AS(make_source(write_lua("args", "return function() end"), value{1, 2},
                                   h.env_named("args"), quick_options()),
                       "args: the source's arguments must be a mapping, got [1,2]", source_error);
  lua_options bad = quick_options();
  bad.allow = {"sockets"};
  CHECK(load_error("opts", "return function() end", bad)
            .find("unknown --lua-allow library 'sockets'") != std::string::npos);
}

TEST_CASE("lua source: a source can be created again from the same path after it failed") {
  const std::string code = "return function(queue) queue:put({try = 1}) error('again') end";
  for (int i = 0; i < 3; ++i) {
    lua_harness h;
    h.run_code("restartable", code);
    CHECK(h.sink.events.size() == 1);
    CHECK(h.end == source_end::failed);
    h.check_contract();
  }
}

TEST_CASE("lua source: stop() while sleeping ends at once with stopped") {
  lua_harness h;
  h.load("sleeper", "return function(queue) queue:put({a = 1}) sleep(30) queue:put({b = 2}) end");
  h.start();
  REQUIRE(h.run_until([&] { return h.sink.events.size() == 1; }));  // now in its 30 s sleep
  const auto t0 = std::chrono::steady_clock::now();
  h.stop();
  h.io.restart();
  h.io.run();
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  CHECK(h.sink.events.size() == 1);
  CHECK(h.end == source_end::stopped);
  h.check_contract();
}

TEST_CASE("lua source: stop() from inside put (a failing filter) ends the source") {
  lua_harness h;
  h.sink.on_put = [&](const value& ev) {
    if (ev.contains("i") && ev["i"] == 3) h.stop();
  };
  h.run_code("stopped_in_put",
             "return function(queue) for i = 1, 10 do queue:put({i = i}) end end");
  CHECK(h.sink.events.size() == 3);
  CHECK(h.end == source_end::stopped);
  CHECK(h.done_calls == 1);
}

TEST_CASE("lua source: HA events: wait for leadership, stop emitting when lost, end on shutdown") {
  lua_harness h;
  h.signals = std::make_unique<ha_signals>(h.io);
  h.signals->ha_mode = true;
  h.signals->follower.set();
  h.src = make_source(find_source("example_ha_source", {}), {{"interval", 0.01}},
                      h.env_named("example_ha_source"), quick_options());
  auto busy = boost::asio::make_work_guard(h.io);  // run_for must not stop while nothing is due
  h.start();
  h.io.run_for(100ms);
  CHECK(h.sink.events.empty());  // a follower emits nothing
  CHECK_FALSE(h.end.has_value());
  h.signals->follower.clear();
  h.signals->leader.set();
  REQUIRE(h.run_until([&] { return h.sink.events.size() >= 3; }));
  const auto as_leader = h.sink.events.size();
  CHECK(h.sink.events[0]["source"] == "example_ha_source");
  CHECK(h.sink.events[0]["counter"] == 1);
  h.signals->leader.clear();
  h.io.run_for(100ms);
  const auto after_loss = h.sink.events.size();
  CHECK(after_loss <= as_leader + 1);  // at most the one in flight
  h.io.run_for(50ms);
  CHECK(h.sink.events.size() == after_loss);
  h.signals->shutdown.set();
  h.signals->leader.set();  // wakes the waiter, which then sees shutdown
  h.io.run_for(200ms);
  busy.reset();
  h.io.run();
  CHECK(h.end == source_end::finished);
  h.check_contract();
}

TEST_CASE("lua source: stop() while waiting on an event; standalone leader is set") {
  {
    lua_harness h;
    h.signals = std::make_unique<ha_signals>(h.io);
    h.load("waiter",
           "return function(queue, args) args.leader_event:wait() queue:put({x = 1}) end");
    auto busy = boost::asio::make_work_guard(h.io);
    h.start();
    h.io.run_for(30ms);
    h.stop();
    busy.reset();
    h.io.run();
    CHECK(h.sink.events.empty());
    CHECK(h.end == source_end::stopped);
    h.check_contract();
    h.signals->leader.set();  // a late wake-up after stop does nothing
    h.io.restart();
    h.io.run();
    CHECK(h.sink.events.empty());
  }
  lua_harness h;  // no signals given: standalone, leader set from the start
  h.run_code("standalone", R"lua(return function(queue, args)
    queue:put({leader = args.leader_event:is_set(), follower = args.follower_event:is_set(),
               waited = args.leader_event:wait(), ha = args.ha})
  end)lua");
  REQUIRE(h.sink.events.size() == 1);
  CHECK(same(h.sink.events[0],
             value::parse(R"({"leader":true,"follower":false,"waited":true,"ha":false})")));
}

TEST_CASE("lua source: a bare coroutine.yield() in main lets the loop run and continues") {
  lua_harness h;
  h.run_code("yielder",
             "return function(queue) coroutine.yield(1, 2) queue:put({after = true}) end");
  CHECK(h.sink.events.size() == 1);
  CHECK(h.end == source_end::finished);
}

TEST_CASE("lua source: destroying a running source is safe (no late callbacks)") {
  lua_harness h;
  h.load("destroyed", "return function(queue) while true do queue:put({}) sleep(0.001) end end");
  auto busy = boost::asio::make_work_guard(h.io);
  h.start();
  CHECK(h.run_until([&] { return h.sink.events.size() >= 2; }));
  h.src.reset();
  h.io.run_for(20ms);
  CHECK(h.done_calls == 0);
}
