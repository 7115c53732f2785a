// last_words: what must still happen when the process ends abruptly from a thread other than the
// loop's (the Lua watchdog's std::_Exit): e.g. writing out buffered audit records. Callbacks run
// on the exiting thread while the loop thread is stuck elsewhere, so each must guard its own
// state (a try_lock, not a blocking lock) and finish quickly.
#pragma once

#include <functional>

namespace rb {

class last_words {
 public:
  // Registers `say` until this object is destroyed.
  explicit last_words(std::function<void()> say);
  ~last_words();
  last_words(const last_words&) = delete;
  last_words& operator=(const last_words&) = delete;

  // Runs every registered callback; called right before std::_Exit.
  static void say_all() noexcept;

 private:
  std::function<void()> say_;
};

}  // namespace rb
