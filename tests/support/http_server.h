// http_server: a small real HTTP/1.1 server on 127.0.0.1 for tests, one thread per connection,
// plain or over TLS (certificates from a test_pki), optionally also on [::1] with the same port.
// Every response closes its connection. Routes:
//   /ok → 200 "hello"            /missing → 404 "no"          /redirect → 302 to /ok
//   /slow[?ms=N] → 200 "late" after N ms (2000)               /status/N → status N, "status N"
//   /big[?bytes=N] → 200 with N bytes of 'x' (1 MiB)           /json → 200 application/json
//   /reset → reads the request, then resets the connection (RST) without answering
//   /echo → 200 JSON {method, target, headers{lower-case name: value}, body, client_cert (CN)}
//   anything else → 500.
// Forward proxy too: an absolute-URI request ("GET http://host/path") is answered as if for
// /path and counted in proxied(); CONNECT host:port opens a tunnel to host:port (counted too).
#pragma once

#include <atomic>
#include <memory>
#include <string>

namespace rb::test {

class test_pki;

struct http_server_options {
  enum class tls_cert { none, valid, expired, wrong_host };
  tls_cert tls = tls_cert::none;     // none: plain HTTP
  const test_pki* pki = nullptr;     // required with TLS; must outlive the server
  bool require_client_cert = false;  // TLS handshake fails without a certificate from pki's CA
  bool ipv6_too = false;             // also listen on [::1], same port, when the machine can
};

class http_server {
 public:
  http_server();
  explicit http_server(http_server_options options);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  unsigned short port() const noexcept;
  // "http://127.0.0.1:PORT" + path (https:// with TLS).
  std::string url(const std::string& path) const;
  // The same on [::1]; only when has_ipv6().
  std::string url_v6(const std::string& path) const;
  bool has_ipv6() const noexcept;
  // Requests answered so far (resets included).
  int served() const noexcept;
  // Absolute-URI and CONNECT requests received so far.
  int proxied() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// A loopback port nothing listens on (bound, then closed).
unsigned short closed_loopback_port();

}  // namespace rb::test
