// http: what sources and actions may ask of an HTTP client, without knowing libcurl (http/
// implements it, app wires it in). One request, one response, delivered on the event loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace rb {

struct http_request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};
  bool verify_tls = true;
  bool follow_redirects = false;
  bool fresh_connection = true;  // a new connection, so that timings measure one
  enum class ip_family { any, v4, v6 };
  ip_family ip = ip_family::any;  // which addresses of the host name to use
  std::string ca_file;            // PEM bundle trusted instead of the system's ("" = system)
  std::string client_cert;        // PEM file of a client certificate ("" = none)
  std::string client_key;         // PEM file of its key ("" = in client_cert)
  std::string proxy;              // proxy URL for every host ("" = none; the environment's
                                  // *_proxy and no_proxy are ignored either way)
  // The local address, host name or interface the request leaves from (curl's --interface:
  // "127.0.0.2", "eth1", "if!eth1", "host!name"); "" = the system's choice.
  std::string source_address;
  // The body is kept up to this; the transfer is not cut short (its timing covers all of it,
  // `timeout` bounds it) and `bytes` counts everything received.
  std::size_t max_body_bytes = 1 << 20;
};

// Each phase in milliseconds; a phase that did not happen (TLS on plain HTTP) is 0. Phases follow
// one another and never overlap: dns, dns + connect, ... + tls, ... + ttfb are the cumulative
// marks (name resolved, connected, TLS done, first byte), each >= the one before, and all the
// phases sum to at most total_ms. ttfb includes sending the request. After followed redirects
// each phase adds up every hop's.
struct http_timings {
  double dns_ms = 0;
  double connect_ms = 0;
  double tls_ms = 0;
  double ttfb_ms = 0;  // request sent → first byte of the response
  double transfer_ms = 0;
  double total_ms = 0;
};

struct http_response {
  bool responded = false;  // a response came (any status); false: `error` says why
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // of the last response, as sent
  std::string body;
  std::size_t bytes = 0;
  http_timings time;
  std::string error;  // why no response came
  // notAfter of the server's certificate (HTTPS), seconds since the epoch; 0 when none was seen.
  // Known with or without verification; unknown when verification failed the handshake.
  long long cert_expires_at = 0;
  std::string remote_ip;  // the address connected to (the proxy's, through one); "" if none
};

class http_sender {
 public:
  virtual ~http_sender() = default;
  // Sends `r`; `done` is called once, later, on the loop (never from inside send()).
  virtual void send(http_request r, std::function<void(http_response)> done) = 0;
};

}  // namespace rb
