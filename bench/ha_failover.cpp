// ha_failover: takeover times of an HA pair (issue 9), N trials per scenario, p50/p95/max, for
// this engine's design and for the seeds' (followers poll pg_try_advisory_lock every 3 s), in one
// run; and the idle cost of a follower and a leader (CPU, RSS, queries per second).
// Run by hand (bench/ha_failover.sh); results go to docs/benchmarks.md.
//   bench_ha_failover [--trials N] [--scenarios kill9,sigterm,...] [--designs ours,seeds]
//                     [--idle SECONDS]
#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ha/cluster.h"

using namespace rb;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  const std::size_t i = static_cast<std::size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// One trial: returns the takeover in seconds, or -1.
double trial(const std::string& scenario, const std::vector<std::string>& extra,
             test::pg_server& pg, std::string& problem) {
  pg.exec("DROP TABLE IF EXISTS rulebook_ha_state");
  test::ha_pair t(test::source_path("tests/ha/ha.yml"), extra, &pg);
  // A random phase against the followers' poll period and the leader's confirmations.
  static std::mt19937 rng(12345);
  std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(0, 3000)(rng)));
  const auto fault = system_clock::now();
  double restart = 0;
  if (scenario == "kill9") {
    kill(t.leader->pid, SIGKILL);
  } else if (scenario == "sigterm") {
    kill(t.leader->pid, SIGTERM);
  } else if (scenario == "sigstop") {
    kill(t.leader->pid, SIGSTOP);
  } else if (scenario == "blackhole") {
    t.leader->proxy->blackhole();
  } else if (scenario == "reset") {
    t.leader->proxy->reset();
  } else if (scenario == "terminate") {
    pg.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
        "'rulebook worker-1'");
  } else if (scenario == "pg_restart") {
    pg.restart();
    restart = test::seconds_between(fault, system_clock::now());
  }
  double s = t.takeover(fault, 30s);
  if (s >= 0) s -= restart;  // pg_restart: from the moment the server is back
  kill(t.leader->pid, SIGCONT);
  t.leader->proxy->pass();
  t.c.stop_all();
  for (const auto& p : t.c.history_problems()) problem += p + "; ";
  return s;
}

struct idle_cost {
  double cpu_percent = 0;
  double rss_mb = 0;
  double queries_per_second = 0;
};

double cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  const auto close = text.rfind(')');
  std::stringstream ss(text.substr(close + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15; ++i) {
    ss >> field;
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
}

double rss_mb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

// Statements the worker's sessions sent, from the server log (log_statement = all, the
// application name in each line's prefix).
long statements(test::pg_server& pg) {
  std::ifstream in(pg.log_path());
  long n = 0;
  for (std::string line; std::getline(in, line);)
    if (line.find("[rulebook idle") != std::string::npos &&
        (line.find("statement: ") != std::string::npos ||
         line.find("execute ") != std::string::npos))
      ++n;
  return n;
}

// A follower alone (the lock held by this program) or a leader alone, idle for `seconds`.
idle_cost measure_idle(bool leader, const std::vector<std::string>& extra, int seconds) {
  test::pg_server pg;
  pg.exec("ALTER SYSTEM SET log_statement = 'all'");
  pg.exec("ALTER SYSTEM SET log_line_prefix = '%m [%a] '");
  pg.exec("SELECT pg_reload_conf()");
  PGconn* holder = nullptr;
  if (!leader) {
    holder = PQconnectdb(pg.dsn().c_str());
    PGresult* r = PQexec(holder,
                         "SELECT pg_advisory_lock(('x' || left(encode(sha256(convert_to("
                         "'550e8400-e29b-41d4-a716-446655440000', 'UTF8')), 'hex'), "
                         "16))::bit(64)::bigint)");
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
      std::fprintf(stderr, "idle: cannot hold the lock: %s\n", PQerrorMessage(holder));
    PQclear(r);
  }
  test::ha_cluster c(test::source_path("bench/ha_idle.yml"), extra, &pg);
  auto& w = c.start("idle");
  const char* expect = leader ? "Successfully acquired" : "Another instance is active";
  test::wait_until([&] { return w.log().find(expect) != std::string::npos; }, 15s);
  std::this_thread::sleep_for(2s);
  const double cpu0 = cpu_seconds(w.pid);
  const long q0 = statements(pg);
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const double cpu1 = cpu_seconds(w.pid);
  const long q1 = statements(pg);
  idle_cost out;
  out.cpu_percent = (cpu1 - cpu0) / seconds * 100;
  out.rss_mb = rss_mb(w.pid);
  out.queries_per_second = static_cast<double>(q1 - q0) / seconds;
  if (!leader && w.log().find("Successfully acquired") != std::string::npos)
    std::fprintf(stderr, "idle: the follower led during the measurement\n");
  c.stop_all();
  if (holder) PQfinish(holder);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int trials = 30;
  std::vector<std::string> scenarios = {"kill9", "sigterm",   "sigstop",   "blackhole",
                                        "reset", "terminate", "pg_restart"};
  std::vector<std::string> designs = {"ours", "seeds"};
  int idle = 30;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--trials")
      trials = std::stoi(v);
    else if (k == "--scenarios")
      scenarios = split(v);
    else if (k == "--designs")
      designs = split(v);
    else if (k == "--idle")
      idle = std::stoi(v);
  }
  const std::map<std::string, std::vector<std::string>> flags = {
      {"ours", {}}, {"seeds", {"--ha-wait", "poll", "--ha-poll-interval", "3"}}};

  std::printf("%-11s %-6s %6s %8s %8s %8s %6s\n", "scenario", "design", "trials", "p50 s", "p95 s",
              "max s", "fails");
  for (const auto& scenario : scenarios) {
    for (const auto& design : designs) {
      test::pg_server pg;
      std::vector<double> times;
      int fails = 0;
      for (int i = 0; i < trials; ++i) {
        std::string problem;
        double s = -1;
        try {
          s = trial(scenario, flags.at(design), pg, problem);
        } catch (const std::exception& e) {
          problem = e.what();
        }
        if (s < 0 || !problem.empty()) {
          ++fails;
          std::fprintf(stderr, "%s/%s trial %d: takeover %.3f s %s\n", scenario.c_str(),
                       design.c_str(), i, s, problem.c_str());
        }
        if (s >= 0) times.push_back(s);
      }
      std::printf("%-11s %-6s %6d %8.3f %8.3f %8.3f %6d\n", scenario.c_str(), design.c_str(),
                  trials, percentile(times, 0.5), percentile(times, 0.95),
                  times.empty() ? -1.0 : *std::max_element(times.begin(), times.end()), fails);
      std::fflush(stdout);
    }
  }
  if (idle > 0) {
    for (const auto& design : designs) {
      for (bool leader : {false, true}) {
        const idle_cost c = measure_idle(leader, flags.at(design), idle);
        std::printf("idle %-8s %-6s cpu %.3f %%  rss %.1f MB  %.2f queries/s\n",
                    leader ? "leader" : "follower", design.c_str(), c.cpu_percent, c.rss_mb,
                    c.queries_per_second);
        std::fflush(stdout);
      }
    }
  }
  return 0;
}
