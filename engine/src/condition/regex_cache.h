// regex_cache: RE2 patterns for match/search/regex and select's regex operators.
//
// Literal patterns are compiled once with the condition (compile_regex). Patterns that come from
// event data at run time go through a small per-thread cache with a fixed number of entries, so a
// stream of distinct patterns costs a compile each but never grows memory. RE2 runs in linear
// time, which keeps hostile event data from stalling the loop.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <re2/re2.h>

#include "condition/compare.h"
#include "core/value.h"

namespace rb::condition {

enum class regex_mode : std::uint8_t {
  match,   // anchored at the start of the text
  search,  // anywhere in the text (ansible's `regex` is the same)
};

struct regex_flags {
  bool ignorecase = false;
  bool multiline = false;
  std::uint8_t bits() const noexcept { return (ignorecase ? 1 : 0) | (multiline ? 2 : 0); }
};

// Compiles `pattern`; on error returns nullptr and sets `error_text` to RE2's message.
std::unique_ptr<RE2> compile_regex(std::string_view pattern, regex_flags flags,
                                   std::string* error_text);

// A compiled pattern for a run-time pattern text, or nullptr when it does not compile.
const RE2* cached_regex(std::string_view pattern, regex_flags flags) noexcept;

// Does `re` match `subject`? Strings match as they are; numbers and booleans as their JSON text
// (Drools matches `toString()`); null, lists, objects and missing values are `unknown`.
tri regex_test(const RE2& re, regex_mode mode, const value* subject) noexcept;

// Entries kept per thread by cached_regex.
inline constexpr std::size_t regex_cache_capacity = 64;

}  // namespace rb::condition
