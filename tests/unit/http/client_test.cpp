// The curl client on a real loopback HTTP server (a small blocking server on its own thread).
#include "http/client.h"

#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <istream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// GET /ok → 200 "hello"; /missing → 404; /slow → 200 after 2 s; /big → 200, 1 MiB;
// anything else → 500. One thread per connection: a test server, not a product.
class test_server {
 public:
  test_server() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { accept_loop(); });
  }
  ~test_server() {
    stop_ = true;
    boost::system::error_code ec;
    // Wake accept() with one last connection.
    tcp::socket s(io_);
    s.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
    for (auto& t : handlers_) t.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  void accept_loop() {
    while (!stop_) {
      tcp::socket s(io_);
      boost::system::error_code ec;
      acceptor_.accept(s, ec);
      if (ec || stop_) break;
      handlers_.emplace_back([s = std::move(s)]() mutable { serve(std::move(s)); });
    }
  }
  static void serve(tcp::socket s) {
    boost::system::error_code ec;
    asio::streambuf buf;
    asio::read_until(s, buf, "\r\n\r\n", ec);
    if (ec) return;
    std::istream in(&buf);
    std::string method, path;
    in >> method >> path;
    std::string status = "200 OK", body;
    if (path == "/ok") {
      body = "hello";
    } else if (path == "/missing") {
      status = "404 Not Found";
      body = "no";
    } else if (path == "/slow") {
      std::this_thread::sleep_for(2s);
      body = "late";
    } else if (path == "/big") {
      body.assign(1 << 20, 'x');
    } else {
      status = "500 Internal Server Error";
    }
    const std::string head = "HTTP/1.1 " + status +
                             "\r\nContent-Length: " + std::to_string(body.size()) +
                             "\r\nConnection: close\r\n\r\n";
    asio::write(s, asio::buffer(head + body), ec);
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::thread> handlers_;
};

rb::http::response fetch(const std::string& url, std::chrono::milliseconds timeout = 5s) {
  asio::io_context io;
  rb::http::client c(io);
  rb::http::response got;
  bool done = false;
  rb::http::request r;
  r.url = url;
  r.timeout = timeout;
  c.send(r, [&](rb::http::response resp) {
    got = std::move(resp);
    done = true;
  });
  io.run_for(10s);
  REQUIRE(done);
  return got;
}

}  // namespace

TEST_CASE("a response, its status, body and timing phases") {
  test_server server;
  const auto r = fetch(server.url("/ok"));
  CHECK(r.responded);
  CHECK(r.status == 200);
  CHECK(r.body == "hello");
  CHECK(r.bytes == 5);
  CHECK(r.error.empty());
  CHECK(r.time.total_ms > 0);
  CHECK(r.time.tls_ms == 0);  // plain HTTP
  CHECK(r.time.dns_ms + r.time.connect_ms + r.time.ttfb_ms + r.time.transfer_ms <=
        r.time.total_ms + 0.01);
  const auto missing = fetch(server.url("/missing"));
  CHECK(missing.responded);
  CHECK(missing.status == 404);
  const auto big = fetch(server.url("/big"));
  CHECK(big.bytes == (1u << 20));
}

TEST_CASE("no response: refused connection and timeout say why") {
  test_server server;
  // A port nobody listens on: bind one, then close it.
  unsigned short closed_port;
  {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    closed_port = a.local_endpoint().port();
  }
  const auto refused = fetch("http://127.0.0.1:" + std::to_string(closed_port) + "/");
  CHECK_FALSE(refused.responded);
  CHECK(refused.status == 0);
  CHECK(refused.error.find("onnect") != std::string::npos);
  const auto t0 = std::chrono::steady_clock::now();
  const auto late = fetch(server.url("/slow"), 300ms);
  CHECK_FALSE(late.responded);
  INFO(late.error);
  CHECK(late.error.find("timed out") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < 1900ms);  // did not wait for the server
}

TEST_CASE("many requests in flight on one loop, one thread") {
  test_server server;
  asio::io_context io;
  rb::http::client c(io);
  int ok = 0, done = 0;
  for (int i = 0; i < 50; ++i) {
    rb::http::request r;
    r.url = server.url("/ok");
    c.send(r, [&](rb::http::response resp) {
      ++done;
      ok += resp.status == 200 && resp.body == "hello";
    });
  }
  CHECK(c.in_flight() == 50);
  io.run_for(10s);
  CHECK(done == 50);
  CHECK(ok == 50);
  CHECK(c.in_flight() == 0);
}

TEST_CASE("destroying the client drops transfers without calling back") {
  test_server server;
  asio::io_context io;
  bool called = false;
  {
    rb::http::client c(io);
    rb::http::request r;
    r.url = server.url("/slow");
    c.send(r, [&](rb::http::response) { called = true; });
    io.run_for(100ms);
  }
  io.run_for(100ms);
  CHECK_FALSE(called);
}
