// fault_proxy: an in-process TCP proxy on 127.0.0.1 that can cut, reset, slow down or refuse the
// connections between a client and a target, to test failover against a real server.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rb::test {

class fault_proxy {
 public:
  // Listens on 127.0.0.1:0 and starts the forwarding thread. Each accepted client gets its own
  // upstream connection to target_host:target_port. Throws std::runtime_error on failure.
  fault_proxy(std::string target_host, int target_port);
  // Stops the thread and closes every connection.
  ~fault_proxy();
  fault_proxy(const fault_proxy&) = delete;
  fault_proxy& operator=(const fault_proxy&) = delete;

  int port() const { return port_; }

  // Every mode switch below is applied by the proxy thread before the call returns, so once it
  // returns no byte is forwarded under the old mode.

  // Normal forwarding. Ends a blackhole; what was read during it stays dropped. Connections
  // accepted during the blackhole get their upstream connection now.
  void pass();
  // Cable cut: connections stay open but nothing is forwarded either way; bytes read from either
  // side (and bytes still queued for latency) are discarded, so neither side sees an error. New
  // connections are accepted but not connected upstream.
  void blackhole();
  // Closes every current connection on both sides with RST (SO_LINGER 0) and returns to pass
  // mode; new connections are forwarded normally. Latency and refuse settings are kept.
  void reset();
  // Delays every chunk by `latency` in each direction, preserving order (0 = none). Applies to
  // bytes read after the call.
  void set_latency(std::chrono::milliseconds latency);
  // When on, new connections are accepted and immediately closed with RST.
  void refuse(bool on);

  // Live client connections.
  int connections() const { return connections_.load(); }
  // Bytes written to either side since the start.
  std::uint64_t bytes_forwarded() const { return bytes_forwarded_.load(); }

 private:
  struct command {
    enum kind_t { pass, blackhole, reset, latency, refuse, stop } kind;
    std::int64_t arg = 0;
  };
  void post(command c);
  void run();

  int port_ = 0;
  int listen_fd_ = -1;
  int wake_fd_ = -1;         // eventfd: tells the thread a command is waiting
  std::string target_addr_;  // the resolved sockaddr, as bytes

  std::mutex mutex_;
  std::condition_variable applied_cv_;
  std::vector<command> commands_;  // guarded by mutex_
  std::uint64_t posted_ = 0;       // guarded by mutex_
  std::uint64_t applied_ = 0;      // guarded by mutex_

  std::atomic<int> connections_{0};
  std::atomic<std::uint64_t> bytes_forwarded_{0};
  std::thread thread_;
};

}  // namespace rb::test
