// process_stats: what /metrics says about the process itself, read from /proc (Linux).
#pragma once

#include <cstdint>

namespace rb::app {

double process_start_seconds();  // Unix time the process started
std::uint64_t resident_bytes();  // resident set size now
double cpu_seconds();            // user + system CPU time so far

}  // namespace rb::app
