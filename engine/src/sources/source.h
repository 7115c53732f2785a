// source: the interface every event source implements (built-in, Lua, .so).
//
// Sources run on the engine's single event loop and must never block it. A source pushes events
// into an event_sink; when put() answers false the sink is full and the source must stop producing
// and resume from the callback it gives to when_ready() (back-pressure: nothing is dropped).
// A source reports its end exactly once through source_env::done.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/http.h"
#include "core/http_server.h"
#include "core/metrics.h"
#include "core/monitor_catalog.h"
#include "core/monitor_directory.h"
#include "core/value.h"

namespace rb::sources {

class event_sink {
 public:
  virtual ~event_sink() = default;
  // Takes the event (always accepted). Returns false when the sink is now full: stop producing
  // and call when_ready().
  virtual bool put(value&& event) = 0;
  // Calls `resume` once the sink has room again; always posted on the loop, never synchronously.
  virtual void when_ready(std::function<void()> resume) = 0;
  // True when an event put now goes straight into a queue with room (with HA: this worker is the
  // trusted leader). Sources that cannot wait (a webhook answering its caller) ask before put().
  virtual bool ready() const { return true; }
};

enum class source_end { finished, failed, stopped };

// An asyncio.Event-like flag living on the event loop: sources wait for it without blocking.
// Waiters registered with when_set() are posted (never called synchronously) once it is set.
class async_flag {
 public:
  explicit async_flag(boost::asio::io_context& io) : io_(&io) {}
  bool is_set() const noexcept { return set_; }
  void set();
  void clear() noexcept { set_ = false; }
  // Posts `waiter` now if set, else when set() is next called.
  void when_set(std::function<void()> waiter);

 private:
  boost::asio::io_context* io_;
  bool set_ = false;
  std::vector<std::function<void()>> waiters_;
};

// The three HA flags every source gets (ansible-rulebook's leader_event, follower_event and
// shutdown_event). Without HA, `leader` is set from the start, so HA-aware plugins run unchanged.
struct ha_signals {
  explicit ha_signals(boost::asio::io_context& io) : leader(io), follower(io), shutdown(io) {}
  async_flag leader;
  async_flag follower;
  async_flag shutdown;
  bool ha_mode = false;
};

struct source_env {
  boost::asio::io_context* io = nullptr;
  event_sink* sink = nullptr;
  std::string name;               // the source's name in the rulebook (for logs)
  std::string plugin;             // the plugin as written (for logs)
  ha_signals* signals = nullptr;  // shared by all sources of the engine; may be null in tests
  http_sender* http = nullptr;    // the engine's HTTP client (url_check); may be null in tests
  http_server_factory* http_server = nullptr;  // the embedded server (webhook); may be null
  // Opens the `monitors` source's database catalogs; empty when the engine has none to offer.
  monitor_catalog_factory monitor_catalogs;
  // Where `monitors` publishes its current list (the status page's URLs); null: nowhere.
  monitor_directory* monitors = nullptr;
  rb::metrics* metrics = nullptr;  // /metrics; null: not counted
  // Called once when the source ends; `error` is non-empty for failed.
  std::function<void(source_end, const std::string& error)> done;
};

class source {
 public:
  virtual ~source() = default;
  // Begins producing. Called once, on the loop.
  virtual void start() = 0;
  // Asks the source to stop soon (shutdown); it still calls done(stopped) when it has.
  virtual void stop() = 0;
  // Sources with a memory budget of their own (Lua states) report what they hold, for /metrics.
  virtual bool reports_memory() const noexcept { return false; }
  virtual std::size_t memory_bytes() const noexcept { return 0; }
  // HA: built-in sources start with the first leadership term, unless this answers true (a
  // server that must answer followers' callers too; it asks the sink whether it is ready).
  virtual bool starts_before_leadership() const { return false; }
};

// Thrown while creating a source from bad arguments (load time only).
struct source_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace rb::sources
