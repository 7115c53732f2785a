// status_page: the HTML page at `/` on the --http-port listener (docs/monitoring.md, "Status
// page"): each monitor's state, uptime over 24 h and 7 d, a response-time chart as inline SVG, the
// recent incidents and the HA role. Self-contained (inline CSS, no script), refreshes itself (more
// often while it waits for data), and stacks into one column on a phone. Everything that came from
// config or a remote server is HTML-escaped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/monitor_directory.h"
#include "core/status_summary.h"

namespace rb::app {

struct status_page_info {
  std::string role;         // standalone, leader, follower, observing, stopping
  std::string worker_id;    // "" without HA
  std::int64_t epoch = -1;  // < 0: without HA
  std::int64_t generated_at_us = 0;
  bool has_store = true;  // false: the rulebook runs no http_check
  int refresh_seconds = 30;
  // While the page waits for data (a monitor pending, no summary or no heartbeat yet): the first
  // checks show within seconds of their heartbeats.
  int pending_refresh_seconds = 2;
};

// `summary`: the store's last answer; nullopt while the first one is on its way. `known`: the
// engine's monitors (monitor_directory::all()): their URL, method and interval go on the cards of
// the same name, and a scheduled one without heartbeats gets a "no data yet" card.
std::string render_status_page(const std::optional<status_summary>& summary,
                               const status_page_info& info,
                               const std::vector<monitor_listing>& known = {});

// `text` safe inside HTML text and attribute values.
std::string html_escape(std::string_view text);

}  // namespace rb::app
