// http_server: what sources and app may ask of the embedded HTTP server, without knowing Beast
// (http/ implements it, app wires it in; the webhook sources get it through source_env).
//
// A listener is bound at load time by http_server_factory::listen() (errors throw then) and
// accepts on the engine's loop from then on. Each complete request (headers and body read, size
// and time limits kept, authentication checked) goes to the route for its path; the route fills
// the response synchronously, on the loop. Connections are kept alive; nothing runs on another
// thread. What the server answers by itself: 400 (malformed request, HMAC header missing), 401
// (token or HMAC wrong), 404 (no route), 413 (body over max_body_size), 503 (connection limit).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace rb {

// One request, valid only during the route's call (views into the connection's buffers).
struct http_server_request {
  std::string_view method;
  std::string_view target;  // as sent: path and query
  std::string_view path;    // target up to '?'
  std::span<const std::pair<std::string_view, std::string_view>> headers;  // as sent, in order
  std::string_view body;

  // The first header named `name` (ASCII case-insensitive); empty when absent.
  std::string_view header(std::string_view name) const noexcept {
    for (const auto& [k, v] : headers) {
      if (k.size() != name.size()) continue;
      bool same = true;
      for (std::size_t i = 0; i < k.size() && same; ++i) same = lower(k[i]) == lower(name[i]);
      if (same) return v;
    }
    return {};
  }
  static char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }
};

// Reset to 200 with an empty body before each route call; the body's buffer is reused.
struct http_server_response {
  int status = 200;
  std::string_view content_type = "text/plain; charset=utf-8";
  std::string body;
  int retry_after = -1;    // seconds for a Retry-After header; < 0: none
  std::string_view allow;  // an Allow header (with 405); empty: none
};

using http_route = std::function<void(const http_server_request&, http_server_response&)>;

// Checked by the server before the route runs, as ansible-rulebook's webhook does.
struct http_auth {
  std::string token;        // "Authorization: Bearer <token>" required when not empty
  std::string hmac_secret;  // the body's HMAC required in hmac_header when not empty
  std::string hmac_algo = "sha256";
  std::string hmac_header = "x-hub-signature-256";
  bool hmac_base64 = false;  // the signature's format: hex (default) or base64
};

struct http_listen_options {
  std::string name;  // for messages ("webhook 'hooks'")
  std::string host = "0.0.0.0";
  unsigned short port = 0;  // 0: any free port (see http_listener::port())
  // TLS (1.2 and later) when certfile is set; keyfile "" = the key is in certfile. Clients must
  // present a certificate signed by cafile (or one in capath) when either is set.
  std::string certfile, keyfile, password, cafile, capath;
  std::size_t max_body_size = 1 << 20;
  // Headers of each request (also the idle wait between keep-alive requests) must arrive within
  // header_timeout; the body and the response then get body_timeout.
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::size_t max_connections = 1024;  // more are answered 503 and closed
  // Called on the loop with the status of every response written (metrics); may be empty.
  std::function<void(int status)> on_response;
};

class http_listener {
 public:
  virtual ~http_listener() = default;
  // Routes requests for exactly `path` ("*": every path no other route takes) through `auth`.
  // Throws std::invalid_argument for an auth the server cannot check (unknown hmac_algo).
  virtual void route(std::string path, http_route handler, http_auth auth = {}) = 0;
  // The port bound (the free one chosen when the options said 0).
  virtual unsigned short port() const noexcept = 0;
  // Stops accepting and closes every connection; no route runs after this. Also on destruction.
  virtual void close() = 0;
};

class http_server_factory {
 public:
  virtual ~http_server_factory() = default;
  // Binds now; throws std::runtime_error saying why (address in use, unreadable certificate).
  virtual std::unique_ptr<http_listener> listen(const http_listen_options& options) = 0;
};

}  // namespace rb
