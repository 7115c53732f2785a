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

std::string utc_iso_ms(std::int64_t us) {
  const auto full = utc_stamp(us - ((us % 1000) + 1000) % 1000);
  std::string out(full.text, 23);
  out += 'Z';
  return out;
}

std::int64_t utc_now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::optional<std::int64_t> parse_utc_iso(std::string_view t) {
  auto digits = [&](std::size_t at, std::size_t n, int& out) {
    if (at + n > t.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      out = out * 10 + (t[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, s;
  if (!digits(0, 4, y) || t.size() < 19 || t[4] != '-' || !digits(5, 2, mo) || t[7] != '-' ||
      !digits(8, 2, d) || (t[10] != 'T' && t[10] != ' ') || !digits(11, 2, h) || t[13] != ':' ||
      !digits(14, 2, mi) || t[16] != ':' || !digits(17, 2, s))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::size_t i = 19;
  std::int64_t micros = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    int scale = 100000, n = 0;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, ++n) {
      micros += (t[i] - '0') * scale;
      scale /= 10;
    }
    if (n == 0) return std::nullopt;
  }
  const std::string_view zone = t.substr(i);
  if (zone != "Z" && zone != "+00:00" && zone != "+0000" && zone != "+00") return std::nullopt;
  // Days from civil (Howard Hinnant's algorithm): no timegm, no locale, no TZ.
  const int yy = y - (mo <= 2);
  const int era = (yy >= 0 ? yy : yy - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(yy - era * 400);
  const unsigned doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
  return ((days * 24 + h) * 60 + mi) * 60 * 1000000LL + s * 1000000LL + micros;
}

}  // namespace rb
