#include "http/server.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <unordered_set>
#include <vector>

namespace rb::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

constexpr std::size_t header_limit = 16 * 1024;
// How long a connection closed after an error response keeps reading (and discarding) what the
// client still sends, so that closing does not reset the connection before it read the answer.
constexpr std::chrono::seconds linger{1};
constexpr std::string_view busy_response =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 24\r\nRetry-After: 1\r\nConnection: close\r\n\r\nToo many connections\r\n\r\n";

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

const EVP_MD* digest_named(std::string_view algo) {
  std::string name(algo);
  for (char& c : name)
    if (c == '_') c = '-';  // python's hashlib spells sha3-256 as sha3_256
  return EVP_get_digestbyname(name.c_str());
}

// Equal without a timing side channel on the content (the length may show).
bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

void append_number(std::string& out, long long n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

struct route_entry {
  std::string path;
  http_route handler;
  http_auth auth;
  const EVP_MD* md = nullptr;
};

class connection_base {
 public:
  virtual ~connection_base() = default;
  virtual void force_close() = 0;
};

// What a listener shares with its connections; they keep it alive, so a connection that outlives
// its listener (its last handler still queued) finds `closed` set and ends.
struct listener_state {
  http_listen_options opts;
  std::vector<route_entry> routes;
  std::optional<ssl::context> tls;
  std::unordered_set<connection_base*> open;
  bool closed = false;

  const route_entry* find(std::string_view path) const {
    const route_entry* any = nullptr;
    for (const auto& r : routes) {
      if (r.path == path) return &r;
      if (r.path == "*") any = &r;
    }
    return any;
  }
};

// 0 when the request may reach the route; otherwise the status to answer, with `why` as body.
int check_auth(const route_entry& r, const http_server_request& req, std::string_view body,
               std::string& why) {
  const http_auth& a = r.auth;
  if (!a.token.empty()) {
    const std::string_view h = trim(req.header("Authorization"));
    const std::size_t sp = h.find(' ');
    if (h.empty()) {
      why = "Missing authorization token";
      return 401;
    }
    if (sp == std::string_view::npos || h.find(' ', sp + 1) != std::string_view::npos) {
      why = "Invalid authorization token";
      return 401;
    }
    if (h.substr(0, sp) != "Bearer") {
      why = "Only Bearer type is accepted";
      return 401;
    }
    if (!same_secret(h.substr(sp + 1), a.token)) {
      why = "Invalid authorization token";
      return 401;
    }
  }
  if (!a.hmac_secret.empty()) {
    const auto it = std::find_if(req.headers.begin(), req.headers.end(), [&](const auto& kv) {
      return kv.first.size() == a.hmac_header.size() &&
             std::equal(kv.first.begin(), kv.first.end(), a.hmac_header.begin(),
                        [](char x, char y) {
                          return http_server_request::lower(x) == http_server_request::lower(y);
                        });
    });
    if (it == req.headers.end()) {
      why = "Signature header not found";
      return 400;
    }
    std::string_view sig = trim(it->second);
    if (sig.size() > a.hmac_algo.size() && sig.substr(0, a.hmac_algo.size()) == a.hmac_algo &&
        sig[a.hmac_algo.size()] == '=')
      sig.remove_prefix(a.hmac_algo.size() + 1);
    if (!same_secret(sig, hmac_signature(a, body))) {
      why = "HMAC verification failed";
      return 401;
    }
  }
  return 0;
}

template <class Stream>
class connection final : public connection_base,
                         public std::enable_shared_from_this<connection<Stream>> {
 public:
  static constexpr bool tls = !std::is_same_v<Stream, beast::tcp_stream>;

  connection(std::shared_ptr<listener_state> st, Stream stream)
      : st_(std::move(st)), stream_(std::move(stream)) {
    st_->open.insert(this);
  }
  ~connection() override { st_->open.erase(this); }

  void start() {
    if constexpr (tls) {
      lowest().expires_after(st_->opts.header_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](error_code ec) {
                                if (ec) return self->close_now();
                                self->read_header();
                              });
    } else {
      read_header();
    }
  }

  void force_close() override {
    error_code ec;
    lowest().socket().close(ec);
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void read_header() {
    if (st_->closed) return close_now();
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(st_->opts.max_body_size);
    lowest().expires_after(st_->opts.header_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(error_code ec) {
    if (ec) return on_read_error(ec);
    if (parser_->is_done()) return respond();
    lowest().expires_after(st_->opts.body_timeout);
    const auto& req = parser_->get();
    if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
      static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(cont.data(), cont.size()),
                        [self = this->shared_from_this()](error_code ec, std::size_t) {
                          if (ec) return self->close_now();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](error_code ec, std::size_t) {
                        if (ec) return self->on_read_error(ec);
                        self->respond();
                      });
  }

  void on_read_error(error_code ec) {
    if (st_->closed) return close_now();
    if (ec == bhttp::error::body_limit) return answer_and_close(413, "Request body too large");
    if (ec == bhttp::error::header_limit)
      return answer_and_close(431, "Request header fields too large");
    // A malformed request (not the peer going away, not a timeout) gets a 400 before closing.
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
      return answer_and_close(400, "Bad request");
    close_now();
  }

  void respond() {
    const auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    headers_.clear();
    for (const auto& f : req) headers_.emplace_back(sv(f.name_string()), sv(f.value()));
    http_server_request r;
    r.method = sv(req.method_string());
    r.target = sv(req.target());
    r.path = r.target.substr(0, r.target.find('?'));
    r.headers = headers_;
    r.body = req.body();
    reset_response();
    const route_entry* route = st_->closed ? nullptr : st_->find(r.path);
    if (route == nullptr) {
      res_.status = 404;
      res_.body = "Not Found";
    } else if (const int refused = check_auth(*route, r, r.body, res_.body)) {
      res_.status = refused;
    } else {
      route->handler(r, res_);
    }
    write(req.version() == 10);
  }

  void reset_response() {
    res_.status = 200;
    res_.content_type = "text/plain; charset=utf-8";
    res_.body.clear();
    res_.retry_after = -1;
    res_.allow = {};
  }

  void answer_and_close(int status, std::string_view text) {
    keep_alive_ = false;
    reset_response();
    res_.status = status;
    res_.body = text;
    write(false);
  }

  void write(bool http10) {
    if (st_->opts.on_response) st_->opts.on_response(res_.status);
    out_.clear();
    out_ += "HTTP/1.1 ";
    append_number(out_, res_.status);
    out_ += ' ';
    out_ += reason(res_.status);
    out_ += "\r\nContent-Type: ";
    out_ += res_.content_type;
    out_ += "\r\nContent-Length: ";
    append_number(out_, static_cast<long long>(res_.body.size()));
    if (res_.retry_after >= 0) {
      out_ += "\r\nRetry-After: ";
      append_number(out_, res_.retry_after);
    }
    if (!res_.allow.empty()) {
      out_ += "\r\nAllow: ";
      out_ += res_.allow;
    }
    if (!keep_alive_)
      out_ += "\r\nConnection: close";
    else if (http10)
      out_ += "\r\nConnection: keep-alive";
    out_ += "\r\n\r\n";
    out_ += res_.body;
    lowest().expires_after(st_->opts.body_timeout);
    asio::async_write(stream_, asio::buffer(out_),
                      [self = this->shared_from_this()](error_code ec, std::size_t) {
                        if (ec) return self->close_now();
                        if (!self->keep_alive_) return self->close_after_response();
                        self->read_header();
                      });
  }

  // Half-closes, then drains what the client still sends for a moment before closing.
  void close_after_response() {
    error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close_now();
    lowest().expires_after(linger);
    drain();
  }

  void drain() {
    lowest().async_read_some(asio::buffer(scratch_),
                             [self = this->shared_from_this()](error_code ec, std::size_t) {
                               if (ec) return self->close_now();
                               self->drain();
                             });
  }

  void close_now() {
    error_code ec;
    lowest().socket().close(ec);
  }

  std::shared_ptr<listener_state> st_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::vector<std::pair<std::string_view, std::string_view>> headers_;  // reused per request
  http_server_response res_;
  std::string out_;  // the serialized response, reused
  char scratch_[512];
  bool keep_alive_ = true;
};

bool readable(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

ssl::context make_tls(const http_listen_options& o) {
  auto load = [](const char* what, const std::string& path, auto&& f) {
    if (!readable(path))
      throw std::runtime_error(std::string(what) + " '" + path + "' cannot be read");
    try {
      f();
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error(std::string(what) + " '" + path + "': " + e.code().message());
    }
  };
  ssl::context ctx(ssl::context::tls_server);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                  ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  if (!o.password.empty())
    ctx.set_password_callback(
        [pw = o.password](std::size_t, ssl::context::password_purpose) { return pw; });
  load("certfile", o.certfile, [&] { ctx.use_certificate_chain_file(o.certfile); });
  const std::string& key = o.keyfile.empty() ? o.certfile : o.keyfile;
  load("keyfile", key, [&] { ctx.use_private_key_file(key, ssl::context::pem); });
  if (!o.cafile.empty()) load("cafile", o.cafile, [&] { ctx.load_verify_file(o.cafile); });
  if (!o.capath.empty()) load("capath", o.capath, [&] { ctx.add_verify_path(o.capath); });
  if (!o.cafile.empty() || !o.capath.empty())
    ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  return ctx;
}

class listener final : public http_listener {
 public:
  listener(asio::io_context& io, std::shared_ptr<listener_state> st, tcp::acceptor acceptor)
      : io_(io), st_(std::move(st)), acceptor_(std::move(acceptor)), retry_(io) {
    port_ = acceptor_.local_endpoint().port();
    accept();
  }
  ~listener() override { close(); }

  void route(std::string path, http_route handler, http_auth auth) override {
    route_entry r{std::move(path), std::move(handler), std::move(auth), nullptr};
    if (!r.auth.hmac_secret.empty()) {
      r.md = digest_named(r.auth.hmac_algo);
      if (r.md == nullptr)
        throw std::invalid_argument("unknown HMAC algorithm '" + r.auth.hmac_algo + "'");
    }
    st_->routes.push_back(std::move(r));
  }

  unsigned short port() const noexcept override { return port_; }

  void close() override {
    if (st_->closed) return;
    st_->closed = true;
    error_code ec;
    acceptor_.close(ec);
    retry_.cancel();
    // Copied: a connection may leave the set while we close it.
    const std::vector<connection_base*> open(st_->open.begin(), st_->open.end());
    for (connection_base* c : open) c->force_close();
  }

 private:
  void accept() {
    acceptor_.async_accept(io_, [this, st = st_](error_code ec, tcp::socket s) {
      if (st->closed) return;  // `this` may be gone: the state says so
      if (ec) {
        // Out of descriptors and the like: try again shortly rather than spin.
        retry_.expires_after(std::chrono::milliseconds(50));
        retry_.async_wait([this, st](error_code e) {
          if (!e && !st->closed) accept();
        });
        return;
      }
      error_code ignored;
      s.set_option(tcp::no_delay(true), ignored);
      if (st_->open.size() >= st_->opts.max_connections) {
        s.non_blocking(true, ignored);
        s.write_some(asio::buffer(busy_response.data(), busy_response.size()), ignored);
        s.close(ignored);
      } else if (st_->tls) {
        using stream = beast::ssl_stream<beast::tcp_stream>;
        std::make_shared<connection<stream>>(st_,
                                             stream(beast::tcp_stream(std::move(s)), *st_->tls))
            ->start();
      } else {
        std::make_shared<connection<beast::tcp_stream>>(st_, beast::tcp_stream(std::move(s)))
            ->start();
      }
      accept();
    });
  }

  asio::io_context& io_;
  std::shared_ptr<listener_state> st_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  unsigned short port_ = 0;
};

}  // namespace

bool known_hmac_algo(std::string_view algo) { return digest_named(algo) != nullptr; }

std::string hmac_signature(const http_auth& auth, std::string_view body) {
  const EVP_MD* md = digest_named(auth.hmac_algo);
  if (md == nullptr) return {};
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(md, auth.hmac_secret.data(), static_cast<int>(auth.hmac_secret.size()),
           reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len) == nullptr)
    return {};
  std::string out;
  if (auth.hmac_base64) {
    out.resize(4 * ((len + 2) / 3) + 1);
    out.resize(static_cast<std::size_t>(
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(len))));
  } else {
    static constexpr char hex[] = "0123456789abcdef";
    out.reserve(len * 2);
    for (unsigned i = 0; i < len; ++i) {
      out += hex[mac[i] >> 4];
      out += hex[mac[i] & 15];
    }
  }
  return out;
}

std::unique_ptr<http_listener> server::listen(const http_listen_options& o) {
  auto st = std::make_shared<listener_state>();
  st->opts = o;
  if (!o.certfile.empty()) st->tls.emplace(make_tls(o));
  const std::string where = o.host + ":" + std::to_string(o.port);
  error_code ec;
  tcp::resolver resolver(io_);
  const auto found = resolver.resolve(o.host, std::to_string(o.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || found.empty())
    throw std::runtime_error("cannot resolve '" + o.host + "': " + ec.message());
  const tcp::endpoint ep = found.begin()->endpoint();
  tcp::acceptor acceptor(io_);
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  return std::make_unique<listener>(io_, std::move(st), std::move(acceptor));
}

}  // namespace rb::http
