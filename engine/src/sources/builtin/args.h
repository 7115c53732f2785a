// args: reading and validating a built-in source's arguments (load time only).
//
// Every reader throws source_error with "<source>: argument '<key>' must be ..., got <json>".
// A missing key or an explicit null gives the default. Numbers may also be written as numeric
// strings, as ansible-rulebook's int()/float() conversions allow ("5", " 10 ", "1_000", "0.5").
// Unknown keys are ignored, as ansible-rulebook ignores them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "sources/source.h"

namespace rb::sources::detail {

class arg_reader {
 public:
  // `args` null counts as an empty mapping; anything else that is not a mapping throws.
  arg_reader(std::string_view source, const value& args);

  // The raw value, or nullptr when absent or null.
  const value* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }

  // An integer no smaller than `min`; `what` describes the accepted range in messages.
  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                       std::string_view what) const;
  // Seconds as a non-negative finite number (int, float or numeric string).
  std::chrono::nanoseconds seconds(std::string_view key, double fallback = 0) const;
  bool boolean(std::string_view key, bool fallback) const;
  std::string string(std::string_view key, std::string fallback) const;

  [[noreturn]] void fail(std::string_view key, std::string_view what, const value& got) const;
  [[noreturn]] void fail(const std::string& message) const;

 private:
  std::string source_;
  const value& args_;
};

// `v` as compact JSON for messages, cut to a readable length.
std::string describe(const value& v);

}  // namespace rb::sources::detail
