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
#include <utility>
#include <vector>

namespace rb::http {

struct request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};
  bool verify_tls = true;
  bool follow_redirects = false;
  bool fresh_connection = true;
};

// Each phase in milliseconds; a phase that did not happen (TLS on plain HTTP) is 0.
struct timings {
  double dns_ms = 0;
  double connect_ms = 0;
  double tls_ms = 0;
  double ttfb_ms = 0;  // request sent → first byte of the response
  double transfer_ms = 0;
  double total_ms = 0;
};

struct response {
  bool responded = false;  // a response came (any status); false: `error` says why
  long status = 0;
  std::string body;
  std::size_t bytes = 0;
  timings time;
  std::string error;  // libcurl's explanation when !responded
};

class client {
 public:
  explicit client(boost::asio::io_context& io);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  void send(request r, std::function<void(response)> done);
  std::size_t in_flight() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace rb::http
