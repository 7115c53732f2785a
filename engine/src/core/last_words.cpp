#include "core/last_words.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace rb {

namespace {

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

std::vector<last_words*>& registry() {
  static std::vector<last_words*> r;
  return r;
}

}  // namespace

last_words::last_words(std::function<void()> say) : say_(std::move(say)) {
  std::lock_guard lock(registry_mutex());
  registry().push_back(this);
}

last_words::~last_words() {
  std::lock_guard lock(registry_mutex());
  std::erase(registry(), this);
}

void last_words::say_all() noexcept {
  std::unique_lock lock(registry_mutex(), std::try_to_lock);
  if (!lock.owns_lock()) return;
  for (auto* w : registry()) {
    try {
      w->say_();
    } catch (...) {
    }
  }
}

}  // namespace rb
