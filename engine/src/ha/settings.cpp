#include "ha/settings.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace rb::ha {

timings derive_timings(const settings& s) {
  using std::chrono::milliseconds;
  const auto ms = [](double seconds) { return milliseconds(static_cast<long>(seconds * 1000)); };
  timings t;
  t.lease = ms(s.lease);
  t.confirm_interval = ms(s.lease / 6);
  t.server_timeout = ms(s.lease * 4 / 3);
  t.lock_wait = ms(s.poll_interval);
  t.tcp_user_timeout = ms(s.lease);
  t.connect_timeout = std::max(milliseconds(2000), ms(s.lease));
  return t;
}

std::vector<std::pair<std::string, std::string>> connection_keywords(const settings& s,
                                                                     const timings& t,
                                                                     const std::string& role,
                                                                     const std::string& options) {
  const std::string app = "rulebook " + s.worker_id + (role.empty() ? "" : " " + role);
  return {{"application_name", app.substr(0, 63)},
          {"connect_timeout", std::to_string((t.connect_timeout.count() + 999) / 1000)},
          {"keepalives", "1"},
          {"keepalives_idle", "1"},
          {"keepalives_interval", "1"},
          {"keepalives_count", "3"},
          {"tcp_user_timeout", std::to_string(t.tcp_user_timeout.count())},
          {"options", options}};
}

std::string default_worker_id() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0 || !host[0])
    std::snprintf(host, sizeof host, "worker");
  return std::string(host) + "-" + std::to_string(getpid());
}

}  // namespace rb::ha
