#include "condition/regex_cache.h"

#include <array>

namespace rb::condition {

std::unique_ptr<RE2> compile_regex(std::string_view pattern, regex_flags flags,
                                   std::string* error_text) {
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_case_sensitive(!flags.ignorecase);
  std::string full;
  // Java's MULTILINE only changes ^ and $; RE2's (?m) does the same.
  if (flags.multiline) full = "(?m)";
  full.append(pattern);
  auto re = std::make_unique<RE2>(full, opts);
  if (!re->ok()) {
    if (error_text) *error_text = re->error();
    return nullptr;
  }
  return re;
}

namespace {

struct cache_entry {
  std::string pattern;
  std::uint8_t flags = 0;
  std::uint64_t last_used = 0;
  std::unique_ptr<RE2> re;  // nullptr with a pattern set: known not to compile
  bool used = false;
};

struct regex_lru {
  std::array<cache_entry, regex_cache_capacity> entries;
  std::uint64_t clock = 0;
};

}  // namespace

const RE2* cached_regex(std::string_view pattern, regex_flags flags) noexcept {
  thread_local regex_lru cache;
  const std::uint8_t bits = flags.bits();
  ++cache.clock;
  cache_entry* victim = &cache.entries[0];
  for (auto& e : cache.entries) {
    if (e.used && e.flags == bits && e.pattern == pattern) {
      e.last_used = cache.clock;
      return e.re.get();
    }
    if (!e.used || (victim->used && e.last_used < victim->last_used)) victim = &e;
  }
  try {
    victim->re = compile_regex(pattern, flags, nullptr);
    victim->pattern.assign(pattern);
    victim->flags = bits;
    victim->last_used = cache.clock;
    victim->used = true;
    return victim->re.get();
  } catch (...) {  // allocation failure: treat as no match rather than throwing from evaluation
    victim->used = false;
    return nullptr;
  }
}

tri regex_test(const RE2& re, regex_mode mode, const value* subject) noexcept {
  if (!subject) return tri::unknown;
  std::string scratch;
  std::string_view text;
  if (subject->is_string()) {
    text = subject->get_ref<const std::string&>();
  } else if (subject->is_number() || subject->is_boolean()) {
    try {
      scratch = subject->dump();
    } catch (...) {
      return tri::unknown;
    }
    text = scratch;
  } else {
    return tri::unknown;
  }
  const re2::StringPiece sp(text.data(), text.size());
  if (mode == regex_mode::match)
    return to_tri(re.Match(sp, 0, sp.size(), RE2::ANCHOR_START, nullptr, 0));
  return to_tri(RE2::PartialMatch(sp, re));
}

}  // namespace rb::condition
