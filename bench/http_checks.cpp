// bench_http_checks: drives rb::http::client at a fixed number of requests in flight for a fixed
// time, one fresh connection per check (as http_check does), and prints what it achieved and what
// it cost in CPU (getrusage of this process: the loop thread plus any resolver thread of curl).
//
//   bench_http_checks URL [--concurrency N] [--seconds S] [--insecure] [--ca FILE]
//
// Output, one line: checks= ok= failed= seconds= cpu_seconds= checks_per_second=
// checks_per_cpu_second= (bench/http_checks.sh parses it).
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "http/client.h"

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto secs = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

int usage() {
  std::fprintf(stderr,
               "usage: bench_http_checks URL [--concurrency N] [--seconds S] [--insecure] "
               "[--ca FILE]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  rb::http_request proto;
  proto.url = argv[1];
  proto.timeout = std::chrono::seconds(5);
  int concurrency = 50;
  double seconds = 10;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--concurrency" && i + 1 < argc) {
      concurrency = std::atoi(argv[++i]);
    } else if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (arg == "--insecure") {
      proto.verify_tls = false;
    } else if (arg == "--ca" && i + 1 < argc) {
      proto.ca_file = argv[++i];
    } else {
      return usage();
    }
  }
  if (concurrency < 1 || seconds <= 0) return usage();

  boost::asio::io_context io;
  rb::http::client client(io);
  long ok = 0, failed = 0;
  std::string first_error;
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  bool running = true;
  const double cpu_before = cpu_seconds();
  // Each completion starts the next check until the deadline: `concurrency` always in flight.
  std::function<void()> launch = [&] {
    client.send(proto, [&](rb::http_response r) {
      if (r.responded && r.status == 200) {
        ++ok;
      } else {
        if (first_error.empty()) first_error = r.error.empty() ? std::to_string(r.status) : r.error;
        ++failed;
      }
      if (running && std::chrono::steady_clock::now() < deadline) {
        launch();
      } else {
        running = false;
      }
    });
  };
  for (int i = 0; i < concurrency; ++i) launch();
  io.run();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = cpu_seconds() - cpu_before;
  const long checks = ok + failed;
  std::printf(
      "checks=%ld ok=%ld failed=%ld seconds=%.2f cpu_seconds=%.2f checks_per_second=%.0f "
      "checks_per_cpu_second=%.0f\n",
      checks, ok, failed, elapsed, cpu, checks / elapsed, cpu > 0 ? checks / cpu : 0.0);
  if (!first_error.empty()) std::fprintf(stderr, "first failure: %s\n", first_error.c_str());
  return failed == 0 ? 0 : 1;
}
