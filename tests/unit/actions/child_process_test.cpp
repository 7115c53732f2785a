// child_process: /bin/sh children on a real io_context: lines from stdout, stderr and an extra
// pipe, exit codes, a death by signal, terminate() of a sleeping child (and of its group), many
// children at once, and a destructor that leaves no zombie.
#include "actions/child_process.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <string>
#include <vector>

using namespace rb::actions;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

struct outcome {
  std::vector<std::string> out, err, extra;
  bool exited = false;
  child_exit status;
};

std::unique_ptr<child_process> start(asio::io_context& io, const std::string& script, outcome& o,
                                     int extra_pipes = 0) {
  spawn_options opts;
  opts.argv = {"/bin/sh", "-c", script};
  opts.extra_pipes = extra_pipes;
  opts.env = {{"RB_TEST_VALUE", "forty two"}};
  std::string error;
  auto c = child_process::spawn(
      io.get_executor(), opts,
      [&o](int fd, std::string_view line) {
        (fd == 1 ? o.out : fd == 2 ? o.err : o.extra).emplace_back(line);
      },
      [&o](const child_exit& e) {
        o.exited = true;
        o.status = e;
      },
      error);
  REQUIRE_MESSAGE(c, error);
  return c;
}

void run_until(asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds limit = 10s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < end) {
    io.run_for(10ms);
    io.restart();
  }
}

bool process_exists(pid_t pid) { return ::kill(pid, 0) == 0; }

}  // namespace

TEST_CASE("child_process: stdout, stderr and an extra pipe line by line, then the exit code") {
  asio::io_context io;
  outcome o;
  auto c = start(io,
                 "echo one; echo two >&2; printf 'three\\nfour'; echo \"$RB_TEST_VALUE\" >&3; "
                 "exit 3",
                 o, 1);
  run_until(io, [&] { return o.exited; });
  REQUIRE(o.exited);
  CHECK(o.out == std::vector<std::string>{"one", "three", "four"});
  CHECK(o.err == std::vector<std::string>{"two"});
  CHECK(o.extra == std::vector<std::string>{"forty two"});
  CHECK_FALSE(o.status.signaled);
  CHECK(o.status.code == 3);
  CHECK(c->exited());
}

TEST_CASE("child_process: a program that does not exist fails to spawn") {
  asio::io_context io;
  spawn_options opts;
  opts.argv = {"/no/such/program-rb"};
  std::string error;
  auto c = child_process::spawn(io.get_executor(), opts, {}, {}, error);
  CHECK_FALSE(c);
  CHECK(error.find("/no/such/program-rb") != std::string::npos);
  CHECK(on_path("sh"));
  CHECK_FALSE(on_path("no-such-program-rb-xyz"));
}

TEST_CASE("child_process: a death by signal is reported as such") {
  asio::io_context io;
  outcome o;
  auto c = start(io, "kill -USR1 $$; sleep 5", o);
  run_until(io, [&] { return o.exited; });
  REQUIRE(o.exited);
  CHECK(o.status.signaled);
  CHECK(o.status.code == SIGUSR1);
  CHECK(o.status.rc() == 128 + SIGUSR1);
}

TEST_CASE("child_process: terminate stops a sleeping child and its group; SIGKILL after grace") {
  asio::io_context io;
  SUBCASE("SIGTERM is enough") {
    outcome o;
    // The grandchild (sleep) is in the same group: it goes too.
    auto c = start(io, "sleep 30 & echo $!; wait", o);
    run_until(io, [&] { return !o.out.empty(); });
    REQUIRE(o.out.size() == 1);
    const pid_t grandchild = std::stoi(o.out[0]);
    const auto t0 = std::chrono::steady_clock::now();
    c->terminate(5s);
    run_until(io, [&] { return o.exited; });
    REQUIRE(o.exited);
    CHECK(std::chrono::steady_clock::now() - t0 < 3s);
    CHECK(o.status.signaled);
    CHECK(o.status.code == SIGTERM);
    run_until(
        io, [&] { return !process_exists(grandchild); }, 2s);
    CHECK_FALSE(process_exists(grandchild));
  }
  SUBCASE("a child that ignores SIGTERM gets SIGKILL after the grace period") {
    outcome o;
    auto c = start(io, "trap '' TERM; echo ready; while :; do sleep 0.05; done", o);
    run_until(io, [&] { return !o.out.empty(); });
    const auto t0 = std::chrono::steady_clock::now();
    c->terminate(300ms);
    run_until(io, [&] { return o.exited; });
    REQUIRE(o.exited);
    CHECK(std::chrono::steady_clock::now() - t0 >= 250ms);
    CHECK(o.status.signaled);
    CHECK(o.status.code == SIGKILL);
  }
}

TEST_CASE("child_process: many children at once") {
  asio::io_context io;
  constexpr int n = 40;
  std::vector<outcome> outcomes(n);
  std::vector<std::unique_ptr<child_process>> children;
  const std::size_t live_before = child_process::live();
  for (int i = 0; i < n; ++i)
    children.push_back(
        start(io, "sleep 0.2; echo " + std::to_string(i) + "; exit " + std::to_string(i % 7),
              outcomes[i]));
  CHECK(child_process::live() == live_before + n);
  run_until(io, [&] {
    for (auto& o : outcomes)
      if (!o.exited) return false;
    return true;
  });
  for (int i = 0; i < n; ++i) {
    REQUIRE(outcomes[i].exited);
    CHECK(outcomes[i].out == std::vector<std::string>{std::to_string(i)});
    CHECK(outcomes[i].status.code == i % 7);
  }
  CHECK(child_process::live() == live_before);
}

TEST_CASE("child_process: the destructor kills and reaps a running child; no callback after") {
  asio::io_context io;
  outcome o;
  pid_t pid = 0;
  {
    auto c = start(io, "sleep 30", o);
    pid = c->pid();
    io.run_for(50ms);
    io.restart();
  }
  // Reaped: not even a zombie is left, so waitpid has nothing to wait for.
  int st = 0;
  CHECK(::waitpid(pid, &st, WNOHANG) == -1);
  CHECK_FALSE(process_exists(pid));
  io.run_for(50ms);
  CHECK_FALSE(o.exited);
}

TEST_CASE("child_process: a callback may destroy its own child_process") {
  asio::io_context io;
  std::unique_ptr<child_process> c;
  int lines = 0;
  bool exited = false;
  spawn_options opts;
  opts.argv = {"/bin/sh", "-c", "echo a; echo b; echo c"};
  std::string error;
  c = child_process::spawn(
      io.get_executor(), opts,
      [&](int, std::string_view) {
        ++lines;
        c.reset();
      },
      [&](const child_exit&) { exited = true; }, error);
  REQUIRE(c);
  run_until(
      io, [&] { return !c; }, 5s);
  io.run_for(100ms);
  CHECK(lines == 1);
  CHECK_FALSE(exited);
}

TEST_CASE("child_process: working directory, environment additions, stdin from /dev/null") {
  asio::io_context io;
  outcome o;
  spawn_options opts;
  opts.argv = {"/bin/sh", "-c", "pwd; echo \"$RB_A-$RB_B\"; cat; echo end"};
  opts.cwd = "/";
  opts.env = {{"RB_A", "one"}, {"RB_B", "two"}};
  std::string error;
  auto c = child_process::spawn(
      io.get_executor(), opts,
      [&o](int fd, std::string_view line) { (fd == 1 ? o.out : o.err).emplace_back(line); },
      [&o](const child_exit& e) {
        o.exited = true;
        o.status = e;
      },
      error);
  REQUIRE_MESSAGE(c, error);
  run_until(io, [&] { return o.exited; });
  CHECK(o.out == std::vector<std::string>{"/", "one-two", "end"});
  CHECK(o.status.code == 0);
}
