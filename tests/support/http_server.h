// http_server: a small real HTTP/1.1 server on 127.0.0.1 for tests, one thread per connection.
// Routes: /ok → 200 "hello"; /missing → 404 "no"; /slow → 200 "late" after 2 s; /big → 200 with
// 1 MiB; /redirect → 302 to /ok; anything else → 500. Every response closes its connection.
#pragma once

#include <atomic>
#include <memory>
#include <string>

namespace rb::test {

class http_server {
 public:
  http_server();
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  unsigned short port() const noexcept;
  std::string url(const std::string& path) const;
  // Requests answered so far.
  int served() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// A loopback port nothing listens on (bound, then closed).
unsigned short closed_loopback_port();

}  // namespace rb::test
