// The embedded server's pieces that need no client: signatures and load-time errors.
#include "http/server.h"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <stdexcept>

using namespace rb;

TEST_CASE("hmac_signature: GitHub's documented example in hex; base64 as python computes it") {
  http_auth a;
  a.hmac_secret = "It's a Secret to Everybody";
  CHECK(http::hmac_signature(a, "Hello, World!") ==
        "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
  a.hmac_base64 = true;
  CHECK(http::hmac_signature(a, "Hello, World!") == "dXEH6g6yUJ/CESIczphLijdXC211hsIsRvQ3nIsEPhc=");
  CHECK(http::known_hmac_algo("sha3_256"));
  CHECK(http::known_hmac_algo("sha1"));
  CHECK_FALSE(http::known_hmac_algo("sha999"));
}

TEST_CASE("server: a port in use, an unreadable certificate, an unknown algorithm") {
  boost::asio::io_context io;
  http::server server(io);
  http_listen_options o;
  o.host = "127.0.0.1";
  auto first = server.listen(o);
  REQUIRE(first->port() != 0);
  o.port = first->port();
  CHECK_THROWS_WITH_AS(server.listen(o), doctest::Contains("cannot listen on 127.0.0.1:"),
                       std::runtime_error);
  o.port = 0;
  o.certfile = "/nonexistent.pem";
  CHECK_THROWS_WITH_AS(server.listen(o), "certfile '/nonexistent.pem' cannot be read",
                       std::runtime_error);
  http_auth bad;
  bad.hmac_secret = "x";
  bad.hmac_algo = "sha999";
  CHECK_THROWS_AS(first->route(
                      "*", [](const http_server_request&, http_server_response&) {}, bad),
                  std::invalid_argument);
  first->close();
  first->close();  // twice is fine
}
