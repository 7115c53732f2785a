// status_query: the status page's summary (core/status_summary.h) read from the heartbeats table
// with three bounded queries that run on SQLite and PostgreSQL alike: per monitor the counts of
// the last 24 h and 7 d and its newest row; per monitor and 15-minute slice of the last 24 h the
// checks, failures and mean response times (of the successes, and of the failures apart); 10 runs
// of consecutive failures (gaps and islands over the last 7 days), the ongoing ones first, then
// the newest by start. Every scan is bounded by scheduled_at.
#pragma once

#include <cstdint>
#include <string>

#include "core/status_summary.h"
#include "store/backend.h"

namespace rb::store {

// On the writer thread, with `db` connected. `out.error` says why not when a query fails.
status_summary read_status_summary(backend& db, std::int64_t now_us);

// A failed check's reason as a line: its error, else its failed conditions ("status_code 500
// (expected 200)"), else its status code.
std::string failure_reason(const std::string& error, const std::string& failed_conditions,
                           const std::string& status_code);

}  // namespace rb::store
