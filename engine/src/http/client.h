// client: HTTP requests on the event loop through libcurl's multi interface. Curl tells us which
// sockets to watch and when its next timeout is; the loop's reactor and one timer drive it, so a
// thousand checks in flight cost no thread and never block the loop. Each request gets a fresh
// connection by default, so its timings (DNS, connect, TLS, first byte) mean something.
//
// Completions are delivered on the loop, never from inside send(). Destroying the client drops
// every transfer in flight without calling its callback. Finished easy handles are reset and
// reused (nothing of a check's options or results survives curl_easy_reset).
//
// What each http_request field becomes (core/http.h has the contract):
//  - fresh_connection: a new connection, no cached DNS answer, no TLS session resumption, so
//    every check pays (and times) DNS, connect and a full handshake.
//  - ip: CURLOPT_IPRESOLVE; client_cert/client_key: CURLOPT_SSLCERT/SSLKEY.
//  - ca_file: CURLOPT_CAINFO, and never a CA directory (CURLOPT_CAPATH off): trust is exactly
//    that bundle, or libcurl's default bundle file. That lets libcurl keep the parsed store in
//    the multi handle (the last bundle used, for 24 h) instead of parsing it for every check
//    (docs/benchmarks.md has the cost). Checks alternating between bundles re-parse them.
//  - proxy: CURLOPT_PROXY for every host (no_proxy ignored); "" means no proxy at all, whatever
//    http_proxy/https_proxy/all_proxy say in the environment.
//  - max_body_bytes: the body is kept up to that many bytes; the transfer still runs to its end
//    (or to `timeout`, the only bound on a huge body) and `bytes` counts everything received.
// Responses: cert_expires_at is the server certificate's notAfter from curl's certinfo (also with
// verify_tls off; 0 on plain HTTP or when the handshake failed); remote_ip is CURLINFO_PRIMARY_IP.
// Timings: curl's cumulative marks (namelookup <= connect <= appconnect <= starttransfer <=
// total) turned into per-phase durations: dns, connect, tls (0 without TLS), ttfb (request
// ready → first byte: includes sending the request), transfer (first byte → end). They are never
// negative and sum to at most total; after followed redirects each mark adds up every hop's.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/http.h"

namespace rb::http {

// "Jan 17 12:00:00 2027 GMT" (OpenSSL's date format, as in curl's certinfo) → seconds since the
// epoch; 0 when `text` is not in that format.
long long parse_cert_time(std::string_view text);

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
