#include "core/clock.h"

#include <cstring>
#include <ctime>

namespace rb {

namespace {

void format_seconds(std::time_t secs, char* out /* 20 bytes: YYYY-MM-DDTHH:MM:SS\0 */) {
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::strftime(out, 20, "%Y-%m-%dT%H:%M:%S", &tm);
}

void with_micros(const char* seconds_text, long micros, char* out /* 27 bytes */) {
  std::memcpy(out, seconds_text, 19);
  out[19] = '.';
  for (int i = 25; i >= 20; --i) {
    out[i] = static_cast<char>('0' + micros % 10);
    micros /= 10;
  }
  out[26] = 'Z';
}

}  // namespace

iso_timestamp utc_stamp(std::int64_t us) {
  // Timestamps come in bursts within the same second: format the date part once per second.
  thread_local std::time_t cached_secs = -1;
  thread_local char cached[20];
  const std::time_t secs = static_cast<std::time_t>(us / 1000000);
  if (secs != cached_secs) {
    format_seconds(secs, cached);
    cached_secs = secs;
  }
  iso_timestamp out;
  with_micros(cached, static_cast<long>(us % 1000000), out.text);
  return out;
}

std::string utc_iso(std::chrono::system_clock::time_point tp) {
  using namespace std::chrono;
  return std::string(utc_stamp(duration_cast<microseconds>(tp.time_since_epoch()).count()).view());
}

std::string utc_now_iso() { return std::string(utc_now_stamp().view()); }

iso_timestamp utc_now_stamp() {
  using namespace std::chrono;
  return utc_stamp(duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
}

}  // namespace rb
