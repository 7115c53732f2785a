// Event filters end to end: json_filter, dashes_to_underscores, normalize_keys,
// insert_hosts_to_meta, event_splitter and noop under their three names, chained in order, one
// event split into several, and the error paths (raise_error, bad arguments).
// Events are compared with ==, which on ordered values checks key order too.
#include <set>

#include "conformance.h"

using namespace conformance;

namespace {

// The Action records of one ruleset, in order (rulesets run side by side; each one's own records
// are in order).
std::vector<value> records_of(const outcome& o, const std::string& ruleset) {
  std::vector<value> out;
  for (const auto& r : o.action_records())
    if (r["ruleset"] == ruleset) out.push_back(r);
  return out;
}

std::vector<value> source_records(const outcome& o) {
  std::vector<value> out;
  for (const auto& r : o.records)
    if (r.value("type", "") == "Source") out.push_back(r);
  return out;
}

const value& meta_of(const value& record, const char* name = "m") {
  return record["matching_events"][name]["meta"];
}

}  // namespace

TEST_CASE("json_filter: exclude_keys at every level, fnmatch patterns, include_keys wins") {
  const auto o = run("filters_json.yml");
  REQUIRE(o.run.exit_code == 0);
  const auto patterns = records_of(o, "patterns");
  REQUIRE(patterns.size() == 1);
  CHECK(patterns[0]["rule"] == "filtered");
  CHECK(patterns[0]["action"] == "debug");
  // password, *_url, tmp?, [xy]_* and internal go at every depth of mappings; html_url and x_keep
  // are shielded by include_keys, but x_keep's own keys are still filtered; lists are not entered.
  CHECK(events_of(patterns[0]) == value::parse(R"({"m": {
      "id": 1, "html_url": "https://example.com/pr/1", "tmp12": "kept", "z_c": "kept",
      "x_keep": {"v": 1}, "nested": {"deeper": {"name": "kept"}},
      "items": [{"password": "lists are not searched"}]}})"));
  // The engine's meta comes after the filters: exclude_keys cannot remove it.
  CHECK(meta_of(patterns[0])["source"]["name"] == "api");

  // ansible-rulebook's 60_json_filter: exclude everything but the included paths.
  const auto sixty = records_of(o, "60 json filter");
  REQUIRE(sixty.size() == 1);
  CHECK(sixty[0]["rule"] == "r1");
  CHECK(events_of(sixty[0]) ==
        value::parse(R"({"m": {"key3": {"key4": {"f_use_1": 42, "f_use_2": 45}}}})"));
  CHECK(meta_of(sixty[0])["source"]["name"] == "eda.builtin.generic");
  CHECK(o.out_has("Hurray filtering works"));
  CHECK_FALSE(o.out_has("never"));
  CHECK_FALSE(o.out_has("Should never fire"));
  CHECK(o.action_records().size() == 2);
}

TEST_CASE("dashes_to_underscores: every level and lists; overwrite true and false") {
  const auto o = run("filters_dashes.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.action_records().size() == 2);
  // Renamed keys move to the end of their mapping; with overwrite (the default) x-y's value
  // replaces x_y's in place.
  const auto def = records_of(o, "overwrite default");
  REQUIRE(def.size() == 1);
  CHECK(def[0]["rule"] == "renamed");
  CHECK(events_of(def[0]) == value::parse(R"({"m": {
      "x_y": "new", "nested": {"list": [{"c_d": 2}], "a_b": 1}, "keep_me": 1,
      "server_name": "web01", "app_version": "1.0"}})"));
  // overwrite: false drops x-y and its value.
  const auto no = records_of(o, "overwrite false");
  REQUIRE(no.size() == 1);
  CHECK(events_of(no[0]) == value::parse(R"({"m": {
      "x_y": "old", "nested": {"list": [{"c_d": 2}], "a_b": 1}, "keep_me": 1,
      "server_name": "web01", "app_version": "1.0"}})"));
}

TEST_CASE("normalize_keys: runs of non-word characters become '_'; overwrite true and false") {
  const auto o = run("filters_normalize.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.action_records().size() == 2);
  // Keys keep their places; a-b overwrites a_b (the default); Unicode letters are word
  // characters; lists are entered.
  const auto def = records_of(o, "overwrite default");
  REQUIRE(def.size() == 1);
  CHECK(def[0]["rule"] == "normalized");
  CHECK(events_of(def[0]) == value::parse(R"({"m": {
      "server_name": "web01", "app_version": "1.0", "data_key": "v", "server_com_abc": 1,
      "a_b": "renamed", "nested": {"x_y": [{"p_q": 1}]}, "h\u00e9llo_w\u00f6rld": 1}})"));
  // overwrite: false keeps the original a_b; c.d and c/d both become c_d, which is no original
  // key, so the later one wins whatever overwrite says (as in ansible-rulebook).
  const auto no = records_of(o, "overwrite false");
  REQUIRE(no.size() == 1);
  CHECK(events_of(no[0]) == value::parse(R"({"m": {
      "server_name": "web01", "a_b": "original", "c_d": "second"}})"));
}

TEST_CASE("insert_hosts_to_meta: host_path, path_separator, host_separator, log_error") {
  const auto o = run("filters_hosts.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.action_records().size() == 5);

  const auto one = records_of(o, "string");
  REQUIRE(one.size() == 1);
  CHECK(one[0]["rule"] == "one host");
  CHECK(meta_of(one[0])["hosts"] == value::parse(R"(["webserver"])"));
  CHECK(meta_of(one[0])["source"]["name"] == "generic");  // the engine's meta is added too
  CHECK(meta_of(one[0])["uuid"].get<std::string>().size() == 36);
  CHECK(events_of(one[0]) == value::parse(R"({"m": {"app": {"target": "webserver"}}})"));

  const auto split = records_of(o, "separators");
  REQUIRE(split.size() == 1);
  CHECK(meta_of(split[0])["hosts"] == value::parse(R"(["web1", "web2", "db1"])"));
  CHECK(events_of(split[0]) == value::parse(R"({"m": {"app": {"targets": "web1;web2;db1"}}})"));

  // A list is taken as is and replaces an existing meta.hosts; other meta keys stay.
  const auto list = records_of(o, "list");
  REQUIRE(list.size() == 1);
  CHECK(meta_of(list[0])["hosts"] == value::parse(R"(["web1", "web2"])"));
  CHECK(meta_of(list[0])["tag"] == "kept");
  CHECK(events_of(list[0]) == value::parse(R"({"m": {"app": {"targets": ["web1", "web2"]}}})"));

  // A missing path: the event passes unchanged, logged unless log_error is false.
  for (const char* name : {"logged", "quiet"}) {
    const auto missing = records_of(o, std::string("missing ") + name);
    REQUIRE(missing.size() == 1);
    CHECK(missing[0]["rule"] == "unchanged");
    CHECK_FALSE(meta_of(missing[0]).contains("hosts"));
    CHECK(events_of(missing[0]) ==
          value::parse(std::string(R"({"m": {"name": ")") + name + R"("}})"));
  }
  CHECK(o.err_has(R"(insert_hosts_to_meta: event {"name":"logged"} does not contain app.nothere)"));
  CHECK_FALSE(o.err_has(R"({"name":"quiet"})"));
}

TEST_CASE("insert_hosts_to_meta raise_error: a missing path fails the source; exit 1") {
  const auto o = run("filters_hosts_raise.yml");
  CHECK(o.run.exit_code == 1);
  // The event before the failing one was matched, with its hosts; the one after was never sent.
  REQUIRE(o.actions() == strings{"alert::debug"});
  const value rec = o.action_records()[0];
  CHECK(events_of(rec) == value::parse(R"({"m": {"app": {"target": "h1"}, "n": 1}})"));
  CHECK(meta_of(rec)["hosts"] == value::parse(R"(["h1"])"));
  const auto failed = source_records(o);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["status"] == "failed");
  CHECK(failed[0]["source"] == "alerts");
  CHECK(failed[0]["ruleset"] == "hosts raise");
  CHECK(failed[0]["message"] ==
        "filter 'eda.builtin.insert_hosts_to_meta' failed: "
        "insert_hosts_to_meta: event {\"n\":2} does not contain app.target");
  CHECK(o.err_has("stopping the source"));
}

TEST_CASE("event_splitter: one event becomes several, each fires its own rule, in order") {
  const auto o = run("filters_splitter.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.actions() == strings{"low::debug", "high::debug", "low::debug", "intact::debug"});
  const auto recs = o.action_records();
  REQUIRE(recs.size() == 4);
  // Each item gets the mapped attributes (a missing path skipped) and the extras, then goes
  // through the next filter (insert_hosts_to_meta) on its own.
  const char* hosts[] = {"h1", "h2", "h3"};
  const char* sevs[] = {"low", "high", "low"};
  std::set<std::string> uuids;
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    value expected = value::object();
    expected["m"] = value::parse(std::string(R"({"host": ")") + hosts[i] + R"(", "sev": ")" +
                                 sevs[i] + R"(", "incident_id": 7, "region": "us-east"})");
    CHECK(events_of(recs[i]) == expected);
    CHECK(meta_of(recs[i])["hosts"] == value::array({hosts[i]}));
    CHECK(meta_of(recs[i])["source"]["name"] == "incidents");
    uuids.insert(meta_of(recs[i])["uuid"].get<std::string>());
  }
  CHECK(uuids.size() == 3);  // each split event is an event of its own
  // The empty list gave nothing; the event without incident.alerts passed intact.
  CHECK(events_of(recs[3]) == value::parse(R"({"m": {"other": 1}})"));
  CHECK_FALSE(meta_of(recs[3]).contains("hosts"));
  CHECK(o.err_has("event_splitter: attributes_key_map path incident.nothere missing, skipping"));
  CHECK(o.err_has("event_splitter: key incident.alerts doesn't exist, leaving event intact"));
}

TEST_CASE("event_splitter raise_error: a missing splitter_key fails the source; exit 1") {
  const auto o = run("filters_splitter_raise.yml");
  CHECK(o.run.exit_code == 1);
  REQUIRE(o.actions() == strings{"alert::debug", "alert::debug"});
  const auto recs = o.action_records();
  CHECK(events_of(recs[0]) == value::parse(R"({"m": {"n": 1}})"));
  CHECK(events_of(recs[1]) == value::parse(R"({"m": {"n": 2}})"));
  const auto failed = source_records(o);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["source"] == "batches");
  CHECK(failed[0]["message"] ==
        "filter 'ansible.eda.event_splitter' failed: event_splitter: key alerts doesn't exist");
}

TEST_CASE("filters run in the order they are listed") {
  const auto o = run("filters_chain.yml");
  REQUIRE(o.run.exit_code == 0);
  const auto first = records_of(o, "dashes then json");
  REQUIRE(first.size() == 1);
  CHECK(events_of(first[0]) == value::parse(R"({"m": {"db_host": "h"}})"));
  const auto second = records_of(o, "json then dashes");
  REQUIRE(second.size() == 1);
  CHECK(events_of(second[0]) == value::parse(R"({"m": {"db_secret": "s", "db_host": "h"}})"));
}

TEST_CASE("every filter under its short, eda.builtin. and ansible.eda. names") {
  const auto o = run("filters_names.yml");
  REQUIRE(o.run.exit_code == 0);
  CHECK(o.action_records().size() == 6);
  for (const char* ruleset : {"short", "eda.builtin", "ansible.eda"}) {
    CAPTURE(ruleset);
    const auto recs = records_of(o, ruleset);
    REQUIRE(recs.size() == 2);
    CHECK(recs[0]["rule"] == "filtered");
    // noop, event_splitter, dashes_to_underscores, normalize_keys, json_filter and
    // insert_hosts_to_meta each did their part.
    CHECK(events_of(recs[0]) ==
          value::parse(R"({"m": {"target": {"host_name": "web1"}, "app_version": "1.0"}})"));
    CHECK(events_of(recs[1]) ==
          value::parse(R"({"m": {"target": {"host_name": "web2"}, "app_version": "2.0"}})"));
    CHECK(meta_of(recs[0])["hosts"] == value::parse(R"(["web1"])"));
    CHECK(meta_of(recs[1])["hosts"] == value::parse(R"(["web2"])"));
  }
}

TEST_CASE("bad filter arguments and unknown filters: start-up errors with file:line:col; exit 1") {
  const auto o = run("filters_bad_args.yml");
  CHECK(o.run.exit_code == 1);
  CHECK(o.records.empty());
  CHECK(o.run.out.empty());
  const std::string file = rulebook_path("filters_bad_args.yml");
  CHECK(o.err_has(file + ":13:11: source 'api': json_filter: unknown argument 'exclude_key' " +
                  "(allowed: include_keys, exclude_keys)"));
  CHECK(o.err_has(file + ":15:11: source 'api': dashes_to_underscores: argument 'overwrite' " +
                  "must be true or false"));
  CHECK(o.err_has(file + ":17:11: source 'api': event_splitter: argument 'splitter_key' " +
                  "must be given, as a non-empty string"));
  CHECK(o.err_has(file + ":19:11: source 'api': event filter 'eda.builtin.no_such_filter' " +
                  "not found"));
}
