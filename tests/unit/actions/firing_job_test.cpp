// firing_job: what each action of a firing sees (templates, var_root, masked variables, facts set
// earlier), the audit records it writes, and start-up errors of prepare_action.
#include "actions/firing_job.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "actions/audit_log.h"
#include "actions/dispatcher.h"

using namespace rb::actions;
using rb::value;

namespace {

prepared_action prepared(const char* type, const char* args_json) {
  auto r = prepare_action(type, args_json ? value::parse(args_json) : value());
  if (auto* err = std::get_if<std::string>(&r)) FAIL("prepare_action: " << *err);
  return std::get<prepared_action>(std::move(r));
}

std::string prepare_error(const char* type, const char* args_json) {
  auto r = prepare_action(type, value::parse(args_json));
  if (auto* err = std::get_if<std::string>(&r)) return *err;
  return "";
}

struct fixture {
  std::string dir = std::filesystem::temp_directory_path() /
                    ("rb_firing_job_" + std::to_string(::getpid()) + "_" +
                     std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  std::string audit_path;
  std::unique_ptr<audit_log> audit;
  char* buf = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&buf, &size);
  value vars = value::parse(R"({"who": "world", "db_password": "hunter2", "n": 3})");
  value masked = value::parse(R"({"who": "world", "db_password": "******", "n": 3})");
  services svc;
  job_env env;
  rule_info rule;
  boost::asio::io_context io;
  dispatcher d{io, 25};
  std::size_t lane = d.add_lane(false);
  std::vector<std::string> facts_asserted;

  fixture() {
    std::filesystem::create_directories(dir);
    audit_path = dir + "/audit.jsonl";
    audit = std::make_unique<audit_log>(audit_path);
    svc.out = out;
    svc.vars = &vars;
    svc.set_fact = [this](std::string_view rs, value&& f) {
      facts_asserted.push_back(std::string(rs) + " " + f.dump());
      return std::string();
    };
    env.svc = &svc;
    env.vars = &vars;
    env.masked_vars = &masked;
    env.audit = audit.get();
    env.activation_id = "act-1";
    rule.ruleset = "rs";
    rule.ruleset_uuid = "rs-uuid";
    rule.rule = "r1";
    rule.rule_uuid = "r1-uuid";
  }
  ~fixture() {
    std::fclose(out);
    std::free(buf);
    std::filesystem::remove_all(dir);
  }
  void run(std::vector<rb::match::named_event> events) {
    d.submit(lane, std::make_unique<firing_job>(rule, std::move(events), env));
  }
  std::string text() {
    std::fflush(out);
    return std::string(buf, size);
  }
  std::vector<value> records() {
    std::vector<value> recs;
    audit->flush();
    std::ifstream in(audit_path);
    for (std::string line; std::getline(in, line);) recs.push_back(value::parse(line));
    return recs;
  }
};

rb::match::event_ptr ev(const char* json) {
  return std::make_shared<const value>(value::parse(json));
}

}  // namespace

TEST_CASE("templates see event and variables; records carry the matching event as m") {
  fixture fx;
  fx.rule.actions.push_back(prepared("debug", R"({"msg": "hello {{ who }} {{ event.i + n }}"})"));
  fx.rule.actions.push_back(prepared("none", nullptr));
  fx.run({{"m", ev(R"({"i": 4})")}});
  CHECK(fx.text().find("\nhello world 7\n") != std::string::npos);
  const auto recs = fx.records();
  REQUIRE(recs.size() == 2);
  CHECK(recs[0]["type"] == "Action");
  CHECK(recs[0]["action"] == "debug");
  CHECK(recs[0]["status"] == "successful");
  CHECK(recs[0]["ruleset"] == "rs");
  CHECK(recs[0]["ruleset_uuid"] == "rs-uuid");
  CHECK(recs[0]["rule"] == "r1");
  CHECK(recs[0]["rule_uuid"] == "r1-uuid");
  CHECK(recs[0]["activation_id"] == "act-1");
  CHECK(recs[0]["matching_events"] == value::parse(R"({"m": {"i": 4}})"));
  CHECK(recs[1]["action"] == "noop");
  CHECK(recs[0]["rule_run_at"] == recs[1]["rule_run_at"]);
  CHECK(recs[0]["action_uuid"] != recs[1]["action_uuid"]);
}

TEST_CASE("multi-event firings: templates see events; records carry every name") {
  fixture fx;
  fx.rule.actions.push_back(prepared("debug", R"({"msg": "{{ events.m_0.a }}{{ events.x.b }}"})"));
  fx.run({{"m_0", ev(R"({"a": 1})")}, {"x", ev(R"({"b": 2})")}});
  CHECK(fx.text().find("\n12\n") != std::string::npos);
  CHECK(fx.records().at(0)["matching_events"] ==
        value::parse(R"({"m_0": {"a": 1}, "x": {"b": 2}})"));
}

TEST_CASE("an undefined name fails that action, recorded with the message; the next one runs") {
  fixture fx;
  fx.rule.actions.push_back(prepared("debug", R"({"msg": "{{ event.nope }}"})"));
  fx.rule.actions.push_back(prepared("debug", R"({"msg": "{{ nobody }}"})"));
  fx.rule.actions.push_back(prepared("debug", R"({"msg": "still here"})"));
  fx.run({{"m", ev(R"({"i": 1})")}});
  const auto recs = fx.records();
  REQUIRE(recs.size() == 3);
  CHECK(recs[0]["status"] == "failed");
  CHECK(recs[0]["message"].get<std::string>().find("'event.nope' is undefined") !=
        std::string::npos);
  CHECK(recs[1]["status"] == "failed");
  CHECK(recs[1]["message"].get<std::string>().find("nobody") != std::string::npos);
  CHECK(recs[2]["status"] == "successful");
  CHECK(fx.text().find("still here") != std::string::npos);
  CHECK(fx.text().find("\n\n") == std::string::npos);  // never rendered as ""
}

TEST_CASE("debug sees masked variables; other actions the real ones") {
  fixture fx;
  fx.rule.actions.push_back(prepared("debug", R"({"msg": "{{ db_password }}"})"));
  fx.rule.actions.push_back(prepared("debug", R"({"var": "db_password"})"));
  fx.rule.actions.push_back(prepared("set_fact", R"({"fact": {"p": "{{ db_password }}"}})"));
  fx.run({{"m", ev(R"({"i": 1})")}});
  CHECK(fx.text().find("******") != std::string::npos);
  CHECK(fx.text().find("hunter2") == std::string::npos);
  CHECK(fx.text().find("db_password: ******") != std::string::npos);
  REQUIRE(fx.facts_asserted.size() == 1);
  CHECK(fx.facts_asserted[0] == R"(rs {"p":"hunter2"})");
}

TEST_CASE("facts set earlier in the firing are `fact` for the later actions") {
  fixture fx;
  fx.rule.actions.push_back(prepared("set_fact", R"({"fact": {"a": "{{ event.i }}"}})"));
  fx.rule.actions.push_back(prepared("set_fact", R"({"fact": {"b": 2}, "ruleset": "other"})"));
  fx.rule.actions.push_back(prepared("debug", R"({"msg": "a={{ fact.a }} b={{ fact.b }}"})"));
  fx.run({{"m", ev(R"({"i": 9})")}});
  CHECK(fx.text().find("\na=9 b=2\n") != std::string::npos);
  CHECK(fx.facts_asserted == std::vector<std::string>{R"(rs {"a":9})", R"(other {"b":2})"});
}

TEST_CASE("27 var_root: print_event and the record show the chosen parts") {
  fixture fx;
  fx.rule.actions.push_back(prepared(
      "print_event", R"({"var_root": {"webhook.payload": "webhook", "kafka.message": "kafka"}})"));
  fx.run({{"webhook", ev(R"({"webhook": {"payload": {"url": "u", "action": "merge"}}})")},
          {"kafka", ev(R"({"kafka": {"message": {"topic": "t", "channel": "red"}}})")}});
  const value expected = value::parse(
      R"({"webhook": {"url": "u", "action": "merge"}, "kafka": {"topic": "t", "channel": "red"}})");
  CHECK(fx.records().at(0)["matching_events"] == expected);
  CHECK(fx.text().find(expected.dump()) != std::string::npos);
}

TEST_CASE("var_root on a single event replaces `event` for templates and the record") {
  fixture fx;
  auto a = prepared("debug", R"({"msg": "{{ event.url }}"})");
  a.var_root = "payload";  // the loader accepts var_root on print_event only; the job on any
  fx.rule.actions.push_back(std::move(a));
  fx.run({{"m", ev(R"({"payload": {"url": "http://x"}})")}});
  CHECK(fx.text().find("\nhttp://x\n") != std::string::npos);
  CHECK(fx.records().at(0)["matching_events"] == value::parse(R"({"m": {"url": "http://x"}})"));
}

TEST_CASE("lock is rendered and taken out before the action sees its arguments") {
  fixture fx;
  fx.rule.actions.push_back(prepared("debug", R"({"msg": "hi", "lock": "{{ event.host }}"})"));
  auto events = std::vector<rb::match::named_event>{{"m", ev(R"({"host": "h1"})")}};
  firing_job j(fx.rule, events, fx.env);
  auto step = j.prepare(0);
  REQUIRE(std::holds_alternative<job::step>(step));
  CHECK(std::get<job::step>(step).lock == "h1");
  fx.run(events);
  CHECK(fx.records().at(0)["status"] == "successful");  // debug did not see `lock`
}

TEST_CASE("prepare_action: argument and template errors at start-up") {
  CHECK(
      prepare_error("debug", R"({"msg": "{{ event.i | nosuchfilter }}"})").find("argument 'msg'") !=
      std::string::npos);
  CHECK(prepare_error("debug", R"({"msg": "{{ event.i | nosuchfilter }}"})").find("nosuchfilter") !=
        std::string::npos);
  CHECK(prepare_error("post_event", R"({"event": {"a": "{{ (1 }}"}})").find("'event.a'") !=
        std::string::npos);
  CHECK(prepare_error("print_event", R"({"var_root": 5})").find("var_root") != std::string::npos);
  CHECK(prepare_error("debug", R"({"nope": 1})").find("'nope'") != std::string::npos);
  CHECK(prepare_error("no_such_action", R"({"name": "x"})").find("not supported yet") !=
        std::string::npos);
}
