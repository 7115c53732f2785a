// client: HTTP requests on the event loop through libcurl's multi interface. Curl tells us which
// sockets to watch and when its next timeout is; the loop's reactor and one timer drive it, so a
// thousand checks in flight cost no thread and never block the loop. Each request gets a fresh
// connection by default, so its timings (DNS, connect, TLS, first byte) mean something.
//
// Completions are delivered on the loop, never from inside send(). Destroying the client drops
// every transfer in flight without calling its callback.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "core/http.h"

namespace rb::http {

class client final : public http_sender {
 public:
  explicit client(boost::asio::io_context& io);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  void send(http_request r, std::function<void(http_response)> done) override;
  std::size_t in_flight() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace rb::http
