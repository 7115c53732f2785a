// so_source: one .so plugin instance driven as a source on the event loop.
//
// Contract (on top of source.h's):
// - The constructor calls rb_plugin_init with the source's arguments as JSON and throws
//   source_error "<plugin>: <last_error>" when the plugin refuses them; nothing else of the
//   plugin runs before start(). start() opens the instance on the loop (posted).
// - next_batch is only called from the loop, never while the sink is full, and never in a busy
//   loop: after SUCCESS the next call is posted (other work runs first); after TIMEOUT the source
//   waits for the plugin's fd (epoll via stream_descriptor), its suggested wait, or a backed-off
//   default (10 ms doubling to 100 ms).
// - EOF ends the source `finished`, FAILURE (or text that is not a JSON object) `failed` with
//   "<plugin>: <message>". The instance is closed as soon as the source ends or stop() is
//   called (that is the plugin's shutdown notice); the state is destroyed with the source.
// - Leadership: the plugin is told the current role after open and on each change of the
//   leader/follower flags (and before each next_batch if a flag changed silently). Setting the
//   shutdown flag stops the source.
#pragma once

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sources/so/module.h"
#include "sources/source.h"

namespace rb::sources::so {

// Owns one rb_plugin_state: destroy() runs exactly once, when the handle goes.
class state_handle {
 public:
  state_handle(std::shared_ptr<const module> mod, rb_plugin_state* state)
      : mod_(std::move(mod)), state_(state) {}
  ~state_handle() {
    if (state_ != nullptr) mod_->api().destroy(state_);
  }
  state_handle(const state_handle&) = delete;
  state_handle& operator=(const state_handle&) = delete;
  rb_plugin_state* get() const { return state_; }

 private:
  std::shared_ptr<const module> mod_;  // keeps the code of destroy() loaded
  rb_plugin_state* state_;
};

class so_source final : public source {
 public:
  so_source(std::shared_ptr<const module> mod, const value& args, source_env env);
  ~so_source() override;
  void start() override;
  void stop() override;

 private:
  enum class waiting { none, posted, sink, plugin };

  void open();
  void step();
  // Puts the parsed events not yet delivered; false when it must wait (sink full) or halted.
  bool deliver();
  // Parses one batch into pending_; false (and the source failed) on bad text.
  bool take(const rb_plugin_event* events, std::uint32_t count);
  void post_step();
  void wait_plugin(std::int32_t wait_ms);
  void resume_from_wait();
  bool fd_readable_now();
  // Tells the plugin the current role if it changed; false when that failed the source.
  bool sync_leadership();
  void watch_leadership();
  void on_leadership_signal();
  void close_instance() noexcept;
  void fail(const std::string& message);
  void finish(source_end end, std::string error = {});
  bool halted() const { return stopping_ || ended_; }

  std::shared_ptr<const module> mod_;
  const plugin_api& api_;
  source_env env_;
  std::unique_ptr<ha_signals> own_signals_;  // standalone (tests): always the leader
  ha_signals* signals_ = nullptr;
  std::string config_;
  state_handle state_;
  rb_plugin_instance* instance_ = nullptr;
  std::optional<boost::asio::posix::stream_descriptor> fd_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer leadership_timer_;
  std::vector<value> pending_;
  std::size_t next_pending_ = 0;
  std::chrono::milliseconds backoff_;
  std::uint64_t wait_gen_ = 0;  // tells the fd and timer completions of one wait apart
  waiting waiting_ = waiting::none;
  int told_leader_ = -1;  // the role the plugin was last told; -1 before the first
  bool warned_readable_fd_ = false;
  // Continuations hold a weak reference: once the source is gone they must not touch it.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
  bool started_ = false;
  bool stopping_ = false;
  bool ended_ = false;
};

}  // namespace rb::sources::so
