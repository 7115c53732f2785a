// dpath: the `dpath.get(event, path, separator)` lookup that insert_hosts_to_meta and
// event_splitter use in ansible-rulebook, compiled once. The path is split at the separator
// (leading separator characters are stripped first); each segment is an fnmatch pattern matched
// against object keys and list indexes (a segment that Python's int() accepts matches that index,
// negative counts from the end); one `**` segment matches any number of levels. Like dpath, the
// search covers every node (not only leaves), a path of "" or "/" is the root itself, and more than
// one match is an error for the caller to report.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"
#include "filters/fnmatch.h"

namespace rb::filters {

class dpath_glob {
 public:
  // Throws std::invalid_argument for an empty separator or more than one `**` segment.
  dpath_glob(std::string_view path, std::string_view separator);

  struct result {
    std::size_t count = 0;   // 0, 1, or 2 meaning "more than one"
    value* found = nullptr;  // when count == 1
  };
  result find(value& root) const noexcept;

  const std::string& path() const noexcept { return path_; }

 private:
  struct segment {
    glob_pattern pattern;
    bool double_star = false;
    bool is_int = false;  // Python's int(segment) succeeds
    bool int_overflow = false;
    long long int_value = 0;
  };

  bool segment_matches_key(const segment& seg, std::string_view key) const noexcept;
  bool segment_matches_index(const segment& seg, std::size_t index,
                             std::size_t size) const noexcept;
  void visit(value& node, std::size_t gi, result& r) const noexcept;
  void visit_child(value& child, std::size_t gi, result& r) const noexcept;

  std::string path_;
  bool root_ = false;
  bool has_wildcards_ = false;
  std::vector<segment> segments_;
};

}  // namespace rb::filters
