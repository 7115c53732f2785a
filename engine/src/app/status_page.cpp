#include "app/status_page.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "core/clock.h"

namespace rb::app {

namespace {

constexpr const char* style = R"css(
:root{color-scheme:light dark;--up:#1a7f37;--down:#cf222e;--none:#8c959f;--card:#f6f8fa;--line:#d0d7de}
@media (prefers-color-scheme:dark){:root{--card:#161b22;--line:#30363d}}
*{box-sizing:border-box}
body{font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;padding:12px}
header{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:baseline;justify-content:space-between}
h1{font-size:1.4em;margin:0}h2{font-size:1.15em;margin:20px 0 8px}
.meta{color:var(--none);font-size:.9em}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,340px),1fr));gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px;min-width:0}
.top{display:flex;justify-content:space-between;gap:8px;align-items:center}
.name{font-weight:600;overflow-wrap:anywhere}
.url,.reason{font-size:.85em;color:var(--none);overflow-wrap:anywhere}
.reason{color:var(--down)}
.pill{border-radius:10px;padding:1px 9px;font-size:.8em;font-weight:700;color:#fff;white-space:nowrap}
.up{background:var(--up)}.down{background:var(--down)}.pending{background:var(--none)}
.nums{display:flex;gap:16px;font-size:.9em;margin:6px 0}
svg{display:block;width:100%;height:48px}
.axis{display:flex;justify-content:space-between;font-size:.75em;color:var(--none)}
.note{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px}
table{border-collapse:collapse;width:100%;font-size:.9em}
td,th{text-align:left;padding:4px 6px;border-bottom:1px solid var(--line);vertical-align:top}
td:last-child{overflow-wrap:anywhere}
@media (max-width:600px){thead{display:none}tr{display:block;border-bottom:1px solid var(--line);padding:4px 0}td{display:block;border:0;padding:1px 0}}
)css";

// "2026-11-28 14:57 UTC".
std::string when(std::int64_t us) {
  std::string t = utc_iso_ms(us);
  return t.substr(0, 10) + " " + t.substr(11, 5) + " UTC";
}

std::string duration_text(std::int64_t us) {
  const std::int64_t s = std::max<std::int64_t>(us / 1000000, 0);
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return fmt::format("{} min", s / 60);
  if (s < 86400) return fmt::format("{} h {} min", s / 3600, s % 3600 / 60);
  return fmt::format("{} d {} h", s / 86400, s % 86400 / 3600);
}

// Floored to 0.01 %: a monitor that missed one check in a thousand never shows 100.00 %.
std::string uptime(std::int64_t up, std::int64_t checks) {
  if (checks <= 0) return "–";
  const double pct =
      std::floor(10000.0 * static_cast<double>(up) / static_cast<double>(checks)) / 100.0;
  return fmt::format("{:.2f} %", pct);
}

// One slice per 15 minutes, scaled to the slowest mean time in the chart, failed checks included:
// a green bar at the mean time of its successful checks and, when checks failed, a red mark at
// theirs over it, or a red bar up to it when none succeeded (at the top for failures that took no
// time: a refused connect); a grey tick when it has no check.
void chart(std::string& out, const monitor_status& m) {
  const int n = static_cast<int>(m.buckets.size());
  double max_ms = 0;
  bool max_failed = false;  // the slowest slice's time is that of failed checks
  for (const auto& b : m.buckets) {
    if (b.avg_ms > max_ms) {
      max_ms = b.avg_ms;
      max_failed = false;
    }
    if (b.failed_avg_ms > max_ms) {
      max_ms = b.failed_avg_ms;
      max_failed = true;
    }
  }
  const auto height = [&](double ms) {
    return ms < 0 ? 40.0 : max_ms > 0 ? std::max(3.0, 38.0 * ms / max_ms) : 3.0;
  };
  out += fmt::format(
      "<svg viewBox=\"0 0 {} 40\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"response "
      "time, last 24 hours\">",
      n * 4);
  const auto bar = [&](int i, double y, double h, const char* color) {
    out += fmt::format("<rect x=\"{}\" y=\"{:.1f}\" width=\"3\" height=\"{:.1f}\" fill=\"{}\"/>",
                       i * 4, y, h, color);
  };
  for (int i = 0; i < n; ++i) {
    const auto& b = m.buckets[static_cast<std::size_t>(i)];
    if (b.checks == 0) {
      bar(i, 39, 1, "var(--none)");
    } else if (b.avg_ms < 0) {
      const double h = height(b.failed_avg_ms);
      bar(i, 40 - h, h, "var(--down)");
    } else {
      const double h = height(b.avg_ms);
      bar(i, 40 - h, h, "var(--up)");
      if (b.failures > 0) bar(i, 40 - height(b.failed_avg_ms), 3, "var(--down)");
    }
  }
  out += "</svg>";
  out += fmt::format(
      "<div class=\"axis\"><span>24 h ago</span><span>slowest slice {:.0f} ms{}</span>"
      "<span>now</span></div>",
      max_ms, max_failed ? " (failed)" : "");
}

// Only these become links: a `javascript:` or `data:` URL from config stays text.
bool linkable(std::string_view url) {
  const auto starts = [&](std::string_view scheme) {
    if (url.size() < scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(url[i])) != scheme[i]) return false;
    return true;
  };
  return starts("http://") || starts("https://");
}

// "GET https://x.test/ · every 30 s", the URL a link when it is http(s).
void url_line(std::string& out, const std::string& url, const monitor_listing* known) {
  if (url.empty()) return;
  out += "<div class=\"url\">";
  if (known && !known->method.empty()) out += html_escape(known->method) + " ";
  const std::string u = html_escape(url);
  if (linkable(url))
    out += "<a href=\"" + u + "\" rel=\"noopener noreferrer nofollow\">" + u + "</a>";
  else
    out += u;
  if (known && known->interval_s > 0) out += fmt::format(" · every {:g} s", known->interval_s);
  out += "</div>";
}

// "api · NY": a monitor checked from several locations has a card per location.
std::string label(const std::string& name, const std::string& datacenter) {
  return datacenter.empty() ? name : name + " · " + datacenter;
}

void card_top(std::string& out, const std::string& name, const std::string& datacenter,
              const char* pill) {
  out += "<div class=\"card\"><div class=\"top\"><span class=\"name\">" +
         html_escape(label(name, datacenter)) + "</span>" + pill + "</div>";
}

// A monitor of the engine's lists without a heartbeat in the database yet.
void pending_card(std::string& out, const monitor_listing& m) {
  card_top(out, m.name, m.datacenter, "<span class=\"pill pending\">PENDING</span>");
  url_line(out, m.url, &m);
  out += "<div class=\"meta\">no data yet: no heartbeat in the last 7 days</div></div>";
}

void monitor_card(std::string& out, const monitor_status& m, const monitor_listing* known,
                  std::int64_t now_us) {
  card_top(out, m.name, m.datacenter,
           m.last_success ? "<span class=\"pill up\">UP</span>"
                          : "<span class=\"pill down\">DOWN</span>");
  url_line(out, !m.url.empty() || !known ? m.url : known->url, known);
  std::string last = m.last_status ? std::to_string(*m.last_status) : "no response";
  if (m.last_success || m.last_status) last += fmt::format(" in {:.1f} ms", m.last_total_ms);
  out += "<div class=\"meta\">last check " + html_escape(last) + ", " +
         duration_text(now_us - m.last_at_us) + " ago</div>";
  if (!m.last_success) out += "<div class=\"reason\">" + html_escape(m.last_reason) + "</div>";
  out += "<div class=\"nums\"><span>24 h <b>" + uptime(m.up_24h, m.checks_24h) +
         "</b></span><span>7 d <b>" + uptime(m.up_7d, m.checks_7d) + "</b></span></div>";
  chart(out, m);
  out += "</div>";
}

void incidents(std::string& out, const status_summary& s) {
  out += "<h2>Recent incidents</h2>";
  if (s.incidents.empty()) {
    out += "<p class=\"note\">No failed checks in the last 7 days.</p>";
    return;
  }
  out +=
      "<table><thead><tr><th>Monitor</th><th>Started</th><th>Ended</th><th>Failed checks</th>"
      "<th>Last reason</th></tr></thead><tbody>";
  for (const auto& i : s.incidents) {
    const std::string ended =
        i.ended_us > 0
            ? when(i.ended_us) + " (" + duration_text(i.ended_us - i.started_us) + ")"
            : "<b class=\"reason\">ongoing</b> (" + duration_text(s.as_of_us - i.started_us) + ")";
    out += "<tr><td>" + html_escape(label(i.monitor, i.datacenter)) + "</td><td>" + when(i.started_us) + "</td><td>" +
           ended + "</td><td>" + std::to_string(i.failures) + "</td><td>" + html_escape(i.reason) +
           "</td></tr>";
  }
  out += "</tbody></table>";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_status_page(const std::optional<status_summary>& summary,
                               const status_page_info& info,
                               const std::vector<monitor_listing>& known) {
  // The cards, by name then datacenter: every monitor with heartbeats and every scheduled one
  // without (pending).
  using key = std::pair<std::string_view, std::string_view>;  // (name, datacenter)
  std::map<key, const monitor_listing*> listed;
  for (const auto& k : known) listed.emplace(key{k.name, k.datacenter}, &k);
  std::vector<const monitor_listing*> pending;
  std::size_t down = 0;
  if (summary && summary->error.empty()) {
    for (const auto& m : summary->monitors) down += m.last_success ? 0 : 1;
    std::set<key> with_data;
    for (const auto& m : summary->monitors) with_data.insert(key{m.name, m.datacenter});
    for (const auto& k : known)
      if (k.scheduled && !with_data.count(key{k.name, k.datacenter})) pending.push_back(&k);
  }
  // Waiting for data: reload soon, so that the first checks show as they land.
  const bool waiting =
      info.has_store &&
      (!summary || (summary->error.empty() && (summary->monitors.empty() || !pending.empty())));
  const int refresh = waiting ? info.pending_refresh_seconds : info.refresh_seconds;

  std::string out;
  out.reserve(16384);
  out += fmt::format(
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta http-equiv=\"refresh\" content=\"{}\"><title>rulebook status</title><style>",
      refresh);
  out += style;
  out += "</style></head><body><header><h1>";
  if (!info.has_store || !summary || !summary->error.empty() ||
      (summary->monitors.empty() && pending.empty()))
    out += "rulebook status";
  else if (summary->monitors.empty())
    out += "Waiting for the first checks";
  else if (down == 0)
    out += "All monitors up";
  else
    out += fmt::format("{} of {} monitors down", down, summary->monitors.size());
  out += "</h1><div class=\"meta\">role <b>" + html_escape(info.role) + "</b>";
  if (!info.worker_id.empty()) out += " · worker " + html_escape(info.worker_id);
  if (info.epoch >= 0) out += fmt::format(" · epoch {}", info.epoch);
  out += " · " + when(info.generated_at_us);
  if (summary && summary->error.empty() && summary->as_of_us > 0)
    out += " · data as of " + when(summary->as_of_us);
  out += "</div></header>";

  if (!info.has_store) {
    out +=
        "<p class=\"note\">No heartbeat store: this rulebook runs no <code>http_check</code>, so "
        "there are no monitors to show. Health and metrics are at <a href=\"/health/ready\">"
        "/health/ready</a> and <a href=\"/metrics\">/metrics</a>.</p>";
  } else if (!summary) {
    out += "<p class=\"note\">Reading the heartbeat store; this page refreshes itself.</p>";
  } else if (!summary->error.empty()) {
    out += "<p class=\"note reason\">The heartbeat store cannot answer: " +
           html_escape(summary->error) + "</p>";
  } else if (summary->monitors.empty() && pending.empty()) {
    out += "<p class=\"note\">No heartbeats in the last 7 days yet.</p>";
  } else {
    out += "<h2>Monitors</h2><div class=\"grid\">";
    auto next = pending.begin();
    const auto pending_before = [&](const key& k) {
      for (; next != pending.end() && key{(*next)->name, (*next)->datacenter} < k; ++next)
        pending_card(out, **next);
    };
    for (const auto& m : summary->monitors) {
      const key k{m.name, m.datacenter};
      pending_before(k);
      const auto it = listed.find(k);
      monitor_card(out, m, it == listed.end() ? nullptr : it->second, info.generated_at_us);
    }
    for (; next != pending.end(); ++next) pending_card(out, **next);
    out += "</div>";
    incidents(out, *summary);
  }
  out +=
      "<p class=\"meta\">Uptime counts checks that succeeded. The chart shows the last 24 hours in "
      "15-minute slices: the mean time of the successful checks in green, of the failed ones in "
      "red.";
  if (waiting)
    out += fmt::format(
        " This page refreshes every {} s until every monitor has data, then every {} s.", refresh,
        info.refresh_seconds);
  else
    out += fmt::format(" This page refreshes every {} s.", refresh);
  out += "</p></body></html>";
  return out;
}

}  // namespace rb::app
