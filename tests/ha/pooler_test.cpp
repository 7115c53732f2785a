// A real pgbouncer between the worker and PostgreSQL: refused with a clear error and exit 1, in
// transaction mode (session locks would be shared) and in session mode alike (a client cannot
// read the mode).
#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "harness.h"
#include "support/pg_server.h"

using namespace rb;
using namespace std::chrono_literals;

namespace {

// pgbouncer in the foreground (as `postgres` when we are root: it refuses to run as root).
class pgbouncer {
 public:
  pgbouncer(const test::pg_server& pg, const std::string& mode, const std::string& dir)
      : port_(test::free_loopback_port()) {
    const std::string ini = dir + "/pgbouncer.ini";
    std::ofstream(dir + "/users.txt") << "\"rb\" \"\"\n";
    std::ofstream(ini) << "[databases]\nrb = host=127.0.0.1 port=" << pg.port()
                       << " user=rb password=secret\n[pgbouncer]\nlisten_addr = 127.0.0.1\n"
                       << "listen_port = " << port_ << "\nauth_type = trust\nauth_file = " << dir
                       << "/users.txt\npool_mode = " << mode << "\nunix_socket_dir =\n"
                       << "logfile = " << dir << "/pgbouncer.log\n";
    std::vector<std::string> args;
    if (geteuid() == 0) {
      REQUIRE(std::system(("chown -R postgres " + dir).c_str()) == 0);
      args = {"/usr/sbin/runuser", "-u", "postgres", "--"};
    }
    args.push_back("/usr/sbin/pgbouncer");
    args.push_back(ini);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    REQUIRE(posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) == 0);
    // Until it listens (any answer, a refusal too), not a fixed time.
    const std::string ping =
        "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=rb user=rb connect_timeout=2";
    for (int i = 0; i < 500 && PQping(ping.c_str()) == PQPING_NO_RESPONSE; ++i)
      std::this_thread::sleep_for(20ms);
  }
  ~pgbouncer() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::string dsn() const { return "postgresql://rb@127.0.0.1:" + std::to_string(port_) + "/rb"; }

 private:
  int port_;
  pid_t pid_ = -1;
};

}  // namespace

TEST_CASE("ha pooler: a worker behind pgbouncer is refused") {
  test::pg_server pg;
  for (const std::string mode : {"transaction", "session"}) {
    CAPTURE(mode);
    test::temp_dir dir;
    pgbouncer bouncer(pg, mode, dir.path());
    auto r = test::run_rulebook({"-r", test::source_path("tests/ha/ha.yml"), "--ha-postgres-dsn",
                                 bouncer.dsn(), "--ha-uuid", "pooled"},
                                30s);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("goes through a pooler") != std::string::npos);
  }
}
