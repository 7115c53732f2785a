#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "source_harness.h"

using rb::value;
using namespace rb::sources;
using namespace rb::sources::test;
namespace fs = std::filesystem;

namespace {

// "YYYY-MM-DD<sep>HH:MM:SS" optionally followed by ".ffffff" (Python's datetime text).
bool looks_like_datetime(const std::string& s, char sep) {
  const std::string shape = std::string("dddd-dd-dd") + sep + "dd:dd:dd";
  if (s.size() != shape.size() && s.size() != shape.size() + 7) return false;
  const std::string full = s.size() == shape.size() ? shape : shape + ".dddddd";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (full[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(s[i])) : s[i] != full[i])
      return false;
  }
  return true;
}

value ab_payload() { return value::parse(R"([{"a": 1}, {"b": 2}])"); }

value args_with(std::initializer_list<std::pair<const char*, value>> extra) {
  value args = {{"payload", ab_payload()}};
  for (const auto& [k, v] : extra) args[k] = v;
  return args;
}

// A scratch directory, removed at the end; optionally the working directory while it lives.
struct scratch_dir {
  fs::path path;
  fs::path previous_cwd;
  scratch_dir() {
    std::string tmpl = (fs::temp_directory_path() / "rb-generic-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~scratch_dir() {
    if (!previous_cwd.empty()) fs::current_path(previous_cwd);
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void enter() {
    previous_cwd = fs::current_path();
    fs::current_path(path);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return path / name;
  }
};

}  // namespace

TEST_CASE("generic: replays the payload in order, then finishes") {
  harness h;
  h.run("generic", {{"payload", ab_payload()}});
  REQUIRE(h.sink.events.size() == 2);
  CHECK(h.sink.events[0] == value{{"a", 1}});
  CHECK(h.sink.events[1] == value{{"b", 2}});
  CHECK(h.end == source_end::finished);
  h.check_contract();
}

TEST_CASE("generic: a single mapping is a one-event payload; empty entries are skipped") {
  {
    harness h;
    h.run("generic", {{"payload", {{"only", true}}}});
    REQUIRE(h.sink.events.size() == 1);
    CHECK(h.sink.events[0] == value{{"only", true}});
  }
  {
    harness h;
    h.run("generic", {{"payload", value::parse(R"([null, {}, {"x": 1}, false, "", 0, []])")}});
    REQUIRE(h.sink.events.size() == 1);
    CHECK(h.sink.events[0] == value{{"x", 1}});
  }
  for (const value& nothing : {value(nullptr), value::array(), value::object()}) {
    harness h;
    h.run("generic", {{"payload", nothing}});
    CHECK(h.sink.events.empty());
    CHECK(h.end == source_end::finished);
    h.check_contract();
  }
}

TEST_CASE("generic: loop_count and repeat_count, with create_index counting every event") {
  harness h;
  h.run("generic", args_with({{"loop_count", 2}, {"repeat_count", 2}, {"create_index", "n"}}));
  const char* expected = R"([{"n":0,"a":1},{"n":1,"a":1},{"n":2,"b":2},{"n":3,"b":2},
                             {"n":4,"a":1},{"n":5,"a":1},{"n":6,"b":2},{"n":7,"b":2}])";
  CHECK(value(h.sink.events) == value::parse(expected));
  // The index key comes first.
  CHECK(h.sink.events[0].begin().key() == "n");
  h.check_contract();
}

TEST_CASE("generic: loop_count 0 and repeat_count 0 send nothing") {
  for (const char* key : {"loop_count", "repeat_count"}) {
    CAPTURE(key);
    harness h;
    h.run("generic", args_with({{key, 0}}));
    CHECK(h.sink.events.empty());
    CHECK(h.end == source_end::finished);
    h.check_contract();
  }
  // Nothing to send in a finite number of passes is skipped, not spun through.
  harness h;
  h.run("generic", args_with({{"loop_count", 1000000000000LL}, {"repeat_count", 0}}));
  CHECK(h.sink.events.empty());
  CHECK(h.end == source_end::finished);
}

TEST_CASE("generic: loop_count -1 runs until stop()") {
  harness h(16);
  h.make("generic", args_with({{"loop_count", -1}, {"create_index", "i"}}));
  h.sink.on_put = [&](const value&) {
    if (h.sink.events.size() == 5000) h.stop();
  };
  h.start();
  h.io.run();
  REQUIRE(h.sink.events.size() == 5000);
  CHECK(h.sink.events[4999] == value{{"i", 4999}, {"b", 2}});
  CHECK(h.end == source_end::stopped);
  h.check_contract();
}

TEST_CASE("generic: loop_count -1 with nothing to send idles until stop()") {
  harness h;
  h.make("generic", {{"payload", value::array()}, {"loop_count", -1}});
  h.start();
  boost::asio::steady_timer t(h.io, std::chrono::milliseconds(20));
  t.async_wait([&](const boost::system::error_code&) { h.stop(); });
  h.io.run();
  CHECK(h.sink.events.empty());
  CHECK(h.end == source_end::stopped);
  h.check_contract();
}

TEST_CASE("generic: a payload key named like create_index wins but keeps its place") {
  harness h;
  h.run("generic", {{"payload", {{"x", 1}, {"n", "mine"}}}, {"create_index", "n"}});
  REQUIRE(h.sink.events.size() == 1);
  CHECK(h.sink.events[0].dump() == R"({"n":"mine","x":1})");
}

TEST_CASE("generic: back-pressure with capacity 3 loses and duplicates nothing") {
  harness h(3);
  h.run("generic", args_with({{"loop_count", 10},
                              {"repeat_count", 3},
                              {"create_index", "n"},
                              {"final_payload", {{"end", true}}}}));
  REQUIRE(h.sink.events.size() == 61);
  for (int n = 0; n < 60; ++n) {
    CHECK(h.sink.events[n]["n"] == n);
    CHECK(h.sink.events[n].contains((n / 3) % 2 == 0 ? "a" : "b"));
  }
  CHECK(h.sink.events[60] == value{{"n", 60}, {"end", true}});
  CHECK(h.sink.times_full == 20);
  h.check_contract();
}

TEST_CASE("generic: final_payload is sent once after the loops; it does not advance the index") {
  harness h;
  h.run("generic", args_with({{"create_index", "n"}, {"final_payload", {{"bye", 1}}}}));
  REQUIRE(h.sink.events.size() == 3);
  CHECK(h.sink.events[2] == value{{"n", 2}, {"bye", 1}});
  CHECK(make_error("generic", args_with({{"final_payload", "bye"}})) ==
        "generic: argument 'final_payload' must be a mapping (an event), got \"bye\"");
}

TEST_CASE("generic: startup_delay comes before the first event") {
  harness h;
  h.run("generic", args_with({{"startup_delay", 0.03}}));
  REQUIRE(h.sink.events.size() == 2);
  CHECK(h.ms_until_event(0) >= 29.0);
  h.check_contract();
}

TEST_CASE("generic: event_delay follows every payload event, repeat_delay every copy") {
  {
    harness h;
    h.run("generic", args_with({{"event_delay", 0.015}}));
    REQUIRE(h.sink.events.size() == 2);
    CHECK(h.ms_until_event(1) >= 14.0);
    CHECK(h.elapsed_ms() >= 29.0);  // the last event's delay too, as in ansible-rulebook
  }
  {
    harness h;
    h.run("generic", args_with({{"repeat_count", 2}, {"repeat_delay", 0.01}}));
    REQUIRE(h.sink.events.size() == 4);
    CHECK(h.ms_until_event(1) >= 9.0);
    CHECK(h.ms_until_event(3) >= 29.0);
    CHECK(h.elapsed_ms() >= 39.0);
  }
  {
    // Delays between two events add up: repeat_delay then event_delay.
    harness h;
    h.run("generic", args_with({{"repeat_delay", 0.01}, {"event_delay", 0.02}}));
    REQUIRE(h.sink.events.size() == 2);
    CHECK(h.ms_until_event(1) >= 29.0);
  }
}

TEST_CASE("generic: loop_delay comes between passes, not before the first") {
  harness h;
  h.run("generic", args_with({{"loop_count", 3}, {"loop_delay", 0.02}}));
  REQUIRE(h.sink.events.size() == 6);
  CHECK(h.ms_until_event(2) >= 19.0);
  CHECK(h.ms_until_event(4) >= 39.0);
  // The events of one pass come together; the first pass has no loop_delay (no upper bound is
  // asserted, only that pass 1 came well before pass 3 could have).
  CHECK(h.ms_until_event(1) < h.ms_until_event(4));
  h.check_contract();
}

TEST_CASE("generic: shutdown_after waits after the last event before finishing") {
  harness h;
  h.run("generic", args_with({{"shutdown_after", 0.03}}));
  REQUIRE(h.sink.events.size() == 2);
  CHECK(std::chrono::duration<double, std::milli>(h.ended - h.sink.received_at[1]).count() >= 29.0);
  CHECK(h.end == source_end::finished);
  h.check_contract();
}

TEST_CASE("generic: stop() during any delay ends at once with stopped") {
  for (const char* key :
       {"startup_delay", "event_delay", "repeat_delay", "loop_delay", "shutdown_after"}) {
    CAPTURE(key);
    harness h;
    h.make("generic", args_with({{key, 3600}, {"loop_count", 2}}));
    h.start();
    boost::asio::steady_timer t(h.io, std::chrono::milliseconds(10));
    t.async_wait([&](const boost::system::error_code&) { h.stop(); });
    h.io.run_for(std::chrono::seconds(60));
    CHECK(h.io.stopped());  // ran out of work: the hour-long timer was cancelled
    CHECK(h.end == source_end::stopped);
    h.check_contract();
  }
}

TEST_CASE("generic: delays never block the loop") {
  harness h;
  h.make("generic", args_with({{"event_delay", 0.05}}));
  h.start();
  bool other_ran_between = false;
  boost::asio::steady_timer t(h.io, std::chrono::milliseconds(10));
  t.async_wait(
      [&](const boost::system::error_code&) { other_ran_between = h.sink.events.size() == 1; });
  h.io.run();
  CHECK(other_ran_between);
}

TEST_CASE("generic: timestamp in each time_format") {
  {
    harness h;
    h.run("generic", args_with({{"timestamp", true}}));
    REQUIRE(h.sink.events.size() == 2);
    const value& ev = h.sink.events[0];
    CHECK(ev.begin().key() == "timestamp");
    CHECK(looks_like_datetime(ev["timestamp"].get<std::string>(), ' '));
    CHECK(ev["a"] == 1);
  }
  {
    harness h;
    h.run("generic", args_with({{"timestamp", true}, {"time_format", "iso8601"}}));
    CHECK(looks_like_datetime(h.sink.events.at(0)["timestamp"].get<std::string>(), 'T'));
    CHECK_FALSE(looks_like_datetime("2024-01-02T03:04:05.12", 'T'));
  }
  {
    harness h;
    const auto before = static_cast<std::int64_t>(std::time(nullptr));
    h.run("generic", args_with({{"timestamp", true}, {"time_format", "epoch"}}));
    const value& ts = h.sink.events.at(0)["timestamp"];
    REQUIRE(ts.is_number_integer());
    CHECK(ts.get<std::int64_t>() >= before);
  }
  {
    // time_format alone adds nothing.
    harness h;
    h.run("generic", args_with({{"time_format", "epoch"}}));
    CHECK(h.sink.events.at(0) == value{{"a", 1}});
  }
  CHECK(make_error("generic", args_with({{"timestamp", true}, {"time_format", "rfc"}})) ==
        "generic: argument 'time_format' must be one of local, iso8601, epoch, got \"rfc\"");
}

TEST_CASE("generic: create_index, blob and timestamp come first, in that order") {
  harness h;
  h.run("generic", args_with({{"create_index", "idx"}, {"blob_size", 5}, {"timestamp", true}}));
  const value& ev = h.sink.events.at(1);
  std::vector<std::string> keys;
  for (auto it = ev.begin(); it != ev.end(); ++it) keys.push_back(it.key());
  CHECK(keys == std::vector<std::string>{"idx", "blob", "timestamp", "b"});
  CHECK(ev["idx"] == 1);
  CHECK(ev["blob"] == "xxxxx");
}

TEST_CASE("generic: randomize sends each event of a pass once, in some order") {
  value payload = value::array();
  for (int i = 0; i < 20; ++i) payload.push_back({{"k", i}});
  harness h;
  h.run("generic", {{"payload", payload}, {"randomize", true}, {"loop_count", 3}});
  REQUIRE(h.sink.events.size() == 60);
  bool any_reordered = false;
  for (int pass = 0; pass < 3; ++pass) {
    std::vector<int> seen;
    for (int j = 0; j < 20; ++j) seen.push_back(h.sink.events[pass * 20 + j]["k"].get<int>());
    for (int j = 0; j < 20; ++j) any_reordered |= seen[j] != j;
    std::sort(seen.begin(), seen.end());
    for (int j = 0; j < 20; ++j) CHECK(seen[j] == j);
  }
  CHECK(any_reordered);  // 3 passes of 20 all in order: chance 1 in (20!)^3
}

TEST_CASE("generic: display prints each event to stdout and sends it unchanged") {
  scratch_dir dir;
  const fs::path out = dir.path / "stdout.txt";
  harness h;
  {
    // Point file descriptor 1 at a file while the source runs.
    std::fflush(stdout);
    const int saved = ::dup(1);
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    ::dup2(fd, 1);
    ::close(fd);
    h.run("generic", args_with({{"display", true}, {"create_index", "i"}}));
    std::fflush(stdout);
    ::dup2(saved, 1);
    ::close(saved);
  }
  REQUIRE(h.sink.events.size() == 2);
  CHECK(h.sink.events[1] == value{{"i", 1}, {"b", 2}});
  std::ifstream in(out);
  const std::string printed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(printed == "{\"i\":0,\"a\":1}\n{\"i\":1,\"b\":2}\n");
}

TEST_CASE("generic: payload_file, YAML or JSON, relative to the working directory") {
  scratch_dir dir;
  const auto yaml = dir.write("events.yml", "- alert:\n    level: high\n    count: 3\n- ok: yes\n");
  const auto json = dir.write("events.json", R"([{"n": 1.5}, {"s": "two"}])");
  const auto single = dir.write("one.yml", "x: 1\n");
  const auto empty = dir.write("empty.yml", "");
  {
    harness h;
    h.run("generic", {{"payload_file", yaml.string()}});
    REQUIRE(h.sink.events.size() == 2);
    CHECK(h.sink.events[0] == value::parse(R"({"alert": {"level": "high", "count": 3}})"));
    CHECK(h.sink.events[0]["alert"]["count"].is_number_integer());
  }
  {
    harness h;
    h.run("generic", {{"payload_file", json.string()}, {"payload", {{"ignored", true}}}});
    CHECK(value(h.sink.events) == value::parse(R"([{"n": 1.5}, {"s": "two"}])"));
  }
  {
    harness h;
    h.run("generic", {{"payload_file", single.string()}, {"repeat_count", 2}});
    CHECK(value(h.sink.events) == value::parse(R"([{"x": 1}, {"x": 1}])"));
  }
  {
    harness h;
    h.run("generic", {{"payload_file", empty.string()}});
    CHECK(h.sink.events.empty());
    CHECK(h.end == source_end::finished);
  }
  {
    dir.enter();
    harness h;
    h.run("generic", {{"payload_file", "events.json"}});
    CHECK(h.sink.events.size() == 2);
  }
}

TEST_CASE("generic: payload_file problems are load errors") {
  scratch_dir dir;
  const auto bad = dir.write("bad.yml", "- a: [1, 2\n");
  const auto scalar = dir.write("scalar.yml", "- 42\n");
  CHECK(make_error("generic", {{"payload_file", "/nonexistent/x.yml"}}) ==
        "generic: argument 'payload_file': file /nonexistent/x.yml not found");
  CHECK(make_error("generic", {{"payload_file", dir.path.string()}}) ==
        "generic: argument 'payload_file': file " + dir.path.string() + " not found");
  const std::string parse_error = make_error("generic", {{"payload_file", bad.string()}});
  CAPTURE(parse_error);
  CHECK(parse_error.rfind("generic: argument 'payload_file': " + bad.string() + ":", 0) == 0);
  CHECK(make_error("generic", {{"payload_file", scalar.string()}}) ==
        "generic: payload entry 0 must be a mapping (an event), got 42");
  CHECK(make_error("generic", {{"payload_file", 3}}) ==
        "generic: argument 'payload_file' must be a string, got 3");
  CHECK(make_error("generic", {{"payload_file", ""}}) ==
        "generic: argument 'payload_file' must be a file path, got \"\"");
}

TEST_CASE("generic: check_env_vars") {
  ::setenv("RB_GENERIC_TEST_A", "abc", 1);
  ::setenv("RB_GENERIC_TEST_PORT", "8080", 1);
  ::unsetenv("RB_GENERIC_TEST_MISSING");
  CHECK(make_error("generic",
                   args_with({{"check_env_vars",
                               {{"RB_GENERIC_TEST_A", "abc"}, {"RB_GENERIC_TEST_PORT", 8080}}}}))
            .empty());
  CHECK(
      make_error("generic", args_with({{"check_env_vars", {{"RB_GENERIC_TEST_MISSING", "x"}}}})) ==
      "generic: Env Var RB_GENERIC_TEST_MISSING is required");
  CHECK(make_error("generic", args_with({{"check_env_vars", {{"RB_GENERIC_TEST_A", "xyz"}}}})) ==
        "generic: Env Var RB_GENERIC_TEST_A expected: xyz passed in: abc");
  CHECK(make_error("generic", args_with({{"check_env_vars", "RB_GENERIC_TEST_A"}})) ==
        "generic: argument 'check_env_vars' must be a mapping of NAME: value, got "
        "\"RB_GENERIC_TEST_A\"");
}

TEST_CASE("generic: numbers as strings are accepted") {
  harness h;
  h.run("generic", args_with({{"loop_count", "2"},
                              {"repeat_count", " 1 "},
                              {"event_delay", "0"},
                              {"blob_size", "2"}}));
  CHECK(h.sink.events.size() == 4);
  CHECK(h.sink.events[0]["blob"] == "xx");
}

TEST_CASE("generic: bad arguments are load errors naming the argument") {
  CHECK(make_error("generic", value::object()) ==
        "generic: argument 'payload' (or 'payload_file') is required");
  CHECK(make_error("generic", {{"payload", value::parse(R"([{"a": 1}, "text"])")}}) ==
        "generic: payload entry 1 must be a mapping (an event), got \"text\"");
  CHECK(make_error("generic", args_with({{"loop_count", "many"}})) ==
        "generic: argument 'loop_count' must be an integer (-1 for forever), got \"many\"");
  CHECK(make_error("generic", args_with({{"repeat_count", -1}})) ==
        "generic: argument 'repeat_count' must be a non-negative integer, got -1");
  CHECK(make_error("generic", args_with({{"blob_size", -5}})) ==
        "generic: argument 'blob_size' must be a non-negative integer (bytes), got -5");
  CHECK(make_error("generic", args_with({{"create_index", 1}})) ==
        "generic: argument 'create_index' must be a string, got 1");
  CHECK(make_error("generic", args_with({{"timestamp", "yes"}})) ==
        "generic: argument 'timestamp' must be true or false, got \"yes\"");
  CHECK(make_error("generic", args_with({{"display", 1}})) ==
        "generic: argument 'display' must be true or false, got 1");
  CHECK(make_error("generic", args_with({{"randomize", "no"}})) ==
        "generic: argument 'randomize' must be true or false, got \"no\"");
  for (const char* key :
       {"startup_delay", "event_delay", "repeat_delay", "loop_delay", "shutdown_after"}) {
    CHECK(make_error("generic", args_with({{key, -0.5}})) ==
          std::string("generic: argument '") + key +
              "' must be a non-negative number of seconds, got -0.5");
  }
  // Unknown arguments are ignored, as ansible-rulebook ignores them; null means the default.
  CHECK(make_error("generic", args_with({{"unknown", 1}, {"loop_count", nullptr}})).empty());
}
