#include "support/http_server.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "support/test_pki.h"

namespace rb::test {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;

namespace {

struct request {
  std::string method, target, path, query, body;
  std::vector<std::pair<std::string, std::string>> headers;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

// The value of `name` in a query string "a=1&b=2", or `fallback`.
long query_number(const std::string& query, const std::string& name, long fallback) {
  std::string_view q(query);
  while (!q.empty()) {
    const auto amp = q.find('&');
    const std::string_view pair = q.substr(0, amp);
    if (pair.rfind(name + "=", 0) == 0) return std::stol(std::string(pair.substr(name.size() + 1)));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return fallback;
}

// Reads one request (head, then Content-Length bytes of body) from `s`.
template <class Stream>
std::optional<request> read_request(Stream& s, asio::streambuf& buf) {
  boost::system::error_code ec;
  const std::size_t head_size = asio::read_until(s, buf, "\r\n\r\n", ec);
  if (ec) return std::nullopt;
  std::string head(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + head_size);
  buf.consume(head_size);
  request r;
  std::size_t line_end = head.find("\r\n");
  const std::string first = head.substr(0, line_end);
  const auto sp1 = first.find(' '), sp2 = first.rfind(' ');
  if (sp1 == std::string::npos || sp2 <= sp1) return std::nullopt;
  r.method = first.substr(0, sp1);
  r.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  std::size_t content_length = 0;
  for (std::size_t pos = line_end + 2; pos < head.size();) {
    const std::size_t end = head.find("\r\n", pos);
    const std::string line = head.substr(pos, end - pos);
    pos = end + 2;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    r.headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
    if (lower(r.headers.back().first) == "content-length")
      content_length = std::stoul(r.headers.back().second);
  }
  if (content_length > buf.size()) {
    asio::read(s, buf, asio::transfer_exactly(content_length - buf.size()), ec);
    if (ec) return std::nullopt;
  }
  r.body.assign(asio::buffers_begin(buf.data()),
                asio::buffers_begin(buf.data()) + static_cast<std::ptrdiff_t>(content_length));
  buf.consume(content_length);
  std::string path = r.target;
  if (path.rfind("http://", 0) == 0) {  // absolute URI: we are the proxy
    const auto slash = path.find('/', 7);
    path = slash == std::string::npos ? "/" : path.substr(slash);
  }
  const auto qmark = path.find('?');
  r.path = path.substr(0, qmark);
  if (qmark != std::string::npos) r.query = path.substr(qmark + 1);
  return r;
}

std::string common_name(SSL* ssl) {
  if (!ssl) return "";
  X509* peer = SSL_get1_peer_certificate(ssl);
  if (!peer) return "";
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
  X509_free(peer);
  return cn;
}

// Copies bytes from `from` to `to` until either side closes, then shuts `to` for writing.
void relay(tcp::socket& from, tcp::socket& to) {
  char data[16384];
  boost::system::error_code ec;
  for (;;) {
    const std::size_t n = from.read_some(asio::buffer(data), ec);
    if (ec) break;
    asio::write(to, asio::buffer(data, n), ec);
    if (ec) break;
  }
  to.shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace

struct http_server::impl {
  http_server_options options;
  asio::io_context io;
  std::optional<ssl::context> tls;
  tcp::acceptor v4{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::optional<tcp::acceptor> v6;
  std::atomic<bool> stop{false};
  std::atomic<int> served{0}, proxied{0};
  std::vector<std::thread> accepting;
  std::mutex mutex;
  std::vector<std::thread> handlers;

  explicit impl(http_server_options o) : options(o) {
    if (options.tls != http_server_options::tls_cert::none) {
      if (!options.pki) throw std::invalid_argument("http_server: TLS needs a test_pki");
      const test_pki& pki = *options.pki;
      tls.emplace(ssl::context::tls_server);
      using tls_cert = http_server_options::tls_cert;
      tls->use_certificate_chain_file(options.tls == tls_cert::valid     ? pki.server_cert()
                                      : options.tls == tls_cert::expired ? pki.expired_cert()
                                                                         : pki.wrong_host_cert());
      tls->use_private_key_file(pki.server_key(), ssl::context::pem);
      if (options.require_client_cert) {
        tls->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
        tls->load_verify_file(pki.ca_cert());
      }
    }
    if (options.ipv6_too) {
      try {
        v6.emplace(io, tcp::endpoint(asio::ip::make_address("::1"), v4.local_endpoint().port()));
      } catch (const boost::system::system_error&) {
        v6.reset();  // no ::1 here, or the port is taken on it: callers check has_ipv6()
      }
    }
  }

  void accept_loop(tcp::acceptor& acceptor) {
    while (!stop) {
      tcp::socket s(io);
      boost::system::error_code ec;
      acceptor.accept(s, ec);
      if (ec || stop) break;
      std::lock_guard lock(mutex);
      handlers.emplace_back([this, s = std::move(s)]() mutable { serve(std::move(s)); });
    }
  }

  void serve(tcp::socket s) {
    boost::system::error_code ec;
    if (!tls) {
      answer(s, s, nullptr);
    } else {
      ssl::stream<tcp::socket&> stream(s, *tls);
      stream.handshake(ssl::stream_base::server, ec);
      if (!ec) answer(stream, s, stream.native_handle());
    }
    // No TLS close_notify: the client has the whole response (Content-Length) and closes.
    s.shutdown(tcp::socket::shutdown_both, ec);
    s.close(ec);
  }

  template <class Stream>
  void answer(Stream& s, tcp::socket& raw, SSL* ssl) {
    boost::system::error_code ec;
    asio::streambuf buf;
    const std::optional<request> req = read_request(s, buf);
    if (!req) return;
    if (req->method == "CONNECT") {
      tunnel(raw, req->target);
      return;
    }
    if (req->target.rfind("http://", 0) == 0) ++proxied;
    std::string status = "200 OK", body, extra;
    const std::string& path = req->path;
    if (path == "/ok") {
      body = "hello";
    } else if (path == "/missing") {
      status = "404 Not Found";
      body = "no";
    } else if (path == "/slow") {
      std::this_thread::sleep_for(std::chrono::milliseconds(query_number(req->query, "ms", 2000)));
      body = "late";
    } else if (path == "/big") {
      body.assign(static_cast<std::size_t>(query_number(req->query, "bytes", 1 << 20)), 'x');
    } else if (path == "/redirect") {
      status = "302 Found";
      extra = "Location: /ok\r\n";
    } else if (path.rfind("/status/", 0) == 0) {
      status = path.substr(8) + " Status";
      body = "status " + path.substr(8);
    } else if (path == "/reset") {
      ++served;
      raw.set_option(tcp::socket::linger(true, 0), ec);  // close() sends RST
      raw.close(ec);
      return;
    } else if (path == "/json") {
      extra = "Content-Type: application/json\r\n";
      body = R"({"ok":true,"n":42,"items":[1,2,3],"name":"rulebook"})";
    } else if (path == "/echo") {
      nlohmann::json headers = nlohmann::json::object();
      for (const auto& [name, value] : req->headers) headers[lower(name)] = value;
      extra = "Content-Type: application/json\r\n";
      body = nlohmann::json{{"method", req->method},
                            {"target", req->target},
                            {"headers", headers},
                            {"body", req->body},
                            {"client_cert", common_name(ssl)}}
                 .dump();
    } else {
      status = "500 Internal Server Error";
    }
    if (req->method == "HEAD") body.clear();
    const std::string head = "HTTP/1.1 " + status + "\r\n" + extra +
                             "Content-Length: " + std::to_string(body.size()) +
                             "\r\nConnection: close\r\n\r\n";
    asio::write(s, asio::buffer(head + body), ec);
    ++served;
  }

  // CONNECT host:port: a plain TCP tunnel, one thread per direction.
  void tunnel(tcp::socket& client, const std::string& target) {
    ++proxied;
    boost::system::error_code ec;
    const auto colon = target.rfind(':');
    tcp::socket upstream(io);
    tcp::resolver resolver(io);
    const auto found = resolver.resolve(target.substr(0, colon), target.substr(colon + 1), ec);
    if (!ec) asio::connect(upstream, found, ec);
    if (ec) {
      asio::write(client, asio::buffer(std::string("HTTP/1.1 502 Bad Gateway\r\n\r\n")), ec);
      return;
    }
    asio::write(client, asio::buffer(std::string("HTTP/1.1 200 Connection established\r\n\r\n")),
                ec);
    std::thread back([&] { relay(upstream, client); });
    relay(client, upstream);
    back.join();
  }
};

http_server::http_server() : http_server(http_server_options{}) {}

http_server::http_server(http_server_options options) : impl_(std::make_unique<impl>(options)) {
  impl_->accepting.emplace_back([this] { impl_->accept_loop(impl_->v4); });
  if (impl_->v6) impl_->accepting.emplace_back([this] { impl_->accept_loop(*impl_->v6); });
}

http_server::~http_server() {
  impl_->stop = true;
  boost::system::error_code ec;
  for (tcp::acceptor* a : {&impl_->v4, impl_->v6 ? &*impl_->v6 : nullptr}) {
    if (!a) continue;
    tcp::socket wake(impl_->io);  // one last connection wakes accept()
    wake.connect(a->local_endpoint(), ec);
  }
  for (auto& t : impl_->accepting) t.join();
  for (auto& t : impl_->handlers) t.join();
}

unsigned short http_server::port() const noexcept { return impl_->v4.local_endpoint().port(); }

std::string http_server::url(const std::string& path) const {
  return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()) +
         path;
}

std::string http_server::url_v6(const std::string& path) const {
  return std::string(impl_->tls ? "https" : "http") + "://[::1]:" + std::to_string(port()) + path;
}

bool http_server::has_ipv6() const noexcept { return impl_->v6.has_value(); }

int http_server::served() const noexcept { return impl_->served; }

int http_server::proxied() const noexcept { return impl_->proxied; }

unsigned short closed_loopback_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

}  // namespace rb::test
