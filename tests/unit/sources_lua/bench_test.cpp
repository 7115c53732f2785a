// Manual micro-benchmarks (skipped by default; run with
//   unit_sources_lua --no-skip --test-case='lua bench*'
// ). They time the source side alone, into a sink that drops events; the end-to-end numbers
// come from bench/lua_throughput.sh and bench/lua_many_tickers.sh.
#include <sys/resource.h>

#include <cstdio>

#include "lua_test_util.h"
#include "sources/builtin/builtin.h"

using rb::value;
using namespace rb::sources;
using namespace rb::sources::lua;
using namespace rb::sources::lua::test;

namespace {

struct counting_sink final : event_sink {
  std::size_t n = 0;
  bool put(value&&) override {
    ++n;
    return true;
  }
  void when_ready(std::function<void()>) override {}
};

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double events_per_second(const std::function<std::unique_ptr<source>(source_env)>& make,
                         std::size_t expect) {
  boost::asio::io_context io;
  counting_sink sink;
  source_env env;
  env.io = &io;
  env.sink = &sink;
  env.plugin = "bench";
  env.done = [](source_end, const std::string&) {};
  auto src = make(env);
  const auto t0 = std::chrono::steady_clock::now();
  src->start();
  io.run();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(sink.n == expect);
  return sink.n / s;
}

}  // namespace

TEST_CASE("lua bench: a Lua source vs the built-in range, source side only" * doctest::skip()) {
  const std::size_t n = 2'000'000;
  const std::string path = (fs::path(RB_SOURCE_DIR) / "bench" / "lua_emit.lua").string();
  const double range = events_per_second(
      [&](source_env e) {
        return make_builtin("range", {{"limit", n}}, std::move(e));
      },
      n);
  const double lua = events_per_second(
      [&](source_env e) {
        return make_source(path, {{"limit", n}}, std::move(e), lua_options{});
      },
      n);
  lua_options jit;
  jit.allow = {"jit"};
  const double lua_jit = events_per_second(
      [&](source_env e) {
        return make_source(path, {{"limit", n}}, std::move(e), jit);
      },
      n);
  std::printf("range %.0f ev/s, lua %.0f ev/s (%.0f%%), lua+jit %.0f ev/s (%.0f%%)\n", range, lua,
              100 * lua / range, lua_jit, 100 * lua_jit / range);
}

TEST_CASE("lua bench: 1000 tick sources at 100 ms for 5 s" * doctest::skip()) {
  boost::asio::io_context io;
  counting_sink sink;
  std::vector<std::unique_ptr<source>> sources;
  const double c0 = cpu_seconds();
  for (int i = 0; i < 1000; ++i) {
    source_env env;
    env.io = &io;
    env.sink = &sink;
    env.plugin = "tick";
    env.done = [](source_end, const std::string&) {};
    sources.push_back(make_source(find_source("tick", {}), {{"interval", 0.1}, {"limit", 50}},
                                  std::move(env), lua_options{}));
  }
  const double c1 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  for (auto& s : sources) s->start();
  io.run();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = cpu_seconds() - c1;
  std::printf(
      "1000 tick sources: load %.3f s cpu; run %.2f s wall, %.3f s cpu = %.1f%% of a core, "
      "%zu events\n",
      c1 - c0, wall, cpu, 100 * cpu / wall, sink.n);
  CHECK(sink.n == 50'000);
}
