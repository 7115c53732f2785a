// early_signals: SIGINT and SIGTERM from the first instruction of main until the engine's event
// loop owns them. catch_early_signals() installs a handler that only records the first signal (a
// second one exits at once with 128 + its number: nothing has been accepted yet). The engine's
// signal_set replaces that handler when it is built; it then asks take_early_signal() whether a
// signal came before, and stops exactly as if it had arrived later (same log line, exit 0).
#pragma once

namespace rb::app {

// Call first in main, before any thread exists.
void catch_early_signals();

// The first SIGINT/SIGTERM recorded before the engine took over, or 0; clears it. Call only after
// another handler replaced the early one (asio::signal_set), so nothing can set it again.
int take_early_signal();

}  // namespace rb::app
