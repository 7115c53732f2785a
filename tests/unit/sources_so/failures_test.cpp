// Failure paths: init/open refusals, FAILURE mid-stream, bad event text, unknown codes, waits
// without busy loops, stop and destruction releasing everything, exceptions in C++ plugins.
#include <doctest/doctest.h>

#include "unit/sources_so/so_harness.h"

using namespace rb::sources;
using namespace rb::sources::so::test;

namespace {

// Every state created was destroyed and every instance opened was closed.
void check_fault_balanced() {
  CHECK(fault_count(fault_counter::inits) == fault_count(fault_counter::destroys));
  CHECK(fault_count(fault_counter::opens) == fault_count(fault_counter::closes));
}

}  // namespace

TEST_CASE("fault: init failure is a load error with the plugin's last_error; the state is freed") {
  CHECK(so_make_error(test_plugin("fault"), {{"fail_init", 1}}) ==
        "fault: init refused: fail_init was set");
  CHECK(contains(so_make_error(test_plugin("fault"), {{"init_null", 1}}),
                 "fault: unknown error (the plugin gave no message)"));
  check_fault_balanced();
}

TEST_CASE("fault: open failure fails the source with the plugin's message") {
  so_harness h;
  h.run_so(test_plugin("fault"), {{"fail_open", 1}});
  h.check_contract();
  CHECK(h.end == source_end::failed);
  CHECK(h.error == "fault: open refused: fail_open was set");
  h.src.reset();
  check_fault_balanced();
}

TEST_CASE("fault: FAILURE mid-stream delivers what came before, then done(failed, last_error)") {
  so_harness h;
  h.run_so(test_plugin("fault"), {{"fail_after", 3}});
  h.check_contract();
  CHECK(h.end == source_end::failed);
  CHECK(h.error == "fault: boom after 3 events");
  REQUIRE(h.sink.events.size() == 3);
  CHECK(h.sink.events[2] == rb::value{{"i", 2}});
  // The instance is closed when the source ends, before the source itself goes.
  CHECK(fault_count(fault_counter::opens) == fault_count(fault_counter::closes));
  h.src.reset();
  check_fault_balanced();
}

TEST_CASE("fault: event text that is not a JSON object fails the source") {
  so_harness a;
  a.run_so(test_plugin("fault"), {{"bad_json", 1}});
  a.check_contract();
  CHECK(a.end == source_end::failed);
  CHECK(contains(a.error, "fault: event 1 of 1 of a batch is not valid JSON"));
  CHECK(a.sink.events.empty());

  so_harness b;
  b.run_so(test_plugin("fault"), {{"not_object", 1}});
  b.check_contract();
  CHECK(b.end == source_end::failed);
  CHECK(b.error == "fault: event 1 of 1 of a batch is not a JSON object: [1, 2]");
}

TEST_CASE("fault: an unknown return code fails the source") {
  so_harness h;
  h.run_so(test_plugin("fault"), {{"unknown_rc", 1}});
  h.check_contract();
  CHECK(h.end == source_end::failed);
  CHECK(h.error == "fault: rb_plugin_next_batch returned unknown code 42");
}

TEST_CASE("fault: TIMEOUT without a hint backs off from 10 ms; no busy loop") {
  so_harness h;
  const int calls_before = fault_count(fault_counter::next_batch_calls);
  h.run_so(test_plugin("fault"), {{"timeouts", 4}});
  h.check_contract();
  CHECK(h.end == source_end::finished);
  REQUIRE(h.sink.events.size() == 1);
  CHECK(h.sink.events[0] == rb::value{{"timeouts", 4}});
  // 10 + 20 + 40 + 80 ms of waiting, and exactly one call per wait (plus the event and EOF).
  CHECK(h.ms_until_event(0) >= 145);
  CHECK(h.ms_until_event(0) < 1000);
  CHECK(fault_count(fault_counter::next_batch_calls) - calls_before == 6);
}

TEST_CASE("fault: a TIMEOUT wait hint is honoured; a 0 hint still waits") {
  so_harness a;
  a.run_so(test_plugin("fault"), {{"timeouts", 2}, {"wait_ms", 60}});
  a.check_contract();
  REQUIRE(a.sink.events.size() == 1);
  CHECK(a.ms_until_event(0) >= 115);
  CHECK(a.ms_until_event(0) < 1000);

  so_harness b;
  const int calls_before = fault_count(fault_counter::next_batch_calls);
  b.run_so(test_plugin("fault"), {{"timeouts", 20}, {"wait_ms", 0}});
  b.check_contract();
  CHECK(b.sink.events.size() == 1);
  CHECK(b.ms_until_event(0) >= 19);  // 1 ms minimum per wait
  CHECK(fault_count(fault_counter::next_batch_calls) - calls_before == 22);
}

TEST_CASE("fault: SUCCESS with no events counts as TIMEOUT (no spinning)") {
  so_harness h;
  h.run_so(test_plugin("fault"), {{"empty_success", 3}});
  h.check_contract();
  CHECK(h.end == source_end::finished);
  CHECK(h.sink.events.empty());
  CHECK(h.elapsed_ms() >= 65);  // 10 + 20 + 40
}

TEST_CASE("fault: stop() cuts a long wait short and closes the instance") {
  so_harness h;
  h.make_so(test_plugin("fault"), {{"never_ready", 1}});
  const int calls_before = fault_count(fault_counter::next_batch_calls);
  h.start();
  REQUIRE(h.run_until([&] { return fault_count(fault_counter::next_batch_calls) > calls_before; }));
  const int calls = fault_count(fault_counter::next_batch_calls);
  h.run_for(50ms);
  CHECK(fault_count(fault_counter::next_batch_calls) == calls);  // honouring the 60 s hint
  const auto t0 = std::chrono::steady_clock::now();
  h.stop();
  CHECK(fault_count(fault_counter::opens) == fault_count(fault_counter::closes));
  h.run_for(30s);  // returns once the loop has no work: at once unless the wait outlives stop
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  h.check_contract();
  CHECK(h.end == source_end::stopped);
  h.src.reset();
  check_fault_balanced();
}

TEST_CASE("fault: the shutdown flag stops the source") {
  so_harness h;
  ha_signals sig(h.io);
  sig.leader.set();
  h.signals = &sig;
  h.make_so(test_plugin("fault"), {{"never_ready", 1}});
  h.start();
  h.run_for(30ms);
  sig.shutdown.set();
  h.run_for(5s);
  h.check_contract();
  CHECK(h.end == source_end::stopped);
}

TEST_CASE("fault: destroying a running source closes and destroys without calling done") {
  {
    so_harness h;
    h.make_so(test_plugin("fault"), {{"never_ready", 1}});
    h.start();
    h.run_for(30ms);
    h.src.reset();
    h.run_for(100ms);  // stale completions find the source gone
    CHECK(h.done_calls == 0);
  }
  check_fault_balanced();
}

TEST_CASE("probe (C++ helper): an exception in the constructor is an init failure") {
  CHECK(so_make_error(test_plugin("probe"), {{"throw_in", "init"}}) ==
        "probe: probe threw in init");
  CHECK(so_make_error(test_plugin("probe"), {{"throw_in", "init"}, {"non_std", true}}) ==
        "probe: unknown C++ exception");
}

TEST_CASE("probe (C++ helper): exceptions in open, next_batch, get_fd, set_leadership fail it") {
  struct row {
    const char* where;
    int after;
    const char* message;
    std::size_t events;
  };
  for (const row r : {row{"open", 0, "probe: probe threw in open", 0},
                      row{"next", 2, "probe: probe threw in next_batch", 2},
                      row{"fd", 0, "probe: probe threw in fd", 0},
                      row{"leadership", 0, "probe: probe threw in set_leadership", 0}}) {
    CAPTURE(r.where);
    so_harness h;
    h.run_so(test_plugin("probe"), {{"throw_in", r.where}, {"after", r.after}});
    h.check_contract();
    CHECK(h.end == source_end::failed);
    CHECK(h.error == r.message);
    CHECK(h.sink.events.size() == r.events);
  }
  so_harness h;
  h.run_so(test_plugin("probe"), {{"throw_in", "next"}, {"non_std", true}});
  CHECK(h.error == "probe: unknown C++ exception");
}

TEST_CASE("probe: leadership is told after open and on every change, waking an idle plugin") {
  so_harness h;
  ha_signals sig(h.io);
  sig.ha_mode = true;
  sig.follower.set();
  h.signals = &sig;
  h.make_so(test_plugin("probe"), rb::value::object());
  h.start();
  // Each step waits for its event, then a little longer to see that no other one follows.
  const auto events_after = [&](std::size_t n) {
    CHECK(h.run_until([&] { return h.sink.events.size() >= n; }));
    h.run_for(50ms);
    return h.sink.events.size();
  };
  REQUIRE(events_after(1) == 1);
  CHECK(h.sink.events[0] == rb::value{{"leader", false}});

  // The plugin idles on a one-minute hint: the change itself must bring the next call.
  sig.follower.clear();
  sig.leader.set();
  REQUIRE(events_after(2) == 2);
  CHECK(h.sink.events[1] == rb::value{{"leader", true}});

  sig.leader.clear();
  sig.follower.set();
  REQUIRE(events_after(3) == 3);
  CHECK(h.sink.events[2] == rb::value{{"leader", false}});

  // Flags that disagree (both set) are polled, not spun on; the role follows `leader`.
  sig.leader.set();
  REQUIRE(events_after(4) == 4);
  CHECK(h.sink.events[3] == rb::value{{"leader", true}});
  h.stop();
  CHECK(h.run_until([&] { return h.end.has_value(); }));
  h.check_contract();
}

TEST_CASE("probe: without HA signals the plugin is told it leads") {
  so_harness h;
  h.make_so(test_plugin("probe"), rb::value::object());
  h.start();
  REQUIRE(h.run_until([&] { return h.sink.events.size() >= 1; }));
  h.run_for(50ms);
  REQUIRE(h.sink.events.size() == 1);
  CHECK(h.sink.events[0] == rb::value{{"leader", true}});
  h.stop();
  CHECK(h.run_until([&] { return h.end.has_value(); }));
  h.check_contract();
}
