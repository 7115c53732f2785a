#include "rulebook/duration.h"

#include <cstdint>
#include <limits>

#include "rulebook/loader.h"

namespace rb::rulebook {

namespace {
struct unit {
  std::string_view singular;
  std::int64_t ms;
};
constexpr unit units[] = {{"millisecond", 1},
                          {"second", 1000},
                          {"minute", 60'000},
                          {"hour", 3'600'000},
                          {"day", 86'400'000}};

bool is_schema_space(char c) {
  // Python's \s in the schema's pattern.
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
}  // namespace

std::optional<std::chrono::milliseconds> parse_duration_text(std::string_view text, bool allow_ms) {
  std::size_t i = 0;
  std::int64_t n = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (n > (std::numeric_limits<std::int64_t>::max() - 9) / 10) return std::nullopt;
    n = n * 10 + (text[i] - '0');
    ++i;
  }
  if (i == 0 || i >= text.size() || !is_schema_space(text[i])) return std::nullopt;
  std::string_view name = text.substr(i + 1);
  if (!name.empty() && name.back() == 's') name.remove_suffix(1);
  for (const auto& u : units) {
    if (name != u.singular) continue;
    if (u.ms == 1 && !allow_ms) return std::nullopt;
    if (n > std::numeric_limits<std::int64_t>::max() / u.ms) return std::nullopt;
    return std::chrono::milliseconds(n * u.ms);
  }
  return std::nullopt;
}

std::string duration_forms(bool allow_ms) {
  std::string units_text = allow_ms ? "millisecond(s), second(s), minute(s), hour(s) or day(s)"
                                    : "second(s), minute(s), hour(s) or day(s)";
  return "'<integer> <unit>' with one space between and unit " + units_text +
         ", e.g. '10 seconds' or '2 hours'";
}

bool parse_duration(const value& v, std::chrono::milliseconds& out) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned()) {
      const auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / 1000)) {
        return false;
      }
      out = std::chrono::seconds(static_cast<std::int64_t>(u));
      return true;
    }
    const auto s = v.get<std::int64_t>();
    if (s < 0 || s > std::numeric_limits<std::int64_t>::max() / 1000) return false;
    out = std::chrono::seconds(s);
    return true;
  }
  if (!v.is_string()) return false;
  auto d = parse_duration_text(v.get_ref<const std::string&>(), true);
  if (!d) return false;
  out = *d;
  return true;
}

}  // namespace rb::rulebook
