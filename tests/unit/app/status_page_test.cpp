// The status page renderer: escaping (names, URLs and reasons come from config and remote
// servers), the empty states, a down monitor and the incidents.
#include "app/status_page.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace rb;
using app::render_status_page;
using app::status_page_info;

namespace {

constexpr std::int64_t now_us = 1795848595000000;  // 2026-11-28T06:49:55Z

bool has(const std::string& page, const std::string& text) {
  return page.find(text) != std::string::npos;
}

status_page_info info() {
  status_page_info i;
  i.role = "leader";
  i.worker_id = "w<1>";
  i.epoch = 7;
  i.generated_at_us = now_us;
  return i;
}

monitor_status monitor(std::string name, bool up) {
  monitor_status m;
  m.name = std::move(name);
  m.last_at_us = now_us - 30'000'000;
  m.last_success = up;
  m.last_status = up ? 200 : 500;
  m.last_total_ms = 12.5;
  m.checks_24h = 1000;
  m.up_24h = up ? 1000 : 999;
  m.checks_7d = 7000;
  m.up_7d = 6990;
  m.buckets.resize(status_summary::bucket_count);
  m.buckets[95] = {3, up ? 0 : 3, up ? 12.5 : -1};
  m.buckets[94] = {3, 1, 25};
  return m;
}

}  // namespace

TEST_CASE("status page: every text from config or a server is escaped") {
  status_summary s;
  s.as_of_us = now_us;
  auto m = monitor("<script>alert(1)</script>", false);
  m.url = "https://x.test/?a=1&b=\"2\"";
  m.last_reason = "<img src=x onerror=alert(2)>";
  s.monitors.push_back(m);
  s.incidents.push_back({"<script>alert(1)</script>", now_us - 120'000'000, 0, 3, "it's <b>"});
  const std::string page = render_status_page(s, info());
  CHECK_FALSE(has(page, "<script"));
  CHECK_FALSE(has(page, "<img"));
  CHECK_FALSE(has(page, "<b>\"2\""));
  CHECK(has(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(has(page, "https://x.test/?a=1&amp;b=&quot;2&quot;"));
  CHECK(has(page, "&lt;img src=x onerror=alert(2)&gt;"));
  CHECK(has(page, "it&#39;s &lt;b&gt;"));
  CHECK(has(page, "worker w&lt;1&gt;"));
  CHECK(app::html_escape("a&<>\"'b") == "a&amp;&lt;&gt;&quot;&#39;b");
}

TEST_CASE("status page: a down monitor, uptime, chart and an ongoing incident") {
  status_summary s;
  s.as_of_us = now_us;
  s.monitors = {monitor("api", true), monitor("shop", false)};
  s.monitors[1].last_reason = "status_code 500 (expected 200)";
  s.incidents.push_back({"shop", now_us - 600'000'000, 0, 10, "status_code 500 (expected 200)"});
  s.incidents.push_back({"api", now_us - 7200'000'000, now_us - 7080'000'000, 2, "timeout"});
  const std::string page = render_status_page(s, info());
  CHECK(has(page, "<meta http-equiv=\"refresh\" content=\"30\">"));
  CHECK(has(page, "<meta name=\"viewport\""));
  CHECK(has(page, "1 of 2 monitors down"));
  CHECK(has(page, "role <b>leader</b>"));
  CHECK(has(page, "epoch 7"));
  CHECK(has(page, "<span class=\"pill up\">UP</span>"));
  CHECK(has(page, "<span class=\"pill down\">DOWN</span>"));
  CHECK(has(page, "24 h <b>100.00 %</b>"));
  CHECK(has(page, "24 h <b>99.90 %</b>"));
  CHECK(has(page, "7 d <b>99.85 %</b>"));  // 6990/7000 = 99.857: floored, never rounded up
  CHECK(has(page, "last check 500 in 12.5 ms, 30 s ago"));
  CHECK(has(page, "<svg viewBox=\"0 0 384 40\""));
  CHECK(has(page, "fill=\"var(--down)\""));
  CHECK(has(page, "fill=\"var(--up)\""));
  CHECK(has(page, "ongoing</b> (10 min)"));
  CHECK(has(page, "2026-11-28 04:51 UTC (2 min)"));
  CHECK(has(page, "@media (max-width:600px)"));
  CHECK_FALSE(has(page, "<script"));
}

TEST_CASE("status page: empty states") {
  auto i = info();
  i.has_store = false;
  i.role = "standalone";
  i.worker_id = "";
  i.epoch = -1;
  std::string page = render_status_page(std::nullopt, i);
  CHECK(has(page, "No heartbeat store"));
  CHECK(has(page, "role <b>standalone</b>"));
  CHECK_FALSE(has(page, "epoch"));

  page = render_status_page(std::nullopt, info());
  CHECK(has(page, "Reading the heartbeat store"));
  status_summary s;
  s.as_of_us = now_us;
  page = render_status_page(s, info());
  CHECK(has(page, "No heartbeats in the last 7 days"));
  s.error = "connection <refused>";
  page = render_status_page(s, info());
  CHECK(has(page, "cannot answer: connection &lt;refused&gt;"));

  s = {};
  s.monitors = {monitor("api", true)};
  page = render_status_page(s, info());
  CHECK(has(page, "All monitors up"));
  CHECK(has(page, "No failed checks in the last 7 days"));
}

TEST_CASE("status page: the engine's monitors give URLs, methods and intervals, escaped") {
  status_summary s;
  s.as_of_us = now_us;
  s.monitors = {monitor("adhoc", true), monitor("api", true), monitor("shop", false)};
  std::vector<monitor_listing> known = {
      {"adhoc", "http://adhoc.test/", "HEAD", 0, false},  // checked by a rule's own arguments
      {"api", "https://x.test/<a>?q=\"1\"&r=2", "POST", 30, true},
      {"new", "http://new.test/", "GET", 5, true},  // scheduled, no heartbeat yet
      {"shop", "javascript:alert(1)//<b>", "GET", 0.5, true},
      {"zz-gone", "http://gone.test/", "GET", 0, false},  // only checked once, no heartbeat
  };
  const std::string page = render_status_page(s, info(), known);
  // The URL escaped, in the text and in the link; the method and interval beside it.
  CHECK(has(page,
            "POST <a href=\"https://x.test/&lt;a&gt;?q=&quot;1&quot;&amp;r=2\" rel=\"noopener "
            "noreferrer nofollow\">https://x.test/&lt;a&gt;?q=&quot;1&quot;&amp;r=2</a> · every "
            "30 s"));
  CHECK_FALSE(has(page, "x.test/<a>"));
  // Not http(s): text only, never a link.
  CHECK(has(page, "GET javascript:alert(1)//&lt;b&gt; · every 0.5 s"));
  CHECK_FALSE(has(page, "href=\"javascript"));
  // Scheduled without a heartbeat: a pending card, between its neighbours by name.
  CHECK(has(page, "<span class=\"name\">new</span><span class=\"pill pending\">PENDING</span>"));
  CHECK(has(page, "no data yet"));
  const auto api = page.find(">api<"), fresh = page.find(">new<"), shop = page.find(">shop<");
  CHECK(api < fresh);
  CHECK(fresh < shop);
  CHECK(shop != std::string::npos);
  // Checked once, never a heartbeat: not shown (a monitor a reload removed does not linger).
  CHECK_FALSE(has(page, "gone.test"));
  // Checked with heartbeats: its URL, no interval.
  CHECK(has(page,
            "HEAD <a href=\"http://adhoc.test/\" rel=\"noopener noreferrer nofollow\">"
            "http://adhoc.test/</a></div>"));
  CHECK(has(page, "1 of 3 monitors down"));

  // Only pending monitors: cards, not the "no heartbeats" note.
  s.monitors.clear();
  std::string only = render_status_page(s, info(), known);
  CHECK(has(only, "Waiting for the first checks"));
  CHECK(has(only, "<span class=\"name\">api</span><span class=\"pill pending\">PENDING</span>"));
  CHECK_FALSE(has(only, "No heartbeats in the last 7 days"));
  // Without the engine's list: as before, names only.
  only = render_status_page(s, info());
  CHECK(has(only, "No heartbeats in the last 7 days"));
  // A store that cannot answer: no pending cards that would pretend to know.
  s.error = "down";
  only = render_status_page(s, info(), known);
  CHECK_FALSE(has(only, "PENDING"));
}

TEST_CASE("status page: reloads every 2 s while it waits for data, every 30 s after") {
  const std::string quick = "<meta http-equiv=\"refresh\" content=\"2\">";
  const std::string slow = "<meta http-equiv=\"refresh\" content=\"30\">";
  std::vector<monitor_listing> known = {{"api", "http://api.test/", "GET", 5, true},
                                        {"new", "http://new.test/", "GET", 5, true}};
  status_summary s;
  s.as_of_us = now_us;
  // Nothing yet: the first summary, then the first heartbeats, are seconds away.
  CHECK(has(render_status_page(std::nullopt, info(), known), quick));
  CHECK(has(render_status_page(s, info(), known), quick));
  CHECK(has(render_status_page(s, info()), quick));
  // One monitor has data, the other is still pending.
  s.monitors = {monitor("api", true)};
  std::string page = render_status_page(s, info(), known);
  CHECK(has(page, "PENDING"));
  CHECK(has(page, quick));
  CHECK(has(page, "refreshes every 2 s until every monitor has data, then every 30 s"));
  // Every monitor has data.
  s.monitors.push_back(monitor("new", false));
  page = render_status_page(s, info(), known);
  CHECK(has(page, slow));
  CHECK(has(page, "This page refreshes every 30 s."));
  // Nothing to wait for: no store, or one that cannot answer (the engine retries on its own).
  auto none = info();
  none.has_store = false;
  CHECK(has(render_status_page(std::nullopt, none), slow));
  s.error = "down";
  CHECK(has(render_status_page(s, info(), known), slow));
}

TEST_CASE("status page: failed checks are in the chart, in red, at their time") {
  status_summary s;
  s.as_of_us = now_us;
  // Every check takes 1200 ms and fails (max_response_ms, a slow 500).
  auto slow = monitor("slow", false);
  slow.buckets.assign(status_summary::bucket_count, {});
  slow.buckets[94] = {180, 180, -1, 1200};
  slow.buckets[95] = {60, 60, -1, 600};
  s.monitors = {slow};
  std::string page = render_status_page(s, info());
  CHECK(has(page, "slowest slice 1200 ms (failed)"));
  CHECK_FALSE(has(page, "slowest slice 0 ms"));
  // Red bars at their time against the slowest: 1200 ms full scale, 600 ms half of it.
  CHECK(has(page, "<rect x=\"376\" y=\"2.0\" width=\"3\" height=\"38.0\" fill=\"var(--down)\"/>"));
  CHECK(has(page, "<rect x=\"380\" y=\"21.0\" width=\"3\" height=\"19.0\" fill=\"var(--down)\"/>"));
  CHECK_FALSE(has(page, "fill=\"var(--up)\""));

  // Some failed: a green bar at the successes' time, a red mark at the failures' over it.
  auto mixed = monitor("mixed", true);
  mixed.buckets.assign(status_summary::bucket_count, {});
  mixed.buckets[0] = {10, 2, 100, 400};
  mixed.buckets[1] = {10, 0, 200, -1};
  mixed.buckets[2] = {10, 1, 200, -1};  // a failure that took no time: a mark at the top
  s.monitors = {mixed};
  page = render_status_page(s, info());
  CHECK(has(page, "slowest slice 400 ms (failed)"));
  CHECK(has(page, "<rect x=\"0\" y=\"30.5\" width=\"3\" height=\"9.5\" fill=\"var(--up)\"/>"));
  CHECK(has(page, "<rect x=\"0\" y=\"2.0\" width=\"3\" height=\"3.0\" fill=\"var(--down)\"/>"));
  CHECK(has(page, "<rect x=\"4\" y=\"21.0\" width=\"3\" height=\"19.0\" fill=\"var(--up)\"/>"));
  CHECK(has(page, "<rect x=\"8\" y=\"0.0\" width=\"3\" height=\"3.0\" fill=\"var(--down)\"/>"));
  // Successes slowest: the figure says nothing of failures.
  mixed.buckets[0].failed_avg_ms = 50;
  s.monitors = {mixed};
  page = render_status_page(s, info());
  CHECK(has(page, "slowest slice 200 ms</span>"));
  CHECK(has(page, "the mean time of the successful checks in green, of the failed ones in red"));
}

TEST_CASE("status page: one monitor name from several locations: a card per location") {
  status_summary s;
  s.as_of_us = now_us;
  monitor_status ny = monitor("api", false), va = monitor("api", true);
  ny.datacenter = "NY";
  va.datacenter = "VA";
  s.monitors = {ny, va};
  status_incident i;
  i.monitor = "api";
  i.datacenter = "NY";
  i.started_us = now_us - 60'000'000;
  i.failures = 2;
  i.reason = "status 500";
  s.incidents = {i};
  std::vector<monitor_listing> known = {
      {"api", "http://ny.test/", "GET", 30, true, "NY"},
      {"api", "http://lon.test/", "GET", 30, true, "LON"},  // scheduled there, no heartbeat yet
      {"api", "http://va.test/", "GET", 30, true, "VA"},
  };
  const std::string page = render_status_page(s, info(), known);
  CHECK(has(page, "<span class=\"name\">api · NY</span><span class=\"pill down\">DOWN</span>"));
  CHECK(has(page, "<span class=\"name\">api · VA</span><span class=\"pill up\">UP</span>"));
  CHECK(has(page, "<span class=\"name\">api · LON</span><span class=\"pill pending\">"));
  // Each card its own location's URL; pending in name-then-datacenter order.
  const auto lon = page.find("api · LON"), ny_at = page.find("api · NY"),
             va_at = page.find("api · VA");
  CHECK(lon < ny_at);
  CHECK(ny_at < va_at);
  CHECK(page.find("ny.test", ny_at) < va_at);
  CHECK(page.find("va.test", va_at) != std::string::npos);
  CHECK(has(page, "<tr><td>api · NY</td>"));
  CHECK(has(page, "1 of 2 monitors down"));
}

TEST_CASE("monitor directory: a monitor per (datacenter, name); the worker's datacenter by default") {
  monitor_directory d;
  d.set_default_datacenter("LON");
  int owner = 0;
  d.publish(&owner, {{"api", "http://a/", "GET", 30, true, "NY"}, {"api", "http://b/", "GET", 30,
                                                                   true, ""}});
  d.checked({"api", "http://c/", "GET", 0, false, "VA"});
  d.checked({"api", "http://d/", "GET", 0, false, "NY"});  // published wins
  const auto all = d.all();
  REQUIRE(all.size() == 3);
  CHECK(all[0].datacenter == "LON");
  CHECK(all[0].url == "http://b/");
  CHECK(all[1].datacenter == "NY");
  CHECK(all[1].url == "http://a/");
  CHECK(all[2].datacenter == "VA");
  CHECK_FALSE(all[2].scheduled);
}
