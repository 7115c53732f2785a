// fetch: one request through rb::http::client on a fresh loop, waiting for its answer.
#pragma once

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <utility>

#include "http/client.h"

namespace rb::test {

inline http_response fetch(http_request r) {
  boost::asio::io_context io;
  http::client c(io);
  http_response got;
  bool done = false;
  c.send(std::move(r), [&](http_response resp) {
    got = std::move(resp);
    done = true;
  });
  io.run_for(std::chrono::seconds(15));
  REQUIRE(done);
  return got;
}

inline http_response fetch(const std::string& url,
                           std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  http_request r;
  r.url = url;
  r.timeout = timeout;
  return fetch(std::move(r));
}

}  // namespace rb::test
