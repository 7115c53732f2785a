#include "rulebook/diagnostics.h"

#include <algorithm>

#include "core/excerpt.h"

namespace rb::rulebook {

std::string to_string(const position& p) {
  if (p.line <= 0) return p.file;
  return p.file + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
}

std::string to_string(const diagnostic& d) { return to_string(d.pos) + ": " + d.message; }

void diagnostics::error(position pos, std::string message) {
  errors_.push_back({std::move(pos), std::move(message)});
}

void diagnostics::warning(position pos, std::string message) {
  warnings_.push_back({std::move(pos), std::move(message)});
}

std::string quote(std::string_view s) {
  // Long values (a whole mapping rendered as text) would drown the message.
  return "'" + abbreviate(s, 60) + "'";
}

std::string join(const std::vector<std::string_view>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out.append(sep);
    out.append(items[i]);
  }
  return out;
}

namespace {
// Optimal string alignment distance: a swapped pair of letters ("nmae") counts as one edit.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t w = b.size() + 1;
  std::vector<std::size_t> d((a.size() + 1) * w);
  for (std::size_t i = 0; i <= a.size(); ++i) d[i * w] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      std::size_t v =
          std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1, d[(i - 1) * w + j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        v = std::min(v, d[(i - 2) * w + j - 2] + 1);
      }
      d[i * w + j] = v;
    }
  }
  return d[a.size() * w + b.size()];
}
}  // namespace

std::string closest(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string best;
  // A third of the word's length catches typos without suggesting unrelated keys.
  std::size_t best_d = std::max<std::size_t>(1, word.size() / 3) + 1;
  for (auto c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = std::string(c);
    }
  }
  return best;
}

}  // namespace rb::rulebook
