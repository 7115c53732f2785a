#include "sources/restarting_source.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace rb::sources {

namespace {

class restarting_source final : public source {
 public:
  restarting_source(source_maker make, source_env env, restart_options opts)
      : make_(std::move(make)), env_(std::move(env)), opts_(opts), timer_(*checked(env_.io)) {
    inner_ = make_(inner_env());
    before_leadership_ = inner_->starts_before_leadership();
  }

  bool starts_before_leadership() const override { return before_leadership_; }

  void start() override {
    if (started_ || stopping_ || ended_) return;
    started_ = true;
    inner_->start();
  }

  void stop() override {
    if (ended_ || stopping_) return;
    stopping_ = true;
    if (inner_) {
      inner_->stop();  // its done(stopped) passes through
      return;
    }
    end(source_end::stopped, {});  // in back-off: nothing runs
  }

 private:
  static boost::asio::io_context* checked(boost::asio::io_context* io) {
    if (io == nullptr) throw source_error("internal error: source created without loop");
    return io;
  }

  source_env inner_env() {
    source_env e = env_;
    e.done = [this, gen = ++generation_, alive = std::weak_ptr<char>(alive_)](
                 source_end how, const std::string& err) {
      if (!alive.expired()) on_inner_done(gen, how, err);
    };
    return e;
  }

  void on_inner_done(unsigned gen, source_end how, const std::string& err) {
    if (gen != generation_ || ended_) return;
    if (how != source_end::failed) {
      end(how, err);
      return;
    }
    retire_inner();
    if (stopping_ || restarts_ >= opts_.max_restarts) {
      end(source_end::failed, restarts_ == 0
                                  ? err
                                  : err + " (gave up after " + std::to_string(restarts_) +
                                        (restarts_ == 1 ? " restart)" : " restarts)"));
      return;
    }
    const auto delay = restart_delay(opts_, restarts_);
    spdlog::error("source '{}' ({}) failed: {}; restart {} of {} in {:g} s", env_.name, env_.plugin,
                  err, restarts_ + 1, opts_.max_restarts,
                  std::chrono::duration<double>(delay).count());
    timer_.expires_after(delay);
    timer_.async_wait(
        [this, alive = std::weak_ptr<char>(alive_)](const boost::system::error_code& ec) {
          if (ec || alive.expired() || ended_ || stopping_) return;
          restart();
        });
  }

  void restart() {
    ++restarts_;
    retired_.reset();
    try {
      inner_ = make_(inner_env());
    } catch (const std::exception& e) {
      // The plugin cannot even be created now (e.g. the file was edited): another failure.
      on_inner_done(generation_, source_end::failed, e.what());
      return;
    }
    spdlog::warn("source '{}' ({}) restarted (restart {} of {})", env_.name, env_.plugin, restarts_,
                 opts_.max_restarts);
    inner_->start();
  }

  // The failed source is inside its own callback's caller: destroy it later, on the loop.
  void retire_inner() {
    retired_ = std::move(inner_);
    boost::asio::post(*env_.io, [this, alive = std::weak_ptr<char>(alive_)] {
      if (!alive.expired()) retired_.reset();
    });
  }

  void end(source_end how, std::string err) {
    if (ended_) return;
    ended_ = true;
    timer_.cancel();
    boost::asio::post(*env_.io, [done = std::move(env_.done), how, err = std::move(err)] {
      if (done) done(how, err);
    });
  }

  source_maker make_;
  source_env env_;
  restart_options opts_;
  boost::asio::steady_timer timer_;
  std::unique_ptr<source> retired_;  // the last failed inner source, until it is destroyed
  std::unique_ptr<source> inner_;
  bool before_leadership_ = false;  // the plugin's, fixed by the first inner source
  unsigned generation_ = 0;         // which inner source a done() comes from
  int restarts_ = 0;
  bool started_ = false;
  bool stopping_ = false;
  bool ended_ = false;
  // Callbacks hold a weak reference: once the wrapper is gone they must not touch it.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace

std::chrono::milliseconds restart_delay(const restart_options& opts, int restarts_made) {
  auto d = std::max(opts.base_delay, std::chrono::milliseconds(0));
  for (int i = 0; i < restarts_made && d < opts.max_delay; ++i) d *= 2;
  return std::min(d, opts.max_delay);
}

std::unique_ptr<source> make_restarting_source(source_maker make, source_env env,
                                               restart_options opts) {
  return std::make_unique<restarting_source>(std::move(make), std::move(env), opts);
}

}  // namespace rb::sources
