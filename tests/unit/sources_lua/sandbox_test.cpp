// Sandbox refusals, the memory cap and the watchdog (both the hook and the fatal thread).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "lua_test_util.h"

using rb::value;
using namespace rb::sources;
using namespace rb::sources::lua;
using namespace rb::sources::lua::test;
using namespace std::chrono_literals;

namespace {

// Runs `code` (its main returns a table of results) and returns the one event it puts.
value probe(const std::string& code, const lua_options& opts = quick_options()) {
  lua_harness h;
  h.run_code("probe", "return function(queue) queue:put((function() " + code + " end)()) end", {},
             opts);
  INFO(h.error);
  REQUIRE(h.end == source_end::finished);
  REQUIRE(h.sink.events.size() == 1);
  return h.sink.events[0];
}

}  // namespace

TEST_CASE("lua sandbox: dangerous libraries are absent by default") {
  const value r = probe(R"lua(
    local function refused(f) local ok = pcall(f) return not ok end
    return {
      io = io == nil, debug = debug == nil, jit = jit == nil, package = package == nil,
      require = require == nil, dofile = dofile == nil, loadfile = loadfile == nil,
      ffi = refused(function() return require("ffi") end),
      os_execute = os.execute == nil, os_exit = os.exit == nil, os_remove = os.remove == nil,
      os_rename = os.rename == nil, os_getenv = os.getenv == nil, os_tmpname = os.tmpname == nil,
      os_time = type(os.time()) == "number", os_clock = type(os.clock()) == "number",
      os_date = type(os.date("%Y")) == "string",
      string = type(string.format) == "function", table = type(table.concat) == "function",
      math = type(math.floor) == "function", bit = type(bit.band) == "function",
      coroutine = type(coroutine.wrap) == "function",
    }
  )lua");
  for (const auto& [k, v] : r.items()) {
    CAPTURE(k);
    CHECK(v == true);
  }
}

TEST_CASE("lua sandbox: io.open, os.execute and a C module fail; bytecode cannot be loaded") {
  for (const char* code : {"io.open('/etc/passwd')", "os.execute('true')", "require('socket.core')",
                           "package.loadlib('libc.so.6', 'abort')"}) {
    CAPTURE(code);
    lua_harness h;
    h.run_code("refused", std::string("return function() ") + code + " end");
    CHECK(h.end == source_end::failed);
    const bool refused = h.error.find("attempt to index global") != std::string::npos ||
                         h.error.find("attempt to call global") != std::string::npos ||
                         h.error.find("attempt to call field") != std::string::npos;
    CHECK(refused);
    CAPTURE(h.error);
  }
  const value r = probe(R"lua(
    local dumped = string.dump(function() return 1 end)
    local f1, e1 = load(dumped)
    local f2, e2 = loadstring(dumped)
    local f3, e3 = load(dumped, "x", "b")
    local text = loadstring("return 40 + 2")
    return {load = f1 == nil, loadstring = f2 == nil, mode_b = f3 == nil, err = tostring(e1),
            text = text()}
  )lua");
  CHECK(r["load"] == true);
  CHECK(r["loadstring"] == true);
  CHECK(r["mode_b"] == true);
  CHECK(r["text"] == 42);
  CAPTURE(r["err"]);
}

TEST_CASE("lua sandbox: a bytecode file is refused at load") {
  // Produce bytecode with a full (unsandboxed) state via --lua-allow io,bytecode.
  lua_options trusted = quick_options();
  trusted.allow = {"io", "bytecode"};
  const std::string out = (scratch() / "compiled.luac").string();
  lua_harness h;
  h.run_code("compiler",
             "return function() local f = io.open('" + out +
                 "', 'wb') f:write(string.dump(function() end)) f:close() end",
             {}, trusted);
  REQUIRE(h.end == source_end::finished);
  lua_harness h2;
  CHECK_THROWS_WITH_AS(make_source(out, {}, h2.env_named("compiled"), quick_options()),
                       doctest::Contains("bytecode"), source_error);
}

TEST_CASE("lua sandbox: --lua-allow opens the named libraries") {
  lua_options o = quick_options();
  o.allow = {"io", "os", "debug", "package", "ffi", "jit"};
  const value r = probe(R"lua(
    return {io = type(io.open) == "function", os = type(os.getenv) == "function",
            debug = type(debug.traceback) == "function", require = type(require) == "function",
            ffi = type(require("ffi").cdef) == "function", jit = jit.status() == true}
  )lua",
                        o);
  for (const auto& [k, v] : r.items()) {
    CAPTURE(k);
    CHECK(v == true);
  }
  // Without jit in the list the compiler is off (so that the watchdog hook sees every loop).
  o.allow = {"debug"};
  lua_harness h;
  h.run_code("nojit", "return function(queue) queue:put({jit = jit == nil}) end", {}, o);
  CHECK(h.sink.events.at(0)["jit"] == true);
}

TEST_CASE("lua limits: the memory cap fails the source with file and line, not the engine") {
  lua_options o = quick_options();
  o.memory_limit = 4u << 20;
  // Filling 4 MiB takes tens of ms here, several times that under ASan: the 200 ms watchdog could
  // end it first. The watchdog is not what this tests.
  o.watchdog = std::chrono::seconds(10);
  lua_harness h;
  h.run_code(
      "hog",
      "return function(queue)\n  local t = {}\n  for i = 1, 1e8 do t[i] = 'x' .. i end\nend\n", {},
      o);
  CHECK(h.end == source_end::failed);
  // LuaJIT does not keep the line of an allocation that fails inside the VM, so the message
  // names the file (and the line when it is known).
  CHECK(h.error.rfind("hog: " + h.path, 0) == 0);
  CAPTURE(h.error);
  CHECK(h.error.find(": memory limit of 4 MiB exceeded") != std::string::npos);
  h.check_contract();
  // The same limit leaves room for ordinary work.
  lua_harness ok;
  ok.run_code(
      "modest",
      "return function(queue) local t = {} for i = 1, 1e4 do t[i] = i end queue:put({n = #t}) end",
      {}, o);
  CHECK(ok.end == source_end::finished);
  // A limit too small for the state itself is a load error.
  o.memory_limit = 16u << 10;
  CHECK(load_error("tiny", "return function() end", o).find("memory limit") != std::string::npos);
}

TEST_CASE("lua limits: runaway loops are interrupted by the watchdog hook (JIT off)") {
  for (const char* loop :
       {"while true do end", "local x = 0 for i = 1, 1e12 do x = x + i end",
        "local s = '' while true do s = s .. 'x' if #s > 1000 then s = '' end end",
        "local function f(n) return n end while true do f(1) end",
        "while true do pcall(function() while true do end end) end"}) {
    CAPTURE(loop);
    lua_harness h;
    const auto t0 = std::chrono::steady_clock::now();
    h.run_code("runaway", std::string("return function(queue)\n  ") + loop + "\nend\n");
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(h.end == source_end::failed);
    CHECK(h.error.find("runaway: " + h.path +
                       ":2: watchdog: ran for more than 200 ms without yielding") == 0);
    CAPTURE(h.error);
    CHECK(took < 2s);
    h.check_contract();
  }
}

TEST_CASE("lua limits: a source that yields often is never stopped by the watchdog") {
  lua_harness h;
  h.run_code("busy_but_fair", R"lua(return function(queue)
    local t0 = now()
    while now() - t0 < 0.5 do
      for i = 1, 1000 do local x = i * i end
      queue:put({})
      sleep(0)
    end
  end)lua");
  CHECK(h.end == source_end::finished);
}

// The fatal path ends the process, so it runs in a child: this binary re-executed with one
// test selected and RB_LUA_FATAL_CHILD naming the scenario.
TEST_CASE("lua watchdog fatal child") {
  const char* scenario = std::getenv("RB_LUA_FATAL_CHILD");
  if (scenario == nullptr) return;  // only meaningful inside the child
  lua_options o;
  o.watchdog = 100ms;
  o.watchdog_grace = 200ms;
  std::string code;
  if (std::string(scenario) == "jit") {
    o.allow = {"jit"};
    code = "return function() while true do end end";
  } else {
    // Exponential backtracking inside one C call: no Lua instruction runs, no hook can fire.
    code = "return function() string.find(string.rep('a', 40), string.rep('a*', 40) .. 'b') end";
  }
  lua_harness h;
  h.run_code("stuck_plugin", code, {}, o);
  std::_Exit(0);  // not reached when the watchdog works
}

namespace {

// Runs the child scenario; returns its exit status and output.
std::pair<int, std::string> run_child(const char* scenario) {
  const std::string out = (scratch() / (std::string("child_") + scenario + ".log")).string();
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::setenv("RB_LUA_FATAL_CHILD", scenario, 1);
    std::FILE* f = std::fopen(out.c_str(), "w");
    ::dup2(::fileno(f), 1);
    ::dup2(::fileno(f), 2);
    ::execl("/proc/self/exe", "unit_sources_lua", "--test-case=lua watchdog fatal child",
            static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::ifstream in(out);
  std::stringstream s;
  s << in.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, s.str()};
}

}  // namespace

TEST_CASE("lua watchdog: a JIT-compiled endless loop ends the process with a fatal log") {
  const auto t0 = std::chrono::steady_clock::now();
  const auto [code, output] = run_child("jit");
  CHECK(code == watchdog_exit_code);
  CHECK(output.find("stuck_plugin: a Lua call has run for") != std::string::npos);
  CHECK(output.find("ending the process") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  CAPTURE(output);
}

TEST_CASE("lua watchdog: a long C call (pattern backtracking) ends the process even without JIT") {
  const auto [code, output] = run_child("pattern");
  CHECK(code == watchdog_exit_code);
  CHECK(output.find("stuck_plugin: a Lua call has run for") != std::string::npos);
  CAPTURE(output);
}
