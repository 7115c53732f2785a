// The monitors' PostgreSQL catalog against a real server (tests/support/pg_server.h): selection by
// datacenter and by agent, the columns' mapping, errors without passwords, and the `monitors`
// source reloading from it (an added and a removed monitor, a failed reload keeping the list).
#include <doctest/doctest.h>

#include <boost/asio/post.hpp>
#include <map>
#include <set>

#include "core/clock.h"
#include "store/monitor_catalog_pg.h"
#include "support/pg_server.h"
#include "unit/sources/source_harness.h"

using rb::value;
using namespace rb::sources;
using namespace rb::sources::test;

namespace {

// Schema and rows: two datacenters in one region, three monitors, one of them disabled.
void seed(const rb::test::pg_server& pg) {
  pg.exec(rb::store::monitor_catalog_ddl);
  pg.exec(R"sql(
    INSERT INTO regions (id, name) VALUES (1, 'us-east');
    INSERT INTO datacenters (id, name, region_id) VALUES (1, 'VA', 1), (2, 'NY', NULL);
    INSERT INTO agents (id, name, datacenter_id) VALUES (7, 'agent-va-1', 1), (8, 'agent-ny-1', 2);
    INSERT INTO schedules (id, name, interval_seconds) VALUES (1, 'fast', 0.1), (2, 'minute', 60);
    INSERT INTO api_monitors (id, name, url, method, headers, body, timeout_seconds, expect,
                              schedule_id, datacenter_id, verify_ssl, ip_version, options)
    VALUES (1, 'home', 'http://127.0.0.1:9/', 'HEAD', '{"Accept": "text/html"}', NULL, 2.5,
            '{"status": [200]}', 1, 1, false, 4, '{"id": "not me", "tag": "web"}'),
           (2, 'api', 'http://127.0.0.1:9/api', 'POST', '{}', '{"q": 1}', 10, '{}', 1, 1, NULL,
            NULL, '{}'),
           (3, 'ny-home', 'http://127.0.0.1:9/ny', 'GET', '{}', NULL, 10, '{}', 2, 2, NULL, NULL,
            '{}');
    SELECT setval('api_monitors_id_seq', 100);  -- after the explicit ids
    INSERT INTO api_monitors (name, url, schedule_id, datacenter_id, enabled)
    VALUES ('off', 'http://127.0.0.1:9/off', 1, 1, false);
  )sql");
}

struct loaded {
  value list;
  std::string error;
  int calls = 0;
};

loaded load_once(const rb::monitor_catalog_query& q, const std::string& default_dsn = "") {
  boost::asio::io_context io;
  std::string error;
  auto catalog = rb::store::open_pg_monitor_catalog(
      q, default_dsn, [&io](std::function<void()> f) { boost::asio::post(io, std::move(f)); },
      error);
  loaded out;
  if (!catalog) {
    out.error = "open: " + error;
    return out;
  }
  auto guard = boost::asio::make_work_guard(io);
  catalog->load([&](value list, std::string err) {
    ++out.calls;
    out.list = std::move(list);
    out.error = std::move(err);
    guard.reset();
  });
  io.run_for(std::chrono::seconds(20));
  return out;
}

std::map<std::string, value> by_name(const value& list) {
  std::map<std::string, value> out;
  for (const value& m : list) out[m["name"].get<std::string>()] = m;
  return out;
}

}  // namespace

TEST_CASE("monitor catalog: a datacenter's enabled monitors with names, region and columns") {
  rb::test::pg_server pg;
  seed(pg);
  rb::monitor_catalog_query q;
  q.dsn = pg.dsn();
  q.datacenter_id = 1;
  const loaded r = load_once(q);
  REQUIRE(r.error == "");
  CHECK(r.calls == 1);
  const auto m = by_name(r.list);
  REQUIRE(m.size() == 2);  // not ny-home (other datacenter), not off (disabled)
  const value& home = m.at("home");
  CHECK(home["id"] == 1);
  CHECK(home["url"] == "http://127.0.0.1:9/");
  CHECK(home["method"] == "HEAD");
  CHECK(home["headers"] == value{{"Accept", "text/html"}});
  CHECK_FALSE(home.contains("body"));  // NULL: left to the source's default
  CHECK(home["timeout"] == 2.5);
  CHECK(home["interval"] == 0.1);
  CHECK(home["expect"] == value::parse(R"({"status": [200]})"));
  CHECK(home["verify_ssl"] == false);
  CHECK(home["ip_version"] == 4);
  CHECK(home["datacenter"] == "VA");
  CHECK(home["region"] == "us-east");
  CHECK(home["schedule"] == "fast");
  CHECK(home["tag"] == "web");  // from options; its "id" loses to the column
  CHECK_FALSE(home.contains("enabled"));
  CHECK_FALSE(home.contains("options"));
  CHECK(m.at("api")["body"] == "{\"q\": 1}");
  CHECK_FALSE(m.at("api").contains("verify_ssl"));

  // By agent: its datacenter; and the HA DSN as the default.
  rb::monitor_catalog_query by_agent;
  by_agent.agent_id = 8;
  const loaded ny = load_once(by_agent, pg.dsn_kv());
  REQUIRE(ny.error == "");
  REQUIRE(ny.list.size() == 1);
  CHECK(ny.list[0]["name"] == "ny-home");
  CHECK(ny.list[0]["datacenter"] == "NY");
  CHECK_FALSE(ny.list[0].contains("region"));
  by_agent.agent_id = 99;
  CHECK(load_once(by_agent, pg.dsn()).error == "agent 99 is not in table agents");
}

TEST_CASE("monitor catalog: errors say why and never show the password") {
  rb::monitor_catalog_query q;
  q.datacenter_id = 1;
  CHECK(load_once(q).error.find("no 'dsn' given") != std::string::npos);
  q.dsn =
      "postgresql://rb:hunter2@127.0.0.1:" + std::to_string(rb::test::free_loopback_port()) + "/rb";
  q.timeout = std::chrono::milliseconds(2000);
  const loaded r = load_once(q);
  CHECK(r.calls == 1);
  CHECK(r.error.find("cannot connect to PostgreSQL (rb@127.0.0.1:") != std::string::npos);
  CHECK(r.error.find("hunter2") == std::string::npos);
  q.dsn = "host='unterminated password=hunter2";
  const loaded bad = load_once(q);
  CHECK(bad.error.find("open: libpq cannot use it") != std::string::npos);
  CHECK(bad.error.find("hunter2") == std::string::npos);
}

TEST_CASE("monitors source: reloads from PostgreSQL pick up added and removed monitors") {
  rb::test::pg_server pg;
  seed(pg);
  harness h;
  source_env env = h.env();
  env.monitor_catalogs = rb::store::pg_monitor_catalogs(
      pg.dsn(), [&h](std::function<void()> f) { boost::asio::post(h.io, std::move(f)); });
  h.src = make_builtin("monitors", {{"agent_id", 7}, {"reload_interval", 1}}, std::move(env));
  std::map<std::string, int> seen;
  h.sink.on_put = [&](const value& e) { ++seen[e["monitor"]["name"].get<std::string>()]; };
  h.start();
  REQUIRE(h.run_until([&] { return seen["api"] >= 3; }));  // the first load is in
  pg.exec(R"sql(
    INSERT INTO api_monitors (name, url, schedule_id, datacenter_id)
    VALUES ('added', 'http://127.0.0.1:9/added', 1, 1);
    DELETE FROM api_monitors WHERE name = 'api';
  )sql");
  const std::int64_t changed_at = rb::utc_now_us() / 1000;
  REQUIRE(h.run_until([&] { return seen["added"] >= 5; }));  // the next reload saw the change
  // A failed reload keeps the list: the server goes away, the monitors go on.
  pg.stop();
  const std::size_t before_stop = h.sink.events.size();
  h.io.restart();
  h.io.run_for(std::chrono::milliseconds(1300));
  h.stop();
  h.io.run();
  h.check_contract();
  std::map<std::string, std::vector<std::int64_t>> slots;
  for (const value& e : h.sink.events) {
    const auto us = rb::parse_utc_iso(e["scheduled_at"].get<std::string>());
    REQUIRE(us.has_value());
    slots[e["monitor"]["name"].get<std::string>()].push_back(*us / 1000);
    CHECK(e["monitor"]["datacenter"] == "VA");
  }
  CHECK(slots.count("ny-home") == 0);
  CHECK(slots.count("off") == 0);
  REQUIRE(slots["added"].size() >= 5);
  CHECK(slots["added"].front() >= changed_at);
  REQUIRE(slots["api"].size() >= 3);
  CHECK(slots["api"].back() <= slots["added"].front());  // gone with the reload that added it
  CHECK(h.sink.events.size() >= before_stop + 20);       // home and added, 1.3 s at 0.1 s
  const auto& home = slots["home"];
  for (std::size_t i = 1; i < home.size(); ++i) CHECK(home[i] - home[i - 1] == 100);
}
