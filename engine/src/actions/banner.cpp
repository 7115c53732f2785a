#include "actions/banner.h"

#include <chrono>
#include <ctime>

namespace rb::actions {

namespace {

constexpr std::size_t banner_width = 80;

std::string local_timestamp() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto us = duration_cast<microseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06ld", static_cast<long>(us % 1000000));
  return std::string(buf, n) + frac;
}

}  // namespace

void print_banner(std::FILE* out, std::string_view title, std::string_view content) {
  std::string head = "** " + local_timestamp() + " [" + std::string(title) + "] ";
  if (head.size() < banner_width) head.append(banner_width - head.size(), '*');
  std::string text = "\n" + head + "\n";
  text.append(content);
  text += "\n" + std::string(banner_width, '*') + "\n";
  std::fwrite(text.data(), 1, text.size(), out);
  std::fflush(out);
}

}  // namespace rb::actions
