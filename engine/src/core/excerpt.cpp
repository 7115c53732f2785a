#include "core/excerpt.h"

#include <algorithm>
#include <vector>

namespace rb {
namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }

}  // namespace

excerpt excerpt_at(std::string_view line, std::size_t column, std::size_t width) {
  width = std::max<std::size_t>(width, 8);
  std::size_t at = std::min(column > 0 ? column - 1 : 0, line.size());
  while (at > 0 && at < line.size() && is_continuation(line[at])) --at;

  // Byte offsets where code points start (plus the end), so the window counts characters.
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < line.size(); ++i)
    if (!is_continuation(line[i])) starts.push_back(i);
  const std::size_t total = starts.size();
  starts.push_back(line.size());
  const std::size_t caret_cp =
      static_cast<std::size_t>(std::lower_bound(starts.begin(), starts.end(), at) - starts.begin());

  std::size_t first = 0, last = total;  // code points [first, last) are shown
  if (total > width) {
    first = caret_cp > width / 2 ? caret_cp - width / 2 : 0;
    last = std::min(total, first + width);
    first = last - width;
  }
  excerpt out;
  if (first > 0) out.text = "...";
  out.text.append(line.substr(starts[first], starts[last] - starts[first]));
  if (last < total) out.text += "...";

  out.caret.assign(first > 0 ? 3 : 0, ' ');
  for (std::size_t cp = first; cp < caret_cp && cp < last; ++cp)
    out.caret += line[starts[cp]] == '\t' ? '\t' : ' ';
  out.caret += '^';
  return out;
}

std::string abbreviate(std::string_view text, std::size_t width) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_continuation(text[i])) continue;
    if (seen++ == width) return std::string(text.substr(0, i)) + "...";
  }
  return std::string(text);
}

}  // namespace rb
