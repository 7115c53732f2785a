// What actions see: masked secrets for debug, var_root, dotted paths.
#include "actions/variables.h"

#include <doctest/doctest.h>

using namespace rb::actions;
using rb::value;

TEST_CASE("91 mask sensitive variables: keys holding token/password/key/passphrase/secret") {
  const value vars = value::parse(R"({
    "controller_username": "admin", "controller_password": "dummy", "tower_password": "dummy",
    "aap_password": "dummy", "postgres_db_password": "dummy", "private_key": "dummy",
    "API_TOKEN": "t", "client_Secret": "s", "ssh_passphrase": "p", "count_key": 5,
    "nested": {"db": {"password": "x", "host": "h"}, "list": [{"token": "y"}, "plain"]}
  })");
  const value m = mask_secrets(vars);
  CHECK(m["controller_username"] == "admin");
  for (const char* k :
       {"controller_password", "tower_password", "aap_password", "postgres_db_password",
        "private_key", "API_TOKEN", "client_Secret", "ssh_passphrase"})
    CHECK_MESSAGE(m[k] == "******", k);
  CHECK(m["count_key"] == 5);  // only strings are masked, as in ansible-rulebook
  CHECK(m["nested"]["db"]["password"] == "******");
  CHECK(m["nested"]["db"]["host"] == "h");
  CHECK(m["nested"]["list"][0]["token"] == "******");
  CHECK(m["nested"]["list"][1] == "plain");
  CHECK(vars["private_key"] == "dummy");  // the original is untouched
}

TEST_CASE("var_root on a single event: the first path holding a truthy value") {
  const value ev = value::parse(R"({"webhook": {"payload": {"url": "u"}}, "empty": {}, "z": 0})");
  CHECK(apply_var_root(ev, "webhook.payload") == value::parse(R"({"url": "u"})"));
  CHECK(apply_var_root(ev, "webhook.payload.url") == value("u"));
  CHECK_FALSE(apply_var_root(ev, "nope").has_value());
  CHECK_FALSE(apply_var_root(ev, "empty").has_value());  // falsy: the event stays
  CHECK_FALSE(apply_var_root(ev, "z").has_value());
  CHECK(apply_var_root(ev, value::parse(R"({"nope": "a", "webhook": "b"})")) ==
        value::parse(R"({"payload": {"url": "u"}})"));
}

TEST_CASE("27 var_root on events: each event's value goes under the given name") {
  const value events = value::parse(R"({
    "webhook": {"webhook": {"payload": {"url": "http://www.example.com", "action": "merge"}}},
    "kafka": {"kafka": {"message": {"topic": "testing", "channel": "red"}}}})");
  const value root = value::parse(R"({"webhook.payload": "webhook", "kafka.message": "kafka"})");
  CHECK(apply_var_root_events(events, root) == value::parse(R"({
    "webhook": {"url": "http://www.example.com", "action": "merge"},
    "kafka": {"topic": "testing", "channel": "red"}})"));
}

TEST_CASE("dotted paths go through objects and list indexes") {
  const value v = value::parse(R"({"a": {"b": [10, {"c": 3}]}})");
  REQUIRE(dotted_get(v, "a.b.1.c"));
  CHECK(*dotted_get(v, "a.b.1.c") == 3);
  CHECK(*dotted_get(v, "a.b.0") == 10);
  CHECK(dotted_get(v, "a.b.2") == nullptr);
  CHECK(dotted_get(v, "a.x") == nullptr);
  CHECK(dotted_get(v, "a.b.c") == nullptr);
}
