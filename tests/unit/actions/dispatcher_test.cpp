// dispatcher: execution strategies, the -m cap, locks, inline and late completions, cancellation.
// Jobs here are fakes whose steps complete at once (ms == 0) or after a timer on the loop.
#include "actions/dispatcher.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace rb::actions;
namespace asio = boost::asio;

namespace {

struct fake_step {
  fake_step(std::string n, int m = 0, std::string l = {}, bool fail = false,
            std::function<void()> d = {})
      : name(std::move(n)), ms(m), lock(std::move(l)), fail_prepare(fail), during(std::move(d)) {}
  std::string name;
  int ms = 0;  // 0: completes inside start()
  std::string lock;
  bool fail_prepare = false;
  std::function<void()> during;  // runs inside start(), before completing
  bool reports = false;          // registers cancel_slot::report (a record when cancelled)
};

struct recorder {
  std::vector<std::string> log;
  int running = 0;
  int max_running = 0;
  int cancelled = 0;
  std::size_t index(const std::string& line) const {
    return static_cast<std::size_t>(std::find(log.begin(), log.end(), line) - log.begin());
  }
  bool has(const std::string& line) const { return index(line) < log.size(); }
};

class fake_job final : public job {
 public:
  fake_job(asio::io_context& io, recorder& rec, std::vector<fake_step> steps)
      : io_(io), rec_(rec), steps_(std::move(steps)) {}

  std::size_t size() const noexcept override { return steps_.size(); }

  std::variant<step, action_result> prepare(std::size_t i) noexcept override {
    if (steps_[i].fail_prepare) return action_result{false, "cannot render", nullptr};
    return step{steps_[i].lock};
  }

  void start(std::size_t i, completion done, cancel_slot& cancel) noexcept override {
    const fake_step& s = steps_[i];
    rec_.log.push_back("start " + s.name);
    ++rec_.running;
    rec_.max_running = std::max(rec_.max_running, rec_.running);
    if (s.during) s.during();
    if (s.ms == 0) {
      --rec_.running;
      done({});
      return;
    }
    auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(s.ms));
    recorder* rec = &rec_;
    cancel.handler = [timer, rec] {
      ++rec->cancelled;
      --rec->running;
      timer->cancel();
    };
    if (s.reports)
      cancel.report = [timer, rec]() -> action_result {
        ++rec->cancelled;
        --rec->running;
        timer->cancel();
        return {false, "cancelled", rb::value{{"status", "cancelled"}}};
      };
    timer->async_wait([timer, rec, done = std::move(done)](const boost::system::error_code& ec) {
      if (ec) return;
      --rec->running;
      done({});
    });
  }

  void finish(std::size_t i, action_result&& r) noexcept override {
    rec_.log.push_back((r.not_run ? "not run " : r.ok ? "end " : "failed ") + steps_[i].name);
  }

 private:
  asio::io_context& io_;
  recorder& rec_;
  std::vector<fake_step> steps_;
};

struct fixture {
  asio::io_context io;
  recorder rec;
  dispatcher d;
  explicit fixture(std::size_t max = 25) : d(io, max) {}
  void submit(std::size_t lane, std::vector<fake_step> steps) {
    d.submit(lane, std::make_unique<fake_job>(io, rec, std::move(steps)));
  }
  void run() { io.run_for(std::chrono::seconds(5)); }
};

}  // namespace

TEST_CASE("sequential: one job at a time, in order, each job's steps in order") {
  fixture fx;
  const auto lane = fx.d.add_lane(false);
  fx.submit(lane, {{"a1", 10}, {"a2", 10}});
  fx.submit(lane, {{"b1", 5}, {"b2", 0}});
  CHECK(fx.d.pending(lane) == 2);
  fx.run();
  CHECK(fx.rec.log == std::vector<std::string>{"start a1", "end a1", "start a2", "end a2",
                                               "start b1", "end b1", "start b2", "end b2"});
  CHECK(fx.d.idle());
  CHECK(fx.d.pending(lane) == 0);
}

TEST_CASE("parallel: jobs overlap, each job's steps stay in order") {
  fixture fx;
  const auto lane = fx.d.add_lane(true);
  fx.submit(lane, {{"a1", 30}, {"a2", 0}});
  fx.submit(lane, {{"b1", 10}, {"b2", 10}});
  fx.run();
  CHECK(fx.rec.index("start b1") < fx.rec.index("end a1"));
  CHECK(fx.rec.index("end a1") < fx.rec.index("start a2"));
  CHECK(fx.rec.index("end b1") < fx.rec.index("start b2"));
  CHECK(fx.rec.max_running == 2);
  CHECK(fx.d.idle());
}

TEST_CASE("-m caps the actions running at once across lanes") {
  fixture fx(2);
  const auto p = fx.d.add_lane(true);
  const auto q = fx.d.add_lane(true);
  for (int i = 0; i < 4; ++i) fx.submit(p, {{"p" + std::to_string(i), 10}});
  for (int i = 0; i < 3; ++i) fx.submit(q, {{"q" + std::to_string(i), 10}});
  CHECK(fx.d.running() == 2);
  fx.run();
  CHECK(fx.rec.max_running == 2);
  for (int i = 0; i < 4; ++i) CHECK(fx.rec.has("end p" + std::to_string(i)));
  for (int i = 0; i < 3; ++i) CHECK(fx.rec.has("end q" + std::to_string(i)));
  // Waiting jobs get the freed slots in submission order.
  CHECK(fx.rec.index("start p2") < fx.rec.index("start p3"));
  CHECK(fx.rec.index("start p3") < fx.rec.index("start q0"));
}

TEST_CASE("96 lock: actions sharing a lock run one at a time, others pass them") {
  SUBCASE("test1 and test2 share red") {
    fixture fx;
    const auto lane = fx.d.add_lane(true);
    fx.submit(lane, {{"test1", 40, "red"}});
    fx.submit(lane, {{"test2", 0, "red"}});
    fx.submit(lane, {{"test3", 0, "green"}});
    fx.run();
    CHECK(fx.rec.log == std::vector<std::string>{"start test1", "start test3", "end test3",
                                                 "end test1", "start test2", "end test2"});
  }
  SUBCASE("three different locks") {
    fixture fx;
    const auto lane = fx.d.add_lane(true);
    fx.submit(lane, {{"test1", 40, "red"}});
    fx.submit(lane, {{"test2", 0, "blue"}});
    fx.submit(lane, {{"test3", 0, "green"}});
    fx.run();
    CHECK(fx.rec.index("start test2") < fx.rec.index("end test1"));
    CHECK(fx.rec.index("start test3") < fx.rec.index("end test1"));
  }
}

TEST_CASE("a lock is handed to its waiters in order, and waiting holds no slot (-m 1)") {
  fixture fx(1);
  const auto lane = fx.d.add_lane(true);
  fx.submit(lane, {{"a", 20, "L"}});
  fx.submit(lane, {{"b", 5, "L"}});
  fx.submit(lane, {{"c", 5}});
  fx.submit(lane, {{"d", 5, "L"}});
  fx.run();
  CHECK(fx.d.idle());
  CHECK(fx.rec.max_running == 1);
  for (const char* s : {"a", "b", "c", "d"}) CHECK(fx.rec.has(std::string("end ") + s));
  CHECK(fx.rec.index("end a") < fx.rec.index("start b"));
  CHECK(fx.rec.index("end b") < fx.rec.index("start d"));
}

TEST_CASE("a step that fails to prepare is reported and the job goes on") {
  fixture fx;
  const auto lane = fx.d.add_lane(false);
  fx.submit(lane, {{"x", 0, "", true}, {"y", 0}});
  fx.run();
  CHECK(fx.rec.log == std::vector<std::string>{"failed x", "start y", "end y"});
}

TEST_CASE("synchronous jobs run to their end before a job they submit starts") {
  fixture fx;
  const auto lane = fx.d.add_lane(true);
  const auto other = fx.d.add_lane(false);
  fake_step first{"a1", 0};
  first.during = [&] { fx.submit(other, {{"nested", 0}}); };
  fx.submit(lane, {first, {"a2", 0}});
  // Everything completed inside submit(): nothing was left for the loop.
  CHECK(fx.rec.log == std::vector<std::string>{"start a1", "end a1", "start a2", "end a2",
                                               "start nested", "end nested"});
  CHECK(fx.d.idle());
}

TEST_CASE("a job that keeps submitting jobs does not starve the loop") {
  fixture fx;
  const auto lane = fx.d.add_lane(false);
  int chain = 0;
  int chain_when_posted_ran = -1;
  std::function<void()> again = [&] {
    if (++chain < 20000) fx.submit(lane, {{"link", 0, "", false, again}});
  };
  asio::post(fx.io, [&] { fx.submit(lane, {{"link", 0, "", false, again}}); });
  asio::post(fx.io, [&] { chain_when_posted_ran = chain; });
  fx.run();
  CHECK(chain == 20000);
  CHECK(chain_when_posted_ran > 0);
  CHECK(chain_when_posted_ran < 20000);
  CHECK(fx.d.idle());
}

TEST_CASE("cancel_all: running actions are cancelled, queued jobs dropped, nothing recorded") {
  fixture fx;
  const auto seq = fx.d.add_lane(false);
  const auto par = fx.d.add_lane(true);
  fx.submit(seq, {{"s1", 50}, {"s2", 0}});
  fx.submit(seq, {{"s3", 0}});
  fx.submit(par, {{"p1", 50, "L"}});
  fx.submit(par, {{"p2", 0, "L"}});
  asio::steady_timer t(fx.io, std::chrono::milliseconds(10));
  t.async_wait([&](const boost::system::error_code&) { fx.d.cancel_all(); });
  fx.run();
  CHECK(fx.rec.cancelled == 2);
  CHECK(fx.rec.log == std::vector<std::string>{"start s1", "start p1"});
  CHECK(fx.d.idle());
  CHECK(fx.d.running() == 0);
  // The dispatcher works again afterwards.
  fx.io.restart();
  fx.submit(par, {{"after", 0, "L"}});
  CHECK(fx.rec.has("end after"));
}

TEST_CASE("cancel_all: an action with cancel_slot::report is finished with its result") {
  fixture fx;
  const auto par = fx.d.add_lane(true);
  fake_step reporting{"r1", 50};
  reporting.reports = true;
  fx.submit(par, {reporting, {"r2", 0}});
  fx.submit(par, {{"quiet", 50}});
  asio::steady_timer t(fx.io, std::chrono::milliseconds(10));
  t.async_wait([&](const boost::system::error_code&) { fx.d.cancel_all(); });
  fx.run();
  CHECK(fx.rec.cancelled == 2);
  // r1 reported (its job's later steps do not run); quiet has no record, as before.
  CHECK(fx.rec.log == std::vector<std::string>{"start r1", "start quiet", "failed r1"});
  CHECK(fx.d.idle());
  CHECK(fx.d.running() == 0);
}

TEST_CASE("cancel_all from inside an action (shutdown now): that action is still recorded") {
  fixture fx;
  const auto lane = fx.d.add_lane(true);
  fx.submit(lane, {{"slow", 50}});
  fake_step stop{"shutdown", 0};
  stop.during = [&] { fx.d.cancel_all(); };
  fx.submit(lane, {stop, {"after shutdown", 0}});
  fx.run();
  CHECK(fx.rec.log == std::vector<std::string>{"start slow", "start shutdown", "end shutdown"});
  CHECK(fx.rec.cancelled == 1);
  CHECK(fx.d.idle());
}

TEST_CASE("on_job_done reports each finished job's lane") {
  fixture fx;
  const auto a = fx.d.add_lane(false);
  const auto b = fx.d.add_lane(true);
  std::vector<std::size_t> lanes;
  fx.d.on_job_done = [&](std::size_t lane) { lanes.push_back(lane); };
  fx.submit(a, {{"x", 5}});
  fx.submit(b, {{"y", 0}});
  fx.run();
  CHECK(lanes == std::vector<std::size_t>{b, a});
}

TEST_CASE("may_start is asked right before each action: a refused action does not run") {
  fixture fx;
  const auto lane = fx.d.add_lane(false);
  bool leader = true;
  int asked = 0;
  fx.d.may_start = [&](const rb::actions::job&, std::size_t) {
    ++asked;
    return leader;
  };
  // Leadership goes away while a1 runs: a2 is refused at its own start, not at submission.
  fx.submit(lane, {{"a1", 10, {}, false, [&] { leader = false; }}, {"a2", 0}});
  fx.run();
  CHECK(fx.rec.log == std::vector<std::string>{"start a1", "end a1", "not run a2"});
  CHECK(asked == 2);
  CHECK(fx.d.idle());
}
