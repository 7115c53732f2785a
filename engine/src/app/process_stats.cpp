#include "app/process_stats.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

namespace rb::app {

namespace {

// Fields 14 (utime), 15 (stime) and 22 (starttime) of /proc/self/stat, in clock ticks. The
// command name (field 2) may hold spaces: counting starts after its closing parenthesis.
bool stat_ticks(unsigned long long& utime, unsigned long long& stime, unsigned long long& start) {
  std::ifstream f("/proc/self/stat");
  std::string line;
  if (!std::getline(f, line)) return false;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream in(line.substr(close + 2));
  std::string field;
  for (int i = 3; in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
    if (i == 22) {
      start = std::stoull(field);
      return true;
    }
  }
  return false;
}

double ticks_per_second() { return static_cast<double>(sysconf(_SC_CLK_TCK)); }

}  // namespace

double process_start_seconds() {
  unsigned long long u = 0, s = 0, start = 0;
  double uptime = 0;
  std::ifstream up("/proc/uptime");
  if (!stat_ticks(u, s, start) || !(up >> uptime)) return 0;
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return now - uptime + static_cast<double>(start) / ticks_per_second();
}

std::uint64_t resident_bytes() {
  std::ifstream f("/proc/self/statm");
  unsigned long long size = 0, resident = 0;
  if (!(f >> size >> resident)) return 0;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

double cpu_seconds() {
  unsigned long long u = 0, s = 0, start = 0;
  if (!stat_ticks(u, s, start)) return 0;
  return static_cast<double>(u + s) / ticks_per_second();
}

}  // namespace rb::app
