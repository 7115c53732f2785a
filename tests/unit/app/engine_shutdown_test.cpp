// The engine's shutdown with actions that are still running: `graceful` waits for them up to its
// delay, then cancels what is left; `now` cancels at once. The built-in actions complete at once,
// so these tests add an action that completes later from the event loop (a timer), the way an
// action waiting on a process or a socket does, under the name `run_playbook`.
#include <doctest/doctest.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "actions/action.h"
#include "app/engine.h"
#include "rulebook/loader.h"

namespace {

using namespace std::chrono_literals;
using rb::value;
namespace ra = rb::actions;

struct slow_log {
  int started = 0;
  int completed = 0;
  int cancelled = 0;
};

// Completes `ms` milliseconds after it starts (the playbook name is `slow-<ms>`).
class slow_action final : public ra::action {
 public:
  slow_action(std::chrono::milliseconds ms, slow_log& log) : ms_(ms), log_(log) {}
  std::string_view audit_name() const noexcept override { return "run_playbook"; }
  void start(const ra::firing&, const value&, ra::services& svc, ra::completion done,
             ra::cancel_slot& cancel) noexcept override {
    ++log_.started;
    auto timer = std::make_shared<boost::asio::steady_timer>(svc.executor, ms_);
    cancel.handler = [timer, this] {
      ++log_.cancelled;
      timer->cancel();
    };
    timer->async_wait([timer, done = std::move(done), this](const boost::system::error_code& ec) {
      if (ec) return;  // cancelled: the dispatcher no longer waits for a completion
      ++log_.completed;
      done({});
    });
  }

 private:
  std::chrono::milliseconds ms_;
  slow_log& log_;
};

struct outcome {
  int exit_code = -1;
  std::chrono::milliseconds took{};
  std::vector<std::string> actions;  // audit records, "rule::action"
  slow_log log;
};

// Runs a ruleset whose first event starts an action lasting `action` and whose second event runs
// `shutdown` with `shutdown_args`, in parallel so that the shutdown fires while the action runs.
outcome run_with_shutdown(const std::string& shutdown_args, std::chrono::milliseconds action) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("rb-engine-shutdown-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string audit = (dir / "audit.jsonl").string();
  std::filesystem::remove(audit);
  const std::string ms = std::to_string(action.count());
  const std::string text = R"(- name: work
  hosts: all
  execution_strategy: parallel
  sources:
    - generic:
        payload:
          - job: 1
          - stop: true
  rules:
    - name: slow job
      condition: event.job == 1
      action:
        run_playbook:
          name: slow-)" + ms +
                           R"(
    - name: stop
      condition: event.stop == true
      action:
        shutdown: )" + shutdown_args +
                           "\n";
  const auto loaded = rb::rulebook::load_text(text, "shutdown.yml", value::object());
  REQUIRE(loaded.ok());

  outcome o;
  rb::app::cli_options options;
  options.audit_log = audit;
  ra::extra_actions extra;
  extra.emplace_back("run_playbook", [&o](const value& args) {
    const std::string name = args.at("name").get<std::string>();
    return std::make_unique<slow_action>(std::chrono::milliseconds(std::stoi(name.substr(5))),
                                         o.log);
  });
  const auto start = std::chrono::steady_clock::now();
  {
    rb::app::engine e(options, loaded.model, value::object(), std::move(extra));
    o.exit_code = e.run();
  }
  o.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
  std::ifstream in(audit);
  for (std::string line; std::getline(in, line);) {
    const value r = value::parse(line);
    o.actions.push_back(r["rule"].get<std::string>() + "::" + r["action"].get<std::string>());
  }
  std::filesystem::remove_all(dir);
  return o;
}

}  // namespace

TEST_CASE("graceful shutdown waits for a running action that ends within the delay") {
  const auto o = run_with_shutdown("{delay: 60}", 600ms);
  CHECK(o.exit_code == 0);
  CHECK(o.log.started == 1);
  CHECK(o.log.completed == 1);
  CHECK(o.log.cancelled == 0);
  CHECK(o.actions == std::vector<std::string>{"stop::shutdown", "slow job::run_playbook"});
  CHECK(o.took >= 600ms);
  CHECK(o.took < 30s);  // ends when the action does, not at the delay
}

TEST_CASE("graceful shutdown cancels an action still running when the delay is over") {
  // The action would run a minute: ending within seconds shows it was cancelled.
  const auto o = run_with_shutdown("{delay: 0.1}", 60s);
  CHECK(o.exit_code == 0);
  CHECK(o.log.started == 1);
  CHECK(o.log.completed == 0);
  CHECK(o.log.cancelled == 1);
  CHECK(o.actions == std::vector<std::string>{"stop::shutdown"});  // no record when cancelled
  CHECK(o.took < 10s);
}

TEST_CASE("shutdown now cancels running actions at once") {
  // A minute's action and a minute's delay: ending within seconds shows neither was waited for.
  const auto o = run_with_shutdown("{kind: now, delay: 60}", 60s);
  CHECK(o.exit_code == 0);
  CHECK(o.log.started == 1);
  CHECK(o.log.completed == 0);
  CHECK(o.log.cancelled == 1);
  CHECK(o.actions == std::vector<std::string>{"stop::shutdown"});
  CHECK(o.took < 10s);
}
