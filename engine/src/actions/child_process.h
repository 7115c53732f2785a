// child_process: one child process driven from the event loop, without a thread and without a
// blocking wait while it runs.
//
// - spawn() starts `argv` (looked up on PATH) in its own process group, with stdin from
//   /dev/null, stdout and stderr on pipes, the environment plus `env` additions, in `cwd`; extra
//   pipes may be handed to the child as fd 3, 4, ... (their lines come back with that fd number).
//   Signals the engine changed (SIGPIPE, SIGINT, SIGTERM, SIGCHLD, SIGHUP) are reset to default in
//   the child, and its signal mask is empty.
// - Output comes back line by line (without the '\n'; a last line without one still counts; a
//   line longer than max_line is cut into pieces) through on_line, on the loop.
// - on_exit is called once on the loop, after the child was reaped (pidfd_open + a descriptor wait;
//   a short polling timer where pidfd is missing) and its pipes reached end of file (or
//   `drain_limit` after its exit when a grandchild keeps them open).
// - terminate(grace): SIGTERM to the group, SIGKILL to the group after `grace` if the child is
//   still there. After a terminated child exits, whatever is left of its group gets SIGKILL.
// - The destructor of a child that has not been reaped sends SIGKILL to the group and reaps it
//   (the only wait, right after SIGKILL); every fd is closed. Callbacks never run after it.
//
// Loop thread only. Callbacks may destroy the child_process that called them.
#pragma once

#include <sys/types.h>

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rb::actions {

struct child_exit {
  bool signaled = false;  // killed by a signal
  int code = 0;           // exit code, or the signal number when signaled
  // What a shell would report: the exit code, or 128 + signal.
  int rc() const noexcept { return signaled ? 128 + code : code; }
};

struct spawn_options {
  std::vector<std::string> argv;                         // argv[0] is looked up on PATH
  std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing) ours
  std::string cwd;                                       // empty: ours
  int extra_pipes = 0;  // pipes from the child's fd 3, 4, ... (their lines: fd 3, 4, ...)
  std::size_t max_line = 1 << 20;
  std::chrono::milliseconds drain_limit{2000};
};

class child_process {
 public:
  // fd: 1 stdout, 2 stderr, 3... the extra pipes.
  using line_handler = std::function<void(int fd, std::string_view line)>;
  using exit_handler = std::function<void(const child_exit&)>;

  // Starts the child. On failure returns null and sets `error` (the program not found, ...).
  static std::unique_ptr<child_process> spawn(boost::asio::any_io_executor ex,
                                              const spawn_options& opts, line_handler on_line,
                                              exit_handler on_exit, std::string& error);

  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const noexcept;
  bool exited() const noexcept;  // reaped
  // SIGTERM to the group now, SIGKILL after `grace` unless it exited. Idempotent.
  void terminate(std::chrono::milliseconds grace);
  // SIGKILL to the group now.
  void kill();

  // Children spawned and not reaped yet, in this process (loop thread only).
  static std::size_t live() noexcept;

  struct impl;

 private:
  explicit child_process(std::shared_ptr<impl> p) : p_(std::move(p)) {}
  std::shared_ptr<impl> p_;
};

// Whether `program` is an executable file on PATH (or, with a '/', at that path).
bool on_path(std::string_view program);

}  // namespace rb::actions
