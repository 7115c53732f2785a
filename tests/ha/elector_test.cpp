// The ha module against a real PostgreSQL, without the binary: the elector's terms and hand-over,
// the lock id as pg_locks shows it, the fencing of fact writes, refusals (read-only server).
#include "ha/elector.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/value.h"
#include "ha/lock_id.h"
#include "ha/schema.h"
#include "ha/state_store.h"
#include "support/fault_proxy.h"
#include "support/pg_server.h"

using namespace rb;
using namespace std::chrono_literals;

namespace {

struct events {
  std::mutex m;
  std::condition_variable cv;
  // "leader 3", "follower [unreachable ]<reason>", "standing by", "fatal <error>"
  std::vector<std::string> log;
  void add(std::string s) {
    std::lock_guard<std::mutex> l(m);
    log.push_back(std::move(s));
    cv.notify_all();
  }
  bool wait_for(const std::string& prefix, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> l(m);
    return cv.wait_for(l, timeout, [&] { return seen_locked(prefix); });
  }
  bool seen(const std::string& prefix) {
    std::lock_guard<std::mutex> l(m);
    return seen_locked(prefix);
  }
  bool seen_locked(const std::string& prefix) const {
    for (const auto& e : log)
      if (e.rfind(prefix, 0) == 0) return true;
    return false;
  }
};

ha::elector::callbacks record_into(events& ev) {
  ha::elector::callbacks cb;
  cb.on_leader = [&ev](const leadership_term& t) { ev.add("leader " + std::to_string(t.epoch)); };
  cb.on_follower = [&ev](const std::string& r, bool unreachable) {
    ev.add(std::string(unreachable ? "follower unreachable " : "follower ") + r);
  };
  cb.on_standing_by = [&ev] { ev.add("standing by"); };
  cb.on_fatal = [&ev](const std::string& e) { ev.add("fatal " + e); };
  return cb;
}

ha::settings settings_for(const test::pg_server& pg, const std::string& worker) {
  ha::settings s;
  s.dsn = pg.dsn();
  s.ha_uuid = "elector-test";
  s.worker_id = worker;
  s.poll_interval = 1;
  s.lease = 1.5;
  return s;
}

}  // namespace

TEST_CASE("elector: one leader, epochs bumped per term, graceful hand-over, lock in pg_locks") {
  test::pg_server pg;
  events e1, e2;
  ha::elector a(settings_for(pg, "a"), record_into(e1));
  a.start();
  REQUIRE(e1.wait_for("leader 1", 10s));
  CHECK(a.trusted_now());
  CHECK(a.term().epoch == 1);

  // The lock as operators find it, and the SQL form of the id documented in lock_id.h.
  const std::int64_t key = ha::lock_id("elector-test");
  const auto rows = pg.query(
      "SELECT classid::text, objid::text, objsubid, ('x' || left(encode(sha256(convert_to("
      "'elector-test', 'UTF8')), 'hex'), 16))::bit(64)::bigint FROM pg_locks WHERE "
      "locktype = 'advisory' AND granted");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][0] == ha::lock_classid(key));
  CHECK(rows[0][1] == ha::lock_objid(key));
  CHECK(rows[0][2] == "1");
  CHECK(rows[0][3] == std::to_string(key));
  CHECK(pg.query(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'rulebook a'")[0][0] ==
        "1");

  ha::elector b(settings_for(pg, "b"), record_into(e2));
  b.start();
  REQUIRE(e2.wait_for("standing by", 10s));  // b's session found a's lock
  CHECK(!b.trusted_now());
  CHECK(a.trusted_now());
  // Longer than a lease since a took its term: only its confirmations can keep it trusted.
  const auto lease = a.times().lease;
  std::this_thread::sleep_for(lease + lease / 3);
  CHECK(a.trusted_now());

  const auto t0 = std::chrono::steady_clock::now();
  a.stop(true);
  CHECK(!a.trusted_now());
  REQUIRE(e2.wait_for("leader 2", 10s));
  const auto took = std::chrono::steady_clock::now() - t0;
  MESSAGE("graceful hand-over took ",
          std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), " ms");
  // Without the release b would wait for the server to drop a's session (server_timeout).
  CHECK(took < a.times().server_timeout);
  CHECK(b.term().epoch == 2);
  CHECK(pg.query("SELECT worker_id, epoch FROM rulebook_ha_leader WHERE ha_uuid = "
                 "'elector-test'")[0] == std::vector<std::string>{"b", "2"});
  // Each term's history row came with its bump (the heartbeat fence reads it).
  CHECK(pg.query("SELECT epoch, worker_id, began_at >= (SELECT since FROM rulebook_ha_leader) "
                 "FROM rulebook_ha_terms WHERE ha_uuid = 'elector-test' ORDER BY epoch") ==
        std::vector<std::vector<std::string>>{{"1", "a", "f"}, {"2", "b", "t"}});
}

TEST_CASE("elector: a terminated backend ends leadership at once") {
  test::pg_server pg;
  events ev;
  ha::elector a(settings_for(pg, "a"), record_into(ev));
  a.start();
  REQUIRE(ev.wait_for("leader", 10s));
  pg.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
      "'rulebook a'");
  REQUIRE(ev.wait_for("follower", 3s));
  CHECK(!a.trusted_now());
  // It comes back as the leader of a new term on a new session.
  REQUIRE(ev.wait_for("leader 2", 10s));
  CHECK(a.trusted_now());
}

// What the engine's observe-only mode rests on: a leader cut off from the database says the group
// was unreachable, and says "standing by" only once a working session sees another worker's lock.
TEST_CASE("elector: a cut-off leader reports the database unreachable, then who holds the lock") {
  test::pg_server pg;
  test::fault_proxy proxy("127.0.0.1", pg.port());
  events e1, e2;
  auto s1 = settings_for(pg, "a");
  s1.dsn = "postgresql://rb:secret@127.0.0.1:" + std::to_string(proxy.port()) + "/rb";
  ha::elector a(s1, record_into(e1));
  a.start();
  REQUIRE(e1.wait_for("leader 1", 10s));
  CHECK(!e1.seen("standing by"));  // the lock was free
  ha::elector b(settings_for(pg, "b"), record_into(e2));
  b.start();
  REQUIRE(e2.wait_for("standing by", 5s));  // a follower sees a's session holding it

  proxy.blackhole();
  REQUIRE(e1.wait_for("follower unreachable", 5s));
  CHECK(!a.trusted_now());
  REQUIRE(e2.wait_for("leader 2", 10s));  // the server dropped a's session, b took over
  std::this_thread::sleep_for(500ms);
  CHECK(!e1.seen("standing by"));  // a cannot know yet
  proxy.pass();
  REQUIRE(e1.wait_for("standing by", 10s));
  CHECK(!e1.seen("leader 2"));
  b.stop(true);
  a.stop(true);
}

TEST_CASE("elector: its own previous session still holding the lock is no other leader") {
  test::pg_server pg;
  test::fault_proxy proxy("127.0.0.1", pg.port());
  events ev;
  auto s = settings_for(pg, "a");
  s.dsn = "postgresql://rb:secret@127.0.0.1:" + std::to_string(proxy.port()) + "/rb";
  ha::elector a(s, record_into(ev));
  a.start();
  REQUIRE(ev.wait_for("leader 1", 10s));
  proxy.blackhole();
  REQUIRE(ev.wait_for("follower unreachable", 5s));
  proxy.pass();  // before the server drops the old session (lease x 4/3 of silence)
  REQUIRE(ev.wait_for("leader 2", 10s));
  CHECK(!ev.seen("standing by"));
  a.stop(true);
}

TEST_CASE("elector: a read-only server is refused") {
  test::pg_server pg;
  pg.exec("ALTER DATABASE rb SET default_transaction_read_only = on");
  events ev;
  ha::elector a(settings_for(pg, "a"), record_into(ev));
  a.start();
  REQUIRE(ev.wait_for("fatal", 10s));
  CHECK(ev.log.back().find("read-only") != std::string::npos);
  CHECK(!a.trusted_now());
}

TEST_CASE("state store: writes of a stale term are refused, current ones commit, load restores") {
  test::pg_server pg;
  events ev;
  ha::elector a(settings_for(pg, "a"), record_into(ev));
  a.start();
  REQUIRE(ev.wait_for("leader 1", 10s));
  const leadership_term first = a.term();

  ha::state_store store(settings_for(pg, "a"));
  store.start();
  store.put(first, "rs", "fact", "k1", R"({"x": 1})");
  store.put(first, "rs", "fact", "k2", R"({"x": 2})");
  store.put(first, "rs", "fact", "k1",
            "");  // retract k1 again: only the last write of a key counts
  REQUIRE(store.flush(10s));
  CHECK(store.committed() == 3);
  CHECK(pg.query("SELECT key FROM rulebook_ha_state ORDER BY seq") ==
        std::vector<std::vector<std::string>>{{"k2"}});

  // A new term (another worker took over): the old term's writes are refused.
  pg.exec("UPDATE rulebook_ha_leader SET epoch = epoch + 1, token = 'other'");
  store.put(first, "rs", "fact", "k3", R"({"x": 3})");
  REQUIRE(store.flush(10s));
  CHECK(store.refused() == 1);
  CHECK(pg.query("SELECT count(*) FROM rulebook_ha_state WHERE key = 'k3'")[0][0] == "0");
  // The elector notices the foreign term at its next confirmation.
  REQUIRE(ev.wait_for("follower", 5s));

  std::mutex m;
  std::condition_variable cv;
  bool loaded = false;
  std::vector<ha::stored_item> facts;
  store.load([&](std::vector<ha::stored_item> f, std::string error) {
    CHECK(error.empty());
    std::lock_guard<std::mutex> l(m);
    facts = std::move(f);
    loaded = true;
    cv.notify_all();
  });
  std::unique_lock<std::mutex> l(m);
  REQUIRE(cv.wait_for(l, 10s, [&] { return loaded; }));
  REQUIRE(facts.size() == 1);
  CHECK(facts[0].ruleset == "rs");
  CHECK(value::parse(facts[0].json) == value::parse(R"({"x": 2})"));
  l.unlock();
  store.stop();
}
