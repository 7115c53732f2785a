#include "sources/builtin/http_source.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace rb::sources::detail {

namespace {

constexpr const char* masked = "******";

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (http_server_request::lower(a[i]) != http_server_request::lower(b[i])) return false;
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

http_source::http_source(std::string_view kind, const arg_reader& a, source_env env,
                         std::string default_host, std::int64_t default_port, bool tls,
                         http_auth auth)
    : builtin_source(kind, std::move(env)), kind_(kind) {
  http_listen_options o;
  o.name = kind_ + " '" + this->env().name + "'";
  o.host = a.string("host", std::move(default_host));
  if (o.host.empty()) o.host = "0.0.0.0";
  if (default_port < 0 && !a.has("port")) a.fail(kind_ + ": argument 'port' is required");
  const std::int64_t port = a.integer("port", default_port, 0, "a port number (0 to 65535)");
  if (port > 65535) a.fail("port", "a port number (0 to 65535)", *a.find("port"));
  o.port = static_cast<unsigned short>(port);
  o.max_body_size = static_cast<std::size_t>(
      a.integer("max_body_size", o.max_body_size, 1, "a number of bytes (at least 1)"));
  o.max_connections = static_cast<std::size_t>(
      a.integer("max_connections", o.max_connections, 1, "a number (at least 1)"));
  auto millis = [&](std::string_view key, std::chrono::milliseconds fallback) {
    const auto d = std::chrono::duration_cast<std::chrono::milliseconds>(
        a.seconds(key, std::chrono::duration<double>(fallback).count()));
    if (d.count() <= 0) a.fail(kind_ + ": argument '" + std::string(key) + "' must be > 0");
    return d;
  };
  o.header_timeout = millis("header_timeout", o.header_timeout);
  o.body_timeout = millis("body_timeout", o.body_timeout);
  if (tls) {
    o.certfile = a.string("certfile", "");
    o.keyfile = a.string("keyfile", "");
    o.password = a.string("password", "");
    o.cafile = a.string("cafile", "");
    o.capath = a.string("capath", "");
    if (o.certfile.empty()) {
      for (const char* key : {"keyfile", "password", "cafile", "capath"})
        if (a.has(key))
          a.fail(kind_ + ": argument '" + key + "' needs 'certfile' (TLS is off without it)");
    }
  }
  if (!auth.hmac_secret.empty()) hmac_header_ = auth.hmac_header;
  if (this->env().http_server == nullptr)
    a.fail(kind_ + ": internal error: source created without an HTTP server");
  if (this->env().metrics) {
    responses_ = std::make_unique<status_counters>(
        *this->env().metrics, "rulebook_http_requests_total",
        "Requests answered by a webhook or alertmanager source, by status code",
        metric_labels{{"source", this->env().name}});
    o.on_response = [r = responses_.get()](int code) { r->count(code); };
  }
  try {
    listener_ = this->env().http_server->listen(o);
    listener_->route(
        "*",
        [this](const http_server_request& req, http_server_response& res) {
          if (!serving_ || halted()) {
            res.status = 503;
            res.retry_after = 1;
            res.body = "Not started";
            return;
          }
          serve(req, res);
        },
        std::move(auth));
  } catch (const std::invalid_argument& e) {
    a.fail(kind_ + ": " + e.what());
  } catch (const std::runtime_error& e) {
    a.fail(kind_ + ": " + e.what());
  }
  spdlog::info("source '{}': {} listening on {}:{}{}{}", this->env().name, kind_, o.host,
               listener_->port(), o.certfile.empty() ? "" : " (TLS)",
               o.cafile.empty() && o.capath.empty() ? "" : " (client certificates required)");
}

void http_source::on_stop() { listener_->close(); }

bool http_source::accepting(http_server_response& res) {
  if (sink().ready()) {
    if (refusing_) spdlog::info("source '{}': accepting requests again", env().name);
    refusing_ = false;
    return true;
  }
  if (!refusing_)
    spdlog::warn(
        "source '{}': not accepting events now (queue full, or not the HA leader); "
        "answering 503",
        env().name);
  refusing_ = true;
  res.status = 503;
  res.retry_after = 1;
  res.body = "Not accepting events now; retry";
  return false;
}

bool http_source::parse_body(const http_server_request& req, http_server_response& res,
                             value& out) const {
  out = value::parse(req.body.begin(), req.body.end(), nullptr, false);
  if (!out.is_discarded()) return true;
  spdlog::debug("source '{}': request to {} is not JSON", env().name, req.path);
  res.status = 400;
  res.body = "Invalid JSON payload";
  return false;
}

value http_source::headers_of(const http_server_request& req) const {
  value h = value::object();
  for (const auto& [k, v] : req.headers) {
    const bool secret =
        iequal(k, "authorization") || (!hmac_header_.empty() && iequal(k, hmac_header_));
    h[std::string(k)] = secret ? std::string(masked) : std::string(v);
  }
  return h;
}

std::string http_source::endpoint_of(const http_server_request& req) {
  std::string_view p = req.path;
  if (!p.empty() && p.front() == '/') p.remove_prefix(1);
  std::string out;
  out.reserve(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    int hi = 0, lo = 0;
    if (p[i] == '%' && i + 2 < p.size() && (hi = hex_digit(p[i + 1])) >= 0 &&
        (lo = hex_digit(p[i + 2])) >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += p[i];
    }
  }
  return out;
}

void http_source::method_not_allowed(http_server_response& res, std::string_view allow) {
  res.status = 405;
  res.allow = allow;
  res.body = "Method Not Allowed";
}

}  // namespace rb::sources::detail
