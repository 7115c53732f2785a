// http_source: what `webhook` and `alertmanager` share — a listener of the engine's embedded
// server (core/http_server.h), bound when the source is created so that a busy port or a bad
// certificate is a load-time error, and serving from the start of the loop.
//
// Back-pressure without memory: a request is answered 2xx only once its events are in the
// ruleset's queue. When the sink is not ready (queue full, or with HA this worker is not the
// trusted leader) the answer is 503 with Retry-After and nothing is kept; so is every request
// before start() and after stop(). That is why these sources start before leadership: a load
// balancer's health check sees followers answer 503 and sends the traffic to the leader.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "sources/builtin/args.h"
#include "sources/builtin/builtin_source.h"

namespace rb::sources::detail {

class http_source : public builtin_source {
 public:
  bool starts_before_leadership() const override { return true; }

 protected:
  // Reads host, port, max_body_size, header_timeout, body_timeout, max_connections (and with
  // `tls`, certfile, keyfile, password, cafile, capath), binds, and routes every path to serve()
  // through `auth`. Throws source_error naming `kind` for bad arguments or a failed bind.
  http_source(std::string_view kind, const arg_reader& a, source_env env, std::string default_host,
              std::int64_t default_port, bool tls, http_auth auth);

  // The request, on the loop, only while the source runs; may call accepting() then put events.
  virtual void serve(const http_server_request& req, http_server_response& res) = 0;

  // True when events may be put now; otherwise sets `res` to 503 with Retry-After.
  bool accepting(http_server_response& res);
  // The body as JSON; on a syntax error sets `res` to 400 and answers false.
  bool parse_body(const http_server_request& req, http_server_response& res, value& out) const;
  // The request's headers as {name: value} (a repeated name keeps its last value), with
  // Authorization and the HMAC header masked: secrets never travel in events.
  value headers_of(const http_server_request& req) const;
  // The request path without its leading '/', percent-decoded.
  static std::string endpoint_of(const http_server_request& req);
  static void method_not_allowed(http_server_response& res, std::string_view allow);

  const std::string& kind() const { return kind_; }

 private:
  void step() override { serving_ = true; }
  void on_stop() override;

  std::string kind_;
  std::string hmac_header_;                     // masked in headers_of(); empty without HMAC
  std::unique_ptr<status_counters> responses_;  // before listener_: it outlives it
  std::unique_ptr<http_listener> listener_;
  bool serving_ = false;
  bool refusing_ = false;  // answering 503 since the last change (logged once per change)
};

}  // namespace rb::sources::detail
