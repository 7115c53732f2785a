#include "core/clock.h"

#include <ctime>

namespace rb {

namespace {

void format_seconds(std::time_t secs, char* out /* 20 bytes: YYYY-MM-DDTHH:MM:SS\0 */) {
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::strftime(out, 20, "%Y-%m-%dT%H:%M:%S", &tm);
}

std::string with_micros(const char* seconds_text, long micros) {
  std::string s;
  s.reserve(27);
  s.append(seconds_text, 19);
  s.push_back('.');
  char digits[6];
  for (int i = 5; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + micros % 10);
    micros /= 10;
  }
  s.append(digits, 6);
  s.push_back('Z');
  return s;
}

}  // namespace

std::string utc_iso(std::chrono::system_clock::time_point tp) {
  using namespace std::chrono;
  const auto us = duration_cast<microseconds>(tp.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(us / 1000000);
  char buf[20];
  format_seconds(secs, buf);
  return with_micros(buf, static_cast<long>(us % 1000000));
}

std::string utc_now_iso() {
  using namespace std::chrono;
  thread_local std::time_t cached_secs = -1;
  thread_local char cached[20];
  const auto us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(us / 1000000);
  if (secs != cached_secs) {
    format_seconds(secs, cached);
    cached_secs = secs;
  }
  return with_micros(cached, static_cast<long>(us % 1000000));
}

}  // namespace rb
