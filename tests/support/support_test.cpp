// The failover test support itself: pg_server runs a real PostgreSQL, fault_proxy breaks the
// connections to it in the ways a network does.
#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <poll.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "fault_proxy.h"
#include "pg_server.h"

using namespace rb::test;
using namespace std::chrono_literals;

namespace {

using conn_ptr = std::unique_ptr<PGconn, decltype(&PQfinish)>;

// One server for the cases that do not stop it: initdb costs about a second.
pg_server& shared_server() {
  static pg_server server;
  return server;
}

std::string via(const fault_proxy& proxy) {
  return "host=127.0.0.1 port=" + std::to_string(proxy.port()) +
         " user=rb password=secret dbname=rb connect_timeout=5";
}

conn_ptr connect(const std::string& conninfo) {
  return conn_ptr(PQconnectdb(conninfo.c_str()), &PQfinish);
}

// Runs `sql` and returns the first column of the first row, or "error: ...".
std::string query_one(PGconn* conn, const std::string& sql) {
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn, sql.c_str()), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK)
    return "error: " + std::string(PQerrorMessage(conn));
  return PQntuples(res.get()) > 0 ? PQgetvalue(res.get(), 0, 0) : "";
}

// Waits up to `timeout` for the result of a sent query, as a client-side timeout would.
// True when an answer (or a connection error) arrived in time.
bool answered_within(PGconn* conn, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (PQisBusy(conn)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return false;
    pollfd p{PQsocket(conn), POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) == 0) return false;
    if (!PQconsumeInput(conn)) return true;
  }
  return true;
}

bool answers_within(PGconn* conn, const std::string& sql, std::chrono::milliseconds timeout) {
  return !PQsendQuery(conn, sql.c_str()) || answered_within(conn, timeout);
}

// Connects without blocking; true when the connection (or its failure) completed within
// `timeout`. libpq's own connect_timeout cannot go below 2 s.
bool connects_within(const std::string& conninfo, std::chrono::milliseconds timeout) {
  conn_ptr conn(PQconnectStart(conninfo.c_str()), &PQfinish);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto state = PGRES_POLLING_WRITING;;) {
    if (state == PGRES_POLLING_OK || state == PGRES_POLLING_FAILED) return true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return false;
    pollfd p{PQsocket(conn.get()), short(state == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
    if (poll(&p, 1, static_cast<int>(left.count())) == 0) return false;
    state = PQconnectPoll(conn.get());
  }
}

}  // namespace

TEST_CASE("pg_server: answers as rb over TCP, and the password is required") {
  pg_server& pg = shared_server();
  CHECK(pg.port() > 0);
  CHECK(pg.pid() > 0);
  CHECK(pg.dsn() == "postgresql://rb:secret@127.0.0.1:" + std::to_string(pg.port()) + "/rb");
  CHECK(pg.dsn_kv() ==
        "host=127.0.0.1 port=" + std::to_string(pg.port()) + " user=rb password=secret dbname=rb");
  const auto rows = pg.query("SELECT current_user, 1 + 1, NULL::text");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] == std::vector<std::string>{"rb", "2", ""});
  pg.exec("CREATE TABLE IF NOT EXISTS t (x int)");
  CHECK_THROWS_AS(pg.query("SELECT * FROM no_such_table"), std::runtime_error);

  auto uri = connect(pg.dsn());
  CHECK(PQstatus(uri.get()) == CONNECTION_OK);
  auto wrong = connect("host=127.0.0.1 port=" + std::to_string(pg.port()) +
                       " user=rb password=wrong dbname=rb");
  CHECK(PQstatus(wrong.get()) == CONNECTION_BAD);
  CHECK(std::string(PQerrorMessage(wrong.get())).find("password authentication failed") !=
        std::string::npos);

  // The server's own log must not hold the password, or tests grepping logs for it would trip.
  std::stringstream log;
  log << std::ifstream(pg.log_path()).rdbuf();
  CHECK(log.str().find("FATAL") != std::string::npos);  // the failed login above got logged
  CHECK(log.str().find("secret") == std::string::npos);
}

TEST_CASE("fault_proxy: pass forwards queries") {
  pg_server& pg = shared_server();
  fault_proxy proxy("127.0.0.1", pg.port());
  auto conn = connect(via(proxy));
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  CHECK(query_one(conn.get(), "SELECT 40 + 2") == "42");
  CHECK(proxy.connections() == 1);
  CHECK(proxy.bytes_forwarded() > 0);
  conn.reset();
  // The proxy notices the close asynchronously.
  for (int i = 0; i < 200 && proxy.connections() != 0; ++i) std::this_thread::sleep_for(10ms);
  CHECK(proxy.connections() == 0);
}

TEST_CASE("fault_proxy: blackhole silences the connection without an error") {
  pg_server& pg = shared_server();
  fault_proxy proxy("127.0.0.1", pg.port());
  auto conn = connect(via(proxy));
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  proxy.blackhole();
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(answers_within(conn.get(), "SELECT 1", 2s));
  CHECK(std::chrono::steady_clock::now() - t0 >= 1900ms);
  CHECK(PQstatus(conn.get()) == CONNECTION_OK);  // no RST, no FIN: the client cannot tell
  CHECK(proxy.connections() == 1);

  // A new connection during the cut hangs too: TCP connects, the startup packet goes nowhere.
  CHECK_FALSE(connects_within(via(proxy), 1s));

  // After the cut new connections work; the dropped query never arrives.
  proxy.pass();
  auto after = connect(via(proxy));
  REQUIRE(PQstatus(after.get()) == CONNECTION_OK);
  CHECK(query_one(after.get(), "SELECT 'back'") == "back");
  CHECK_FALSE(answered_within(conn.get(), 300ms));
}

TEST_CASE("fault_proxy: reset makes the connection report an error") {
  pg_server& pg = shared_server();
  fault_proxy proxy("127.0.0.1", pg.port());
  auto conn = connect(via(proxy));
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  CHECK(query_one(conn.get(), "SELECT 1") == "1");
  proxy.reset();
  CHECK(proxy.connections() == 0);
  CHECK(query_one(conn.get(), "SELECT 1").rfind("error: ", 0) == 0);
  CHECK(PQstatus(conn.get()) == CONNECTION_BAD);

  auto again = connect(via(proxy));  // new connections pass
  REQUIRE(PQstatus(again.get()) == CONNECTION_OK);
  CHECK(query_one(again.get(), "SELECT 2") == "2");
}

TEST_CASE("fault_proxy: latency delays each round trip") {
  pg_server& pg = shared_server();
  fault_proxy proxy("127.0.0.1", pg.port());
  auto conn = connect(via(proxy));
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  proxy.set_latency(300ms);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(query_one(conn.get(), "SELECT 'slow'") == "slow");
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took >= 250ms);
  CHECK(took < 5s);

  proxy.set_latency(0ms);
  const auto t1 = std::chrono::steady_clock::now();
  CHECK(query_one(conn.get(), "SELECT 'fast'") == "fast");
  CHECK(std::chrono::steady_clock::now() - t1 < 250ms);
}

TEST_CASE("fault_proxy: refuse closes new connections, existing ones keep working") {
  pg_server& pg = shared_server();
  fault_proxy proxy("127.0.0.1", pg.port());
  auto before = connect(via(proxy));
  REQUIRE(PQstatus(before.get()) == CONNECTION_OK);
  proxy.refuse(true);
  auto refused = connect(via(proxy));
  CHECK(PQstatus(refused.get()) == CONNECTION_BAD);
  CHECK(query_one(before.get(), "SELECT 3") == "3");
  proxy.refuse(false);
  auto after = connect(via(proxy));
  CHECK(PQstatus(after.get()) == CONNECTION_OK);
}

TEST_CASE("pg_server: stop and start keep the port and the data") {
  pg_server pg;  // its own: stopping the shared one would disturb the other cases
  const int port = pg.port();
  const int first_pid = pg.pid();
  pg.exec("CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)");
  fault_proxy proxy("127.0.0.1", port);
  auto conn = connect(via(proxy));
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);

  pg.stop();
  CHECK_FALSE(pg.running());
  CHECK(pg.pid() == -1);
  CHECK_THROWS_AS(pg.query("SELECT 1"), std::runtime_error);
  // The server's goodbye reaches the client through the proxy; new connections fail.
  CHECK(query_one(conn.get(), "SELECT 1").rfind("error: ", 0) == 0);
  auto down = connect(via(proxy));
  CHECK(PQstatus(down.get()) == CONNECTION_BAD);

  pg.start();
  CHECK(pg.port() == port);
  CHECK(pg.pid() > 0);
  CHECK(pg.pid() != first_pid);
  CHECK(pg.query("SELECT x FROM kept") == std::vector<std::vector<std::string>>{{"7"}});
  auto up = connect(via(proxy));
  REQUIRE(PQstatus(up.get()) == CONNECTION_OK);
  CHECK(query_one(up.get(), "SELECT 'up'") == "up");

  pg.restart();
  CHECK(pg.query("SELECT count(*) FROM kept") == std::vector<std::vector<std::string>>{{"1"}});
}
