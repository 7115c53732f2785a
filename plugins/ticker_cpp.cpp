// ticker_cpp: a rulebook .so source in C++ with rulebook/plugin_helper.hpp. Emits
// {"tick": k, "source": <source name>} every `interval` seconds, but only while this engine is
// the HA leader (always, without HA).
//
// Arguments:
//   interval  seconds (number > 0), default 1
//   limit     ticks before the source ends, integer >= 0, default 0 = never ends
//
// It shows the readiness rule with a pollable fd: the ticks come from a timerfd the host waits
// on (rb_plugin_get_fd), so next_batch is only called when a tick is due; following leadership
// by arming and disarming that timer; and failing by throwing (the helper turns exceptions
// into RB_PLUGIN_FAILURE + last_error).
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <rulebook/plugin_helper.hpp>
#include <stdexcept>
#include <string>
#include <system_error>

namespace {

using json = nlohmann::ordered_json;

class ticker final : public rb::plugin::instance {
 public:
  ticker(double interval, std::int64_t limit, std::string source)
      : interval_(interval), limit_(limit), source_(std::move(source)) {
    fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "timerfd_create");
  }
  ~ticker() override { ::close(fd_); }

  int fd() override { return fd_; }

  void set_leadership(bool is_leader) override {
    leader_ = is_leader;
    arm(is_leader);
  }

  rb::plugin::result next_batch(rb::plugin::batch& out) override {
    if (limit_ > 0 && ticks_ >= limit_) return rb::plugin::result::eof;
    std::uint64_t expirations = 0;
    // Reading drains the timerfd, as the ABI asks before a TIMEOUT.
    const ssize_t got = ::read(fd_, &expirations, sizeof expirations);
    if (got < 0) {
      if (errno == EAGAIN || errno == EINTR) return rb::plugin::result::timeout;
      throw std::system_error(errno, std::generic_category(), "read timerfd");
    }
    if (!leader_) return rb::plugin::result::timeout;  // a tick that fired just before we lost it
    // Ticks missed while the loop was busy are coalesced into one: a ticker reports "now".
    out.add(json{{"tick", ticks_++}, {"source", source_}}.dump());
    return rb::plugin::result::events;
  }

 private:
  void arm(bool on) {
    itimerspec spec{};
    if (on) {
      const auto ns = static_cast<std::int64_t>(std::llround(interval_ * 1e9));
      spec.it_interval.tv_sec = ns / 1'000'000'000;
      spec.it_interval.tv_nsec = ns % 1'000'000'000;
      spec.it_value = spec.it_interval;
    }
    if (timerfd_settime(fd_, 0, &spec, nullptr) != 0)
      throw std::system_error(errno, std::generic_category(), "timerfd_settime");
  }

  int fd_ = -1;
  double interval_;
  std::int64_t limit_;
  std::string source_;
  std::int64_t ticks_ = 0;
  bool leader_ = false;
};

class ticker_plugin final : public rb::plugin::plugin {
 public:
  explicit ticker_plugin(std::string_view config_json) {
    const json config = json::parse(config_json);  // the host always passes a valid object
    if (auto it = config.find("interval"); it != config.end() && !it->is_null()) {
      if (!it->is_number() || !(it->get<double>() > 0) || it->get<double>() > 86400)
        throw std::invalid_argument(
            "argument 'interval' must be a number of seconds in (0, 86400]");
      interval_ = it->get<double>();
    }
    if (auto it = config.find("limit"); it != config.end() && !it->is_null()) {
      if (!it->is_number_integer() || it->get<std::int64_t>() < 0)
        throw std::invalid_argument("argument 'limit' must be an integer >= 0");
      limit_ = it->get<std::int64_t>();
    }
  }

  std::unique_ptr<rb::plugin::instance> open(std::string_view params_json) override {
    const json params = json::parse(params_json);
    return std::make_unique<ticker>(interval_, limit_, params.value("name", "ticker_cpp"));
  }

 private:
  double interval_ = 1.0;
  std::int64_t limit_ = 0;
};

}  // namespace

RB_PLUGIN_DEFINE("ticker_cpp", ticker_plugin)
