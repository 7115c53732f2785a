// url_check: ansible.eda.url_check — polls `urls` one after the other, then waits `delay`
// seconds (default 1), forever. Each check puts {url_check: {url, status, status_code}} ("up"
// only for 200, after redirects, as aiohttp follows them) or, when no response came,
// {url_check: {url, status: "down", error_msg}}. `verify_ssl` (default true) as in
// ansible-rulebook; `timeout` (seconds, default 300: aiohttp's) is rulebook's own. An empty list
// ends the source at once, as there. Requests go through the engine's HTTP client on the loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "sources/builtin/builtin_source.h"

namespace rb::sources {

class url_check_source final : public detail::builtin_source {
 public:
  // Throws source_error for bad arguments.
  url_check_source(const value& args, source_env env);

 private:
  void step() override;
  void on_response(http_response r);

  std::vector<std::string> urls_;
  std::chrono::nanoseconds delay_{0};
  std::chrono::milliseconds timeout_{0};
  bool verify_ssl_ = true;
  std::size_t next_ = 0;
};

}  // namespace rb::sources
