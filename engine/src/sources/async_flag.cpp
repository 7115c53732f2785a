#include <boost/asio/post.hpp>

#include "sources/source.h"

namespace rb::sources {

void async_flag::set() {
  set_ = true;
  auto waiting = std::move(waiters_);
  waiters_.clear();
  for (auto& w : waiting) boost::asio::post(*io_, std::move(w));
}

void async_flag::when_set(std::function<void()> waiter) {
  if (set_) {
    boost::asio::post(*io_, std::move(waiter));
  } else {
    waiters_.push_back(std::move(waiter));
  }
}

}  // namespace rb::sources
