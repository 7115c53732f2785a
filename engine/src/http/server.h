// server: the embedded HTTP/1.1 server behind core/http_server.h, on Boost.Beast and the engine's
// single io_context (no thread per connection, no thread at all).
//
// Per connection: optional TLS handshake (1.2+, client certificate required when a CA is set),
// then requests in a loop with keep-alive: headers within header_timeout (which also bounds the
// idle wait between requests: a slowloris client is cut off), body and response within
// body_timeout, `Expect: 100-continue` answered, bodies over max_body_size refused with 413 before
// they are read. Responses are written straight from a per-connection buffer that is reused.
// Bearer tokens and HMAC signatures are compared in constant time (CRYPTO_memcmp).
// Connections over max_connections get a canned 503 and are closed at once.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "core/http_server.h"

namespace rb::http {

class server final : public http_server_factory {
 public:
  explicit server(boost::asio::io_context& io) : io_(io) {}
  std::unique_ptr<http_listener> listen(const http_listen_options& options) override;

 private:
  boost::asio::io_context& io_;
};

// True when OpenSSL knows `algo` as a digest (python's names too: "sha3_256" is "sha3-256").
bool known_hmac_algo(std::string_view algo);

// The HMAC of `body` under `auth`'s secret and algorithm, in its format (hex or base64); empty
// when the algorithm is unknown.
std::string hmac_signature(const http_auth& auth, std::string_view body);

}  // namespace rb::http
