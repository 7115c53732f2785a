// The curl client on a real loopback HTTP server (tests/support/http_server.h).
#include "http/client.h"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>

#include "fetch.h"
#include "support/http_server.h"

namespace asio = boost::asio;
using namespace std::chrono_literals;

using rb::test::fetch;
using rb::test::http_server;

TEST_CASE("a response, its status, body and timing phases") {
  http_server server;
  const auto r = fetch(server.url("/ok"));
  CHECK(r.responded);
  CHECK(r.status == 200);
  CHECK(r.body == "hello");
  CHECK(r.bytes == 5);
  bool length_header = false;
  for (const auto& [name, value] : r.headers)
    length_header |= name == "Content-Length" && value == "5";
  CHECK(length_header);
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
  http_server server;
  const unsigned short closed_port = rb::test::closed_loopback_port();
  const auto refused = fetch("http://127.0.0.1:" + std::to_string(closed_port) + "/");
  CHECK_FALSE(refused.responded);
  CHECK(refused.status == 0);
  CHECK(refused.error.find("onnect") != std::string::npos);
  CHECK(refused.remote_ip.empty());  // no connection was made
  const auto t0 = std::chrono::steady_clock::now();
  const auto late = fetch(server.url("/slow"), 300ms);
  CHECK_FALSE(late.responded);
  INFO(late.error);
  CHECK(late.error.find("timed out") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < 1900ms);  // did not wait for the server
}

TEST_CASE("many requests in flight on one loop, one thread") {
  http_server server;
  asio::io_context io;
  rb::http::client c(io);
  int ok = 0, done = 0;
  for (int i = 0; i < 50; ++i) {
    rb::http_request r;
    r.url = server.url("/ok");
    c.send(r, [&](rb::http_response resp) {
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

TEST_CASE("redirects are followed only when asked") {
  http_server server;
  const auto plain = fetch(server.url("/redirect"));
  CHECK(plain.status == 302);
  asio::io_context io;
  rb::http::client c(io);
  rb::http_request r;
  r.url = server.url("/redirect");
  r.follow_redirects = true;
  rb::http_response got;
  c.send(r, [&](rb::http_response resp) { got = std::move(resp); });
  io.run_for(10s);
  CHECK(got.status == 200);
  CHECK(got.body == "hello");
}

TEST_CASE("destroying the client drops transfers without calling back") {
  http_server server;
  asio::io_context io;
  bool called = false;
  {
    rb::http::client c(io);
    rb::http_request r;
    r.url = server.url("/slow");
    c.send(r, [&](rb::http_response) { called = true; });
    io.run_for(100ms);
  }
  io.run_for(100ms);
  CHECK_FALSE(called);
}
