#include "app/early_signals.h"

#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

namespace rb::app {

namespace {

volatile std::sig_atomic_t first_signal = 0;

void record(int signo) {
  if (first_signal != 0) {
    // Second signal during start-up: the operator insists. Only async-signal-safe calls here.
    static const char text[] = "second signal during start-up: stopping now\n";
    [[maybe_unused]] const auto n = ::write(STDERR_FILENO, text, sizeof text - 1);
    ::_exit(128 + signo);
  }
  first_signal = signo;
}

}  // namespace

void catch_early_signals() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = record;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // start-up's reads and connects go on; the flag is checked later
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

int take_early_signal() {
  const int s = first_signal;
  first_signal = 0;
  return s;
}

}  // namespace rb::app
