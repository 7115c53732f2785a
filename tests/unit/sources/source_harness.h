// source_harness: a real io_context, a capacity-limited recording sink and a done recorder for
// driving a built-in source in tests.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sources/builtin/builtin.h"

namespace rb::sources::test {

// Accepts every event, reports "full" once `capacity` events are buffered, and drains the buffer
// on the loop when asked through when_ready (like the engine's ruleset queue).
class recording_sink final : public event_sink {
 public:
  recording_sink(boost::asio::io_context& io, std::size_t capacity)
      : io_(io), capacity_(capacity) {}

  bool put(value&& event) override {
    if (full_) ++puts_while_full;  // the source ignored back-pressure
    received_at.push_back(std::chrono::steady_clock::now());
    events.push_back(std::move(event));
    ++buffered_;
    if (on_put) on_put(events.back());
    if (buffered_ >= capacity_) {
      full_ = true;
      ++times_full;
      return false;
    }
    return true;
  }

  void when_ready(std::function<void()> resume) override {
    ++when_ready_calls;
    if (waiting_) ++double_waits;  // two continuations at once: the source would run twice
    waiting_ = std::move(resume);
    boost::asio::post(io_, [this] {
      buffered_ = 0;
      full_ = false;
      auto resume_now = std::move(waiting_);
      waiting_ = nullptr;
      if (resume_now) boost::asio::post(io_, std::move(resume_now));
    });
  }

  std::vector<value> events;
  std::vector<std::chrono::steady_clock::time_point> received_at;
  std::function<void(const value&)> on_put;  // runs inside put (e.g. to call stop())
  int puts_while_full = 0;
  int times_full = 0;
  int when_ready_calls = 0;
  int double_waits = 0;

 private:
  boost::asio::io_context& io_;
  std::size_t capacity_;
  std::size_t buffered_ = 0;
  bool full_ = false;
  std::function<void()> waiting_;
};

// Answers every request on the loop with `reply` (or its error), recording the URLs asked for.
// The real client is tested in unit_http and, with url_check, in the conformance suite.
struct canned_http final : rb::http_sender {
  explicit canned_http(boost::asio::io_context& io) : io(io) {}
  void send(rb::http_request r, std::function<void(rb::http_response)> done) override {
    asked.push_back(r.url);
    rb::http_response resp = reply;
    if (auto it = replies.find(r.url); it != replies.end()) resp = it->second;
    boost::asio::post(io, [done = std::move(done), resp]() mutable { done(std::move(resp)); });
  }
  static rb::http_response answered(long status) {
    rb::http_response r;
    r.responded = true;
    r.status = status;
    return r;
  }
  static rb::http_response failed(std::string error) {
    rb::http_response r;
    r.error = std::move(error);
    return r;
  }
  boost::asio::io_context& io;
  rb::http_response reply = answered(200);
  std::map<std::string, rb::http_response> replies;
  std::vector<std::string> asked;
};

// One source on its own loop, with its end recorded and re-entrancy checked.
struct harness {
  boost::asio::io_context io;
  recording_sink sink;
  std::unique_ptr<source> src;
  int done_calls = 0;
  std::optional<source_end> end;
  std::string error;
  bool inside_call = false;
  bool done_reentered = false;
  std::chrono::steady_clock::time_point started, ended;

  canned_http http{io};

  explicit harness(std::size_t capacity = 1u << 30) : sink(io, capacity) {}

  source_env env() {
    source_env e;
    e.io = &io;
    e.sink = &sink;
    e.name = "test";
    e.plugin = "test";
    e.http = &http;
    e.done = [this](source_end how, const std::string& err) {
      ++done_calls;
      if (inside_call) done_reentered = true;
      end = how;
      error = err;
      ended = std::chrono::steady_clock::now();
    };
    return e;
  }

  // Creates the source; throws what make_builtin throws.
  harness& make(std::string_view plugin, const value& args) {
    src = make_builtin(plugin, args, env());
    return *this;
  }

  void start() {
    started = std::chrono::steady_clock::now();
    inside_call = true;
    src->start();
    inside_call = false;
  }

  void stop() {
    inside_call = true;
    src->stop();
    inside_call = false;
  }

  // Runs the loop until `done()` holds, checking after every handler; false if `limit` passed
  // first. Tests wait for what they expect rather than for a time that suits a fast machine; the
  // limit only turns a hang into a failure.
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      io.restart();
      const auto step = std::min<std::chrono::steady_clock::duration>(
          deadline - now, std::chrono::milliseconds(10));
      if (io.run_one_for(step) == 0 && io.stopped())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));  // no work: do not spin
    }
    return true;
  }

  // Starts and runs the loop until it has no work left.
  harness& run(std::string_view plugin, const value& args) {
    make(plugin, args);
    start();
    io.run();
    return *this;
  }

  double elapsed_ms() const {
    return std::chrono::duration<double, std::milli>(ended - started).count();
  }
  double ms_until_event(std::size_t n) const {
    return std::chrono::duration<double, std::milli>(sink.received_at.at(n) - started).count();
  }

  // The contract every run must keep, whatever the source did.
  void check_contract() const {
    CHECK(done_calls == 1);
    CHECK_FALSE(done_reentered);
    CHECK(sink.puts_while_full == 0);
    CHECK(sink.double_waits == 0);
  }
};

// The message of the source_error thrown while making the source, or "" if none.
inline std::string make_error(std::string_view plugin, const value& args) {
  harness h;
  try {
    h.make(plugin, args);
  } catch (const source_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace rb::sources::test
