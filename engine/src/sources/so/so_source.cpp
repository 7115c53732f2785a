#include "sources/so/so_source.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "sources/so/event_json.h"

namespace rb::sources::so {

namespace {

constexpr std::chrono::milliseconds first_backoff{10};
constexpr std::chrono::milliseconds max_backoff{100};
// While the leader/follower flags disagree (both set), they are re-checked at this pace.
constexpr std::chrono::milliseconds leadership_recheck{100};

source_env checked(const module& mod, source_env env) {
  if (env.io == nullptr || env.sink == nullptr)
    throw source_error(mod.name() + ": internal error: source created without loop or sink");
  return env;
}

std::string config_text(const module& mod, const value& args) {
  if (args.is_null()) return "{}";
  if (!args.is_object())
    throw source_error(mod.name() + ": the source's arguments must be a mapping, got " +
                       args.dump());
  try {
    return args.dump();
  } catch (const std::exception& e) {  // e.g. a string that is not UTF-8
    throw source_error(mod.name() +
                       ": the source's arguments cannot be passed as JSON: " + e.what());
  }
}

rb_plugin_state* init_state(const module& mod, const std::string& config) {
  rb_plugin_rc rc = RB_PLUGIN_FAILURE;
  rb_plugin_state* state = mod.api().init(config.c_str(), &rc);
  if (rc == RB_PLUGIN_SUCCESS && state != nullptr) return state;
  std::string err = rc == RB_PLUGIN_SUCCESS ? std::string("rb_plugin_init returned no state")
                                            : mod.last_error(state);
  if (state != nullptr) mod.api().destroy(state);
  throw source_error(mod.name() + ": " + err);
}

}  // namespace

so_source::so_source(std::shared_ptr<const module> mod, const value& args, source_env env)
    : mod_(std::move(mod)),
      api_(mod_->api()),
      env_(checked(*mod_, std::move(env))),
      config_(config_text(*mod_, args)),
      state_(mod_, init_state(*mod_, config_)),
      timer_(*env_.io),
      leadership_timer_(*env_.io),
      backoff_(first_backoff) {
  signals_ = env_.signals;
  if (signals_ == nullptr) {
    own_signals_ = std::make_unique<ha_signals>(*env_.io);
    own_signals_->leader.set();
    signals_ = own_signals_.get();
  }
}

so_source::~so_source() { close_instance(); }

void so_source::start() {
  if (started_ || halted()) return;
  started_ = true;
  // Posted: start() must neither produce nor end synchronously.
  boost::asio::post(*env_.io, [this, alive = std::weak_ptr<char>(alive_)] {
    if (alive.expired() || halted()) return;
    open();
  });
}

void so_source::stop() {
  if (halted()) return;
  stopping_ = true;
  close_instance();
  finish(source_end::stopped);
}

void so_source::open() {
  value params(value::value_t::object);
  params["name"] = env_.name;
  params["ha"] = signals_->ha_mode;
  rb_plugin_rc rc = RB_PLUGIN_FAILURE;
  instance_ = api_.open(state_.get(), params.dump().c_str(), &rc);
  if (rc != RB_PLUGIN_SUCCESS || instance_ == nullptr) {
    const std::string err = rc == RB_PLUGIN_SUCCESS ? "rb_plugin_open returned no instance"
                                                    : mod_->last_error(state_.get());
    if (instance_ != nullptr) close_instance();
    instance_ = nullptr;
    fail(err);
    return;
  }
  if (api_.get_fd != nullptr) {
    const int fd = api_.get_fd(state_.get(), instance_);
    if (fd < -1) {
      fail(mod_->last_error(state_.get()));
      return;
    }
    if (fd >= 0) {
      try {
        fd_.emplace(*env_.io);
        fd_->assign(fd);
      } catch (const std::exception& e) {
        fd_.reset();
        fail("rb_plugin_get_fd returned " + std::to_string(fd) +
             ", which cannot be waited on: " + e.what());
        return;
      }
    }
  }
  if (!sync_leadership()) return;
  watch_leadership();
  signals_->shutdown.when_set([this, alive = std::weak_ptr<char>(alive_)] {
    if (!alive.expired()) stop();
  });
  step();
}

void so_source::step() {
  waiting_ = waiting::none;
  if (halted()) return;
  if (!deliver()) return;
  if (!sync_leadership()) return;

  const rb_plugin_event* events = nullptr;
  std::uint32_t count = 0;
  std::int32_t wait_ms = -1;
  const rb_plugin_rc rc = api_.next_batch(state_.get(), instance_, &events, &count, &wait_ms);
  switch (rc) {
    case RB_PLUGIN_SUCCESS:
      if (count == 0) {  // documented as TIMEOUT without a hint: no spinning on empty batches
        wait_plugin(-1);
        return;
      }
      if (!take(events, count)) return;
      backoff_ = first_backoff;
      if (!deliver()) return;
      post_step();
      return;
    case RB_PLUGIN_TIMEOUT:
      wait_plugin(wait_ms);
      return;
    case RB_PLUGIN_EOF:
      close_instance();
      finish(source_end::finished);
      return;
    case RB_PLUGIN_FAILURE:
      fail(mod_->last_error(state_.get()));
      return;
    default:
      fail("rb_plugin_next_batch returned unknown code " + std::to_string(rc));
      return;
  }
}

bool so_source::take(const rb_plugin_event* events, std::uint32_t count) {
  pending_.clear();
  next_pending_ = 0;
  if (events == nullptr) {
    fail("rb_plugin_next_batch returned SUCCESS with " + std::to_string(count) +
         " events but no array");
    return false;
  }
  pending_.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    const rb_plugin_event& e = events[i];
    // Built only on failure: this loop runs once per event.
    const auto where = [&] {
      return "event " + std::to_string(i + 1) + " of " + std::to_string(count);
    };
    if (e.json == nullptr) {
      fail(where() + " of a batch has no text");
      return false;
    }
    try {
      pending_.push_back(parse_event(e.json, e.len));
    } catch (const std::exception& ex) {
      fail(where() + " of a batch is not valid JSON: " + ex.what());
      return false;
    }
    if (!pending_.back().is_object()) {
      fail(where() + " of a batch is not a JSON object: " +
           std::string(e.json, std::min<std::size_t>(e.len, 200)));
      return false;
    }
  }
  return true;
}

bool so_source::deliver() {
  event_sink& out = *env_.sink;
  while (next_pending_ < pending_.size()) {
    const bool more = out.put(std::move(pending_[next_pending_++]));
    if (halted()) return false;  // the sink may stop us from inside put (a failing filter)
    if (!more) {
      waiting_ = waiting::sink;
      out.when_ready([this, alive = std::weak_ptr<char>(alive_)] {
        if (alive.expired() || halted()) return;
        step();
      });
      return false;
    }
  }
  pending_.clear();
  next_pending_ = 0;
  return true;
}

void so_source::post_step() {
  waiting_ = waiting::posted;
  boost::asio::post(*env_.io, [this, alive = std::weak_ptr<char>(alive_)] {
    if (alive.expired() || halted()) return;
    step();
  });
}

bool so_source::fd_readable_now() {
  pollfd p{fd_->native_handle(), POLLIN, 0};
  return ::poll(&p, 1, 0) > 0 && p.revents != 0;
}

void so_source::wait_plugin(std::int32_t wait_ms) {
  waiting_ = waiting::plugin;
  const std::uint64_t gen = ++wait_gen_;
  std::optional<std::chrono::milliseconds> delay;
  if (wait_ms >= 0) delay = std::chrono::milliseconds(std::max<std::int32_t>(wait_ms, 1));

  // asio's epoll reactor is edge-triggered: an fd left readable would never wake us, so such a
  // plugin (it broke the "drain on TIMEOUT" rule) is polled on the back-off timer instead.
  const bool fd_usable = fd_.has_value() && !fd_readable_now();
  if (fd_.has_value() && !fd_usable && !warned_readable_fd_) {
    warned_readable_fd_ = true;
    spdlog::warn(
        "{}: rb_plugin_next_batch returned TIMEOUT while its fd was readable; polling it "
        "on a timer instead (drain the fd before returning TIMEOUT)",
        mod_->name());
  }
  if (fd_usable) {
    fd_->async_wait(
        boost::asio::posix::stream_descriptor::wait_read,
        [this, gen, alive = std::weak_ptr<char>(alive_)](const boost::system::error_code& ec) {
          if (ec || alive.expired() || halted() || gen != wait_gen_) return;
          resume_from_wait();
        });
  } else if (!delay) {
    delay = backoff_;
    backoff_ = std::min(backoff_ * 2, max_backoff);
  }
  if (delay) {
    timer_.expires_after(*delay);
    timer_.async_wait(
        [this, gen, alive = std::weak_ptr<char>(alive_)](const boost::system::error_code& ec) {
          if (ec || alive.expired() || halted() || gen != wait_gen_) return;
          resume_from_wait();
        });
  }
}

void so_source::resume_from_wait() {
  ++wait_gen_;  // the other completion of this wait, if any, is now stale
  timer_.cancel();
  if (fd_) fd_->cancel();
  step();
}

bool so_source::sync_leadership() {
  const int now = signals_->leader.is_set() ? 1 : 0;
  if (now == told_leader_) return true;
  told_leader_ = now;
  if (api_.set_leadership == nullptr || instance_ == nullptr) return true;
  if (api_.set_leadership(state_.get(), instance_, now) != RB_PLUGIN_SUCCESS) {
    fail(mod_->last_error(state_.get()));
    return false;
  }
  return true;
}

void so_source::watch_leadership() {
  // A flag fires once per when_set: watch the one whose setting would change the role. If that
  // one is already set too (the flags disagree), re-arming it would fire at once, forever: poll.
  async_flag& flag = told_leader_ == 1 ? signals_->follower : signals_->leader;
  if (!flag.is_set()) {
    flag.when_set([this, alive = std::weak_ptr<char>(alive_)] {
      if (!alive.expired()) on_leadership_signal();
    });
    return;
  }
  leadership_timer_.expires_after(leadership_recheck);
  leadership_timer_.async_wait(
      [this, alive = std::weak_ptr<char>(alive_)](const boost::system::error_code& ec) {
        if (!ec && !alive.expired()) on_leadership_signal();
      });
}

void so_source::on_leadership_signal() {
  if (halted()) return;
  const int before = told_leader_;
  if (!sync_leadership()) return;
  watch_leadership();
  // A plugin idling on a long wait may have events now (a new leader): ask it at once.
  if (told_leader_ != before && waiting_ == waiting::plugin) {
    ++wait_gen_;
    timer_.cancel();
    if (fd_) fd_->cancel();
    post_step();
  }
}

void so_source::close_instance() noexcept {
  timer_.cancel();
  leadership_timer_.cancel();
  ++wait_gen_;
  if (fd_) {
    // release(), not close(): the fd belongs to the plugin, which closes it in rb_plugin_close.
    fd_->release();
    fd_.reset();
  }
  if (instance_ != nullptr) {
    rb_plugin_instance* inst = instance_;
    instance_ = nullptr;
    api_.close(state_.get(), inst);
  }
}

void so_source::fail(const std::string& message) {
  close_instance();
  finish(source_end::failed, mod_->name() + ": " + message);
}

void so_source::finish(source_end end, std::string error) {
  if (ended_) return;
  ended_ = true;
  // done is moved into the handler so it still runs if the owner drops the source right after
  // stop(): the owner counts on hearing the end exactly once.
  boost::asio::post(*env_.io, [done = std::move(env_.done), end, error = std::move(error)] {
    if (done) done(end, error);
  });
}

}  // namespace rb::sources::so
