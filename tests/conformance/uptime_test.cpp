// The main job end to end: rulebooks/uptime.yml with the real binary, against the demo site
// (build/demo_target) on loopback, heartbeats into SQLite.
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <thread>

#include "conformance.h"
#include "core/clock.h"
#include "support/http_server.h"
#include "support/sqlite_rows.h"

using namespace conformance;

namespace {

std::string demo_target_path() {
  const std::string binary = RB_BINARY;
  return binary.substr(0, binary.rfind('/')) + "/demo_target";
}

}  // namespace

TEST_CASE("uptime.yml: checks at aligned slots, heartbeats, alert on the third failure") {
  rb::test::temp_dir dir;
  const std::string port = std::to_string(rb::test::closed_loopback_port());
  const std::string base = "http://127.0.0.1:" + port;
  const int target = rb::test::spawn_program(demo_target_path(), {"--port", port, "--flap", "3"},
                                             dir.path() + "/t.out", dir.path() + "/t.err");
  const std::string vars = dir.write("vars.yml",
                                     "monitors:\n"
                                     "  - {name: healthy-page, url: " +
                                         base +
                                         "/healthy, interval: 1}\n"
                                         "  - {name: failing-page, url: " +
                                         base +
                                         "/failing, interval: 1}\n"
                                         "  - {name: flapping-page, url: " +
                                         base +
                                         "/flapping, interval: 1}\n"
                                         "  - {name: nowhere, url: 'http://" +
                                         std::string(64, 'a') +
                                         ".invalid/', interval: 1, timeout: 2}\n");
  // The target binds: wait until it answers.
  for (int i = 0; i < 500 && rb::test::curl(rb::test::quote(base + "/healthy")).status == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::string db = dir.path() + "/hb.db";
  const int pid = rb::test::spawn_rulebook({"-r", rb::test::source_path("rulebooks/uptime.yml"),
                                            "-e", vars, "--heartbeat-store", "sqlite:" + db, "-vv"},
                                           dir.path() + "/out", dir.path() + "/err");
  // Until every monitor has 5 heartbeats and the flapping page was both up and down (3 s each),
  // not for a fixed time: a slow machine only takes longer.
  const auto enough = [&] {
    try {
      return rb::test::sqlite_rows(
                 db,
                 "SELECT (SELECT count(*) FROM (SELECT 1 FROM heartbeats GROUP BY monitor_name "
                 "HAVING count(*) >= 5)) = 4 AND (SELECT count(DISTINCT success) FROM heartbeats "
                 "WHERE monitor_name = 'flapping-page') = 2")[0][0] == "1";
    } catch (const std::exception&) {
      return false;  // no file or no table yet
    }
  };
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!enough() && std::chrono::steady_clock::now() < limit)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ::kill(pid, SIGINT);
  const auto r = rb::test::wait_rulebook(pid, dir.path() + "/out", dir.path() + "/err");
  ::kill(target, SIGTERM);
  rb::test::wait_rulebook(target, dir.path() + "/t.out", dir.path() + "/t.err");
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("ALERT failing-page has failed 3 checks in a row: status 503 (expected 2xx)") !=
        std::string::npos);
  CHECK(r.out.find("ALERT nowhere has failed 3 checks in a row: Could not resolve host") !=
        std::string::npos);
  CHECK(r.out.find("ALERT healthy-page") == std::string::npos);
  CHECK(r.err.find("http_check healthy-page: up, 200 in") != std::string::npos);

  // Heartbeats: one per check, slots one interval apart, no slot twice.
  std::map<std::string, std::vector<std::int64_t>> slots;
  std::map<std::string, std::vector<int>> outcomes;
  for (const auto& row : rb::test::sqlite_rows(db,
                                               "SELECT monitor_name, scheduled_at, success FROM "
                                               "heartbeats ORDER BY monitor_name, scheduled_at")) {
    const auto at = rb::parse_utc_iso(row[1]);
    REQUIRE(at.has_value());
    slots[row[0]].push_back(*at);
    outcomes[row[0]].push_back(std::stoi(row[2]));
  }
  REQUIRE(slots.size() == 4);
  for (const auto& [name, times] : slots) {
    INFO(name);
    CHECK(times.size() >= 5);
    for (std::size_t i = 1; i < times.size(); ++i) CHECK(times[i] - times[i - 1] == 1000000);
  }
  CHECK(std::count(outcomes["healthy-page"].begin(), outcomes["healthy-page"].end(), 0) == 0);
  CHECK(std::count(outcomes["failing-page"].begin(), outcomes["failing-page"].end(), 1) == 0);
  const auto& flap = outcomes["flapping-page"];
  CHECK(std::count(flap.begin(), flap.end(), 1) > 0);  // 3 s up, 3 s down: both seen
  CHECK(std::count(flap.begin(), flap.end(), 0) > 0);
}

TEST_CASE("uptime.yml: a failure streak continues across a restart from the heartbeat store") {
  rb::test::temp_dir dir;
  rb::test::http_server target;
  const std::string vars =
      dir.write("vars.yml", "monitors:\n  - {name: down-page, url: " + target.url("/status/503") +
                                ", interval: 1}\n");
  const std::string db = dir.path() + "/hb.db";
  auto failures = [&] {
    if (!std::filesystem::exists(db)) return 0;
    try {
      return std::stoi(rb::test::sqlite_rows(db, "SELECT count(*) FROM heartbeats")[0][0]);
    } catch (const std::exception&) {
      return 0;  // the table is not there yet
    }
  };
  auto run = [&](const std::string& name, auto until) {
    const std::string audit = dir.path() + "/" + name + ".jsonl";
    const int pid = rb::test::spawn_rulebook(
        {"-r", rb::test::source_path("rulebooks/uptime.yml"), "-e", vars, "--heartbeat-store",
         "sqlite:" + db, "--audit-log", audit, "-v"},
        dir.path() + "/" + name + ".out", dir.path() + "/" + name + ".err");
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!until() && std::chrono::steady_clock::now() < limit)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ::kill(pid, SIGINT);
    auto r = rb::test::wait_rulebook(pid, dir.path() + "/" + name + ".out",
                                     dir.path() + "/" + name + ".err");
    std::vector<int> streaks;
    for (const auto& c : rb::test::http_check_results(audit))
      streaks.push_back(c["consecutive_failures"].get<int>());
    return std::make_pair(r, streaks);
  };

  // First run: stopped after two failed checks, before the alert.
  const auto first_run = run("first", [&] { return failures() >= 2; });
  const auto& first = first_run.first;
  const auto& first_streaks = first_run.second;
  CHECK(first.err.find("cannot read the failure streaks") == std::string::npos);
  INFO("first stderr: " << first.err);
  CHECK(first.exit_code == 0);
  REQUIRE(failures() == 2);
  CHECK(first_streaks == std::vector<int>{1, 2});
  CHECK(first.out.find("ALERT") == std::string::npos);

  // Second run, same heartbeats: its first check is the third failure in a row, and alerts once.
  const auto second_run = run("second", [&] { return failures() >= 5; });
  const auto& second = second_run.first;
  const auto& second_streaks = second_run.second;
  INFO("second stderr: " << second.err);
  CHECK(second.exit_code == 0);
  REQUIRE(second_streaks.size() >= 3);
  CHECK(std::vector<int>(second_streaks.begin(), second_streaks.begin() + 3) ==
        std::vector<int>{3, 4, 5});
  CHECK(second.out.find("ALERT down-page has failed 3 checks in a row: status 503") !=
        std::string::npos);
  std::size_t alerts = 0;
  for (auto at = second.out.find("ALERT"); at != std::string::npos;
       at = second.out.find("ALERT", at + 1))
    ++alerts;
  CHECK(alerts == 1);
  CHECK(second.err.find("cannot read the failure streaks") == std::string::npos);
}

TEST_CASE("uptime.yml: the status page at / shows the monitors and their URLs, one down") {
  rb::test::temp_dir dir;
  rb::test::http_server target;
  // ok-page's URL has a query to escape; later-page's first slot is days away: pending.
  const std::string ok_url = target.url("/ok") + "?a=1&b=<2>";
  const std::string vars =
      dir.write("vars.yml", "monitors:\n  - {name: ok-page, url: \"" + ok_url +
                                "\", interval: 1}\n  - {name: down-page, method: head, url: " +
                                target.url("/status/500") +
                                ", interval: 1}\n  - {name: later-page, url: " + target.url("/ok") +
                                ", interval: 604800}\n");
  const std::string err = dir.path() + "/err";
  const int pid = rb::test::spawn_rulebook(
      {"-r", rb::test::source_path("rulebooks/uptime.yml"), "-e", vars, "--heartbeat-store",
       "sqlite:" + dir.path() + "/hb.db", "--http-port", "0", "--http-host", "127.0.0.1", "-v"},
      dir.path() + "/out", err);
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string base;
  while (base.empty() && std::chrono::steady_clock::now() < limit) {
    const std::string log = rb::test::read_file(err);
    const auto at = log.find("operability server on ");
    if (at != std::string::npos && log.find('\n', at) != std::string::npos)
      base = log.substr(at + 22, log.find('/', log.find("//", at) + 2) - at - 22);
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(base.rfind("http://127.0.0.1:", 0) == 0);
  // The page renders from a summary read again as heartbeats land: wait for one that has the
  // failure (the cards are there from the start, pending).
  rb::test::reply page;
  while (std::chrono::steady_clock::now() < limit) {
    page = rb::test::curl(rb::test::quote(base + "/"));
    if (page.body.find("1 of 2 monitors down") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  // A real browser at phone width renders it (the layout itself was checked by eye).
  const std::string png = dir.path() + "/phone.png";
  const int shot = std::system(
      ("chromium --headless --no-sandbox --disable-gpu --window-size=390,844 --screenshot=" + png +
       " " + rb::test::quote(base + "/") + " >/dev/null 2>&1")
          .c_str());
  ::kill(pid, SIGINT);
  auto r = rb::test::wait_rulebook(pid, dir.path() + "/out", err);
  INFO("stderr: " << r.err);
  INFO("page: " << page.body);
  CHECK(shot == 0);
  const std::string image = rb::test::read_file(png);
  REQUIRE(image.size() > 24);
  CHECK(image.substr(1, 3) == "PNG");
  auto be32 = [&](std::size_t at) {
    return (std::uint32_t(std::uint8_t(image[at])) << 24) |
           (std::uint32_t(std::uint8_t(image[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(image[at + 2])) << 8) | std::uint8_t(image[at + 3]);
  };
  CHECK(be32(16) == 390);       // IHDR width
  CHECK(image.size() > 10000);  // cards and charts drawn, not a blank page
  CHECK(r.exit_code == 0);
  CHECK(page.status == 200);
  CHECK(page.headers.find("text/html") != std::string::npos);
  CHECK(page.body.find("1 of 2 monitors down") != std::string::npos);
  CHECK(page.body.find("<span class=\"pill down\">DOWN</span>") != std::string::npos);
  CHECK(page.body.find("<span class=\"pill up\">UP</span>") != std::string::npos);
  CHECK(page.body.find("status 500") != std::string::npos);  // the reason, in the card
  CHECK(page.body.find("<b class=\"reason\">ongoing</b>") != std::string::npos);
  CHECK(page.body.find("<svg") != std::string::npos);
  CHECK(page.body.find("role <b>standalone</b>") != std::string::npos);
  // Each card has its monitor's method, URL (escaped, a link) and interval.
  const std::string ok_html = target.url("/ok") + "?a=1&amp;b=&lt;2&gt;";
  CHECK(page.body.find("GET <a href=\"" + ok_html + "\" rel=\"noopener noreferrer nofollow\">" +
                       ok_html + "</a> · every 1 s") != std::string::npos);
  CHECK(page.body.find("HEAD <a href=\"" + target.url("/status/500") + "\"") != std::string::npos);
  CHECK(page.body.find("b=<2>") == std::string::npos);
  // Scheduled, not checked yet: its card says so instead of missing.
  CHECK(page.body.find("<span class=\"name\">later-page</span><span class=\"pill "
                       "pending\">PENDING</span>") != std::string::npos);
  CHECK(page.body.find("every 604800 s") != std::string::npos);
}

TEST_CASE("uptime.yml: the status page shows a check within seconds of its heartbeat") {
  using clock = std::chrono::steady_clock;
  using std::chrono::seconds;
  rb::test::temp_dir dir;
  rb::test::http_server target;
  // slow-fail: every check takes 300 ms and fails for it (the chart must show that time).
  const std::string vars = dir.write(
      "vars.yml", "monitors:\n  - {name: fresh-page, url: " + target.url("/ok") +
                      ", interval: 1}\n  - {name: slow-fail, url: \"" + target.url("/slow?ms=300") +
                      "\", interval: 1, expect: {max_response_ms: 100}}\n");
  const std::string db = dir.path() + "/hb.db";
  const std::string err = dir.path() + "/err";
  const int pid = rb::test::spawn_rulebook(
      {"-r", rb::test::source_path("rulebooks/uptime.yml"), "-e", vars, "--heartbeat-store",
       "sqlite:" + db, "--http-port", "0", "--http-host", "127.0.0.1", "-v"},
      dir.path() + "/out", err);
  const int port = rb::test::wait_http_port(err, seconds(30));
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  const auto page = [&] { return rb::test::curl(rb::test::quote(url)).body; };
  const auto rows = [&](const std::string& monitor) {
    try {
      const std::string sql =
          "SELECT count(*) FROM heartbeats WHERE monitor_name = '" + monitor + "'";
      return std::stoi(rb::test::sqlite_rows(db, sql)[0][0]);
    } catch (const std::exception&) {
      return 0;  // no file or no table yet
    }
  };
  const std::string up = "<span class=\"name\">fresh-page</span><span class=\"pill up\">UP</span>";
  std::string body;
  bool first_seen = false, shown = false;
  clock::duration lag{};
  std::vector<int> ages;
  std::string slowest;
  if (port > 0) {
    // Before the first heartbeat the page waits for it, and reloads soon.
    body = page();
    if (rows("fresh-page") == 0) {
      CHECK(body.find("<meta http-equiv=\"refresh\" content=\"2\">") != std::string::npos);
      CHECK(body.find(up) == std::string::npos);
    }
    auto limit = clock::now() + seconds(30);
    while (!(first_seen = rows("fresh-page") > 0) && clock::now() < limit)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    // From the moment the first heartbeat is in the database, how long until the page shows it.
    // The summary is read again when heartbeats land (at most once a second): before, the page
    // showed the start-up summary (PENDING) until it was 10 s old.
    const auto seen = clock::now();
    limit = seen + seconds(30);
    while (first_seen && !(shown = (body = page()).find(up) != std::string::npos) &&
           clock::now() < limit)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    lag = clock::now() - seen;
    // For 12 s (longer than the old 10 s cache), the last check shown is never more than a few
    // seconds old on a monitor checked every second.
    const auto until = clock::now() + seconds(12);
    while (shown && clock::now() < until) {
      body = page();
      const auto card = body.find(up);
      const auto at = body.find(" ago</div>", card);
      const auto comma = body.rfind(", ", at);
      if (card != std::string::npos && at != std::string::npos && comma != std::string::npos)
        ages.push_back(std::stoi(body.substr(comma + 2)));  // ", 2 s ago"
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    // slow-fail's chart: a red bar at its checks' time, and the slowest slice is theirs.
    const auto card = body.find("<span class=\"name\">slow-fail</span>");
    const auto fig = body.find("slowest slice ", card);
    if (card != std::string::npos && fig != std::string::npos)
      slowest = body.substr(fig, body.find("</span>", fig) - fig);
  }
  ::kill(pid, SIGINT);
  auto r = rb::test::wait_rulebook(pid, dir.path() + "/out", err);
  INFO("stderr: " << r.err);
  INFO("page: " << body);
  REQUIRE(port > 0);
  CHECK(r.exit_code == 0);
  REQUIRE(first_seen);
  REQUIRE(shown);
  // About a second in practice; 5 s leaves room for a machine twice as slow, loaded.
  CHECK(std::chrono::duration<double>(lag).count() < 5.0);
  REQUIRE(ages.size() >= 5);
  CHECK(*std::max_element(ages.begin(), ages.end()) <= 6);
  CHECK(body.find("<meta http-equiv=\"refresh\" content=\"30\">") != std::string::npos);
  INFO("slowest: " << slowest);
  REQUIRE(slowest.rfind("slowest slice ", 0) == 0);
  CHECK(std::stoi(slowest.substr(14)) >= 300);
  CHECK(slowest.find(" ms (failed)") != std::string::npos);
}
