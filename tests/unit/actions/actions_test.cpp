#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "actions/action.h"

using namespace rb::actions;
using rb::value;

namespace {

// Captures what an action prints.
struct captured_output {
  char* buf = nullptr;
  std::size_t size = 0;
  std::FILE* file = open_memstream(&buf, &size);
  ~captured_output() {
    std::fclose(file);
    std::free(buf);
  }
  std::string text() {
    std::fflush(file);
    return std::string(buf, size);
  }
};

struct firing_fixture {
  value event = value::parse(R"({"i": 7, "meta": {"source": {"name": "s"}}})");
  value vars = value::parse(R"({"who": "world"})");
  value facts_set = value::object();
  firing f;
  firing_fixture() {
    f.ruleset = "rs";
    f.rule = "r";
    f.event = &event;
    f.vars = &vars;
    f.facts_set = &facts_set;
  }
};

}  // namespace

TEST_CASE("none reports noop and does nothing") {
  auto a = make_action("none", nullptr);
  CHECK(a->audit_name() == "noop");
  firing_fixture fx;
  services svc;
  CHECK(a->run(fx.f, value::object(), svc).ok);
}

TEST_CASE("debug prints msg, lists of msg, and var") {
  captured_output out;
  services svc;
  svc.out = out.file;
  firing_fixture fx;
  const value msg_args = {{"msg", "hello"}};
  CHECK(make_action("debug", msg_args)->run(fx.f, msg_args, svc).ok);
  const value list_args = {{"msg", {"a1", "b2"}}};
  CHECK(make_action("debug", list_args)->run(fx.f, list_args, svc).ok);
  const value var_args = {{"var", "event.i"}};
  CHECK(make_action("debug", var_args)->run(fx.f, var_args, svc).ok);
  const std::string text = out.text();
  CHECK(text.find("[debug]") != std::string::npos);
  CHECK(text.find("\nhello\n") != std::string::npos);
  CHECK(text.find("\na1\n") != std::string::npos);
  CHECK(text.find("\nb2\n") != std::string::npos);
  CHECK(text.find("event.i: 7") != std::string::npos);

  const value missing = {{"var", "event.nope"}};
  const auto r = make_action("debug", missing)->run(fx.f, missing, svc);
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("event.nope") != std::string::npos);
}

TEST_CASE("debug var that does not exist: which step is missing and the variables, masked") {
  services svc;
  firing_fixture fx;
  fx.vars = value::parse(R"({"who": "world", "api": {"token": "******", "url": "u"}})");
  const value top = {{"var", "nope"}};
  const auto r1 = make_action("debug", top)->run(fx.f, top, svc);
  CHECK_FALSE(r1.ok);
  CHECK(r1.error ==
        "debug: Key nope not found in variable pool; the variables are: who='world', "
        "api={'token': '******', 'url': 'u'}, event={'i': 7, 'meta': {'source': {'name': 's'}}}");
  const value nested = {{"var", "api.secret.x"}};
  const auto r2 = make_action("debug", nested)->run(fx.f, nested, svc);
  CHECK(r2.error.rfind("debug: Key api.secret.x not found in variable pool: 'api' has no key "
                       "'secret' (its keys: token, url); the variables are: who='world', ",
                       0) == 0);
  // Long values are cut so the line stays readable.
  fx.vars = value::parse(R"({"big": ")" + std::string(500, 'x') + R"("})");
  const auto r3 = make_action("debug", top)->run(fx.f, top, svc);
  CHECK(r3.error.find("big='" + std::string(59, 'x') + "...") != std::string::npos);
  CHECK(r3.error.size() < 300);
}

TEST_CASE("print_event prints the event, pretty on request") {
  captured_output out;
  services svc;
  svc.out = out.file;
  firing_fixture fx;
  CHECK(make_action("print_event", nullptr)->run(fx.f, value::object(), svc).ok);
  const value pretty = {{"pretty", true}};
  CHECK(make_action("print_event", pretty)->run(fx.f, pretty, svc).ok);
  const std::string text = out.text();
  CHECK(text.find("[event]") != std::string::npos);
  CHECK(text.find(R"({"i":7,)") != std::string::npos);
  CHECK(text.find("    \"i\": 7") != std::string::npos);
}

TEST_CASE("shutdown asks the engine to stop and reports its arguments") {
  captured_output out;
  services svc;
  svc.out = out.file;
  shutdown_request seen;
  int calls = 0;
  svc.request_shutdown = [&](const shutdown_request& r) {
    seen = r;
    ++calls;
  };
  firing_fixture fx;
  const value args = {{"delay", 1.5}, {"message", "bye"}, {"kind", "now"}};
  const auto r = make_action("shutdown", args)->run(fx.f, args, svc);
  CHECK(r.ok);
  CHECK(calls == 1);
  CHECK(seen.kind == shutdown_kind::now);
  CHECK(seen.delay_seconds == doctest::Approx(1.5));
  CHECK(seen.message == "bye");
  CHECK(r.extra["kind"] == "now");
  CHECK(out.text().find("has initiated shutdown of type: now") != std::string::npos);
}

TEST_CASE("bad arguments and unsupported actions throw naming the problem") {
  auto message = [](const char* type, const value& args) -> std::string {
    try {
      make_action(type, args);
    } catch (const action_error& e) {
      return e.what();
    }
    return "";
  };
  CHECK(message("debug", value{{"msgs", "x"}}).find("'msgs'") != std::string::npos);
  CHECK(message("shutdown", value{{"kind", "later"}}).find("'kind'") != std::string::npos);
  CHECK(message("shutdown", value{{"delay", -1}}).find("'delay'") != std::string::npos);
  CHECK(message("print_event", value{{"pretty", "yes"}}).find("'pretty'") != std::string::npos);
  CHECK(message("post_event", value::object()).find("'event'") != std::string::npos);
  CHECK(message("set_fact", value{{"fact", 1}}).find("'fact'") != std::string::npos);
  CHECK(message("retract_fact", value{{"fact", value::object()}, {"partial", "no"}})
            .find("'partial'") != std::string::npos);
  CHECK(message("no_such_action", value{{"name", "x.yml"}}).find("not supported yet") !=
        std::string::npos);
  CHECK(message("run_playbook", value::object()).find("'name'") != std::string::npos);
  CHECK(message("run_module", value{{"name", "m"}, {"modul_args", 1}}).find("'modul_args'") !=
        std::string::npos);
  CHECK(is_supported("debug"));
  CHECK(is_supported("run_playbook"));
  CHECK_FALSE(is_supported("no_such_action"));
}

TEST_CASE("debug without arguments prints the firing, its variables and the ruleset's facts") {
  captured_output out;
  services svc;
  svc.out = out.file;
  svc.facts = [](std::string_view rs) { return value{{{"ruleset", std::string(rs)}}}; };
  firing_fixture fx;
  CHECK(make_action("debug", nullptr)->run(fx.f, value::object(), svc).ok);
  const std::string text = out.text();
  CHECK(text.find("[debug: kwargs]") != std::string::npos);
  CHECK(text.find("\"who\": \"world\"") != std::string::npos);
  CHECK(text.find("\"rule_set\": \"rs\"") != std::string::npos);
  CHECK(text.find("[debug: facts]") != std::string::npos);
  CHECK(text.find("\"ruleset\": \"rs\"") != std::string::npos);
}

TEST_CASE("debug prints values as Python's str() does") {
  captured_output out;
  services svc;
  svc.out = out.file;
  firing_fixture fx;
  const value args = {{"msg", value::parse(R"({"a": [1, "x", true, null]})")}};
  CHECK(make_action("debug", args)->run(fx.f, args, svc).ok);
  CHECK(out.text().find("{'a': [1, 'x', True, None]}") != std::string::npos);
}

TEST_CASE("print_event prints events for multi-event firings") {
  captured_output out;
  services svc;
  svc.out = out.file;
  firing_fixture fx;
  const value events = value::parse(R"({"m_0": {"a": 1}, "m_1": {"b": 2}})");
  fx.f.event = nullptr;
  fx.f.events = &events;
  CHECK(make_action("print_event", nullptr)->run(fx.f, value::object(), svc).ok);
  CHECK(out.text().find(R"({"m_0":{"a":1},"m_1":{"b":2}})") != std::string::npos);
}

TEST_CASE(
    "post_event, set_fact, retract_fact call the engine with the ruleset, default their own") {
  services svc;
  std::vector<std::string> calls;
  svc.post_event = [&](std::string_view rs, value&& e) {
    calls.push_back("post " + std::string(rs) + " " + e.dump());
    return std::string();
  };
  svc.set_fact = [&](std::string_view rs, value&& f) {
    calls.push_back("set " + std::string(rs) + " " + f.dump());
    return rs == "nowhere" ? std::string("unknown ruleset 'nowhere'") : std::string();
  };
  svc.retract_fact = [&](std::string_view rs, const value& f, bool partial) {
    calls.push_back("retract " + std::string(rs) + " " + f.dump() + (partial ? " partial" : ""));
    return std::string();
  };
  firing_fixture fx;
  const value post = {{"event", {{"x", 1}}}};
  CHECK(make_action("post_event", post)->run(fx.f, post, svc).ok);
  const value set = {{"fact", {{"y", 2}}}, {"ruleset", "other"}};
  CHECK(make_action("set_fact", set)->run(fx.f, set, svc).ok);
  CHECK(fx.facts_set == value{{"y", 2}});  // later actions of the firing see it as `fact`
  const value retract = {{"fact", {{"y", 2}}}};
  CHECK(make_action("retract_fact", retract)->run(fx.f, retract, svc).ok);
  const value full = {{"fact", {{"y", 2}}}, {"partial", false}};
  CHECK(make_action("retract_fact", full)->run(fx.f, full, svc).ok);
  const value unknown = {{"fact", {{"z", 3}}}, {"ruleset", "nowhere"}};
  const auto r = make_action("set_fact", unknown)->run(fx.f, unknown, svc);
  CHECK_FALSE(r.ok);
  CHECK(r.error == "set_fact: unknown ruleset 'nowhere'");
  const value bad = {{"event", 5}};
  CHECK_FALSE(make_action("post_event", post)->run(fx.f, bad, svc).ok);
  REQUIRE(calls.size() == 5);
  CHECK(calls[0] == R"(post rs {"x":1})");
  CHECK(calls[1] == R"(set other {"y":2})");
  CHECK(calls[2] == R"(retract rs {"y":2} partial)");
  CHECK(calls[3] == R"(retract rs {"y":2})");
}
