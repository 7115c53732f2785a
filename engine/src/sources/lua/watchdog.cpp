#include "sources/lua/watchdog.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "core/last_words.h"
#include "sources/lua/lua_host.h"

namespace rb::sources::lua::detail {

namespace {

using namespace std::chrono_literals;

class watchdog {
 public:
  ~watchdog() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void add(const std::shared_ptr<watch_slot>& slot) {
    std::lock_guard lock(mutex_);
    slots_.push_back(slot);
    // Scan often enough to notice an overrun within a quarter of the shortest limit.
    period_ = std::clamp(
        std::chrono::duration_cast<std::chrono::nanoseconds>(slot->fatal_after() / 4),
        std::chrono::nanoseconds(5ms), std::min(period_, std::chrono::nanoseconds(100ms)));
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!quit_) {
      wake_.wait_for(lock, period_);
      if (quit_) break;
      const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
      std::erase_if(slots_, [](const std::weak_ptr<watch_slot>& w) { return w.expired(); });
      for (const auto& weak : slots_) {
        const auto slot = weak.lock();
        if (!slot) continue;
        const auto since = slot->since();
        if (since == 0 || std::chrono::nanoseconds(now - since) <= slot->fatal_after()) continue;
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::nanoseconds(now - since));
        spdlog::critical(
            "{}: a Lua call has run for {} ms without returning or yielding and the watchdog "
            "hook could not interrupt it (JIT-compiled loop or long C call); ending the process "
            "so that the plugin cannot hang the engine (exit status {})",
            slot->label(), ms.count(), watchdog_exit_code);
        spdlog::default_logger()->flush();
        last_words::say_all();
        std::_Exit(watchdog_exit_code);
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::weak_ptr<watch_slot>> slots_;
  std::chrono::nanoseconds period_ = 100ms;
  bool quit_ = false;
  std::thread thread_;
};

watchdog& instance() {
  static watchdog w;
  return w;
}

}  // namespace

std::shared_ptr<watch_slot> enrol(std::string label, std::chrono::nanoseconds fatal_after) {
  auto slot = std::make_shared<watch_slot>(std::move(label), fatal_after);
  instance().add(slot);
  return slot;
}

}  // namespace rb::sources::lua::detail
