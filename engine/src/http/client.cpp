#include "http/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string_view>

namespace rb::http {

namespace asio = boost::asio;

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct easy_deleter {
  void operator()(CURL* e) const noexcept { curl_easy_cleanup(e); }
};
struct slist_deleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

double ms_between(curl_off_t from_us, curl_off_t to_us) {
  return to_us > from_us ? static_cast<double>(to_us - from_us) / 1000.0 : 0.0;
}

bool read_int(std::string_view& s, int& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end == s.data()) return false;
  s.remove_prefix(static_cast<std::size_t>(end - s.data()));
  return true;
}

bool skip(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

}  // namespace

// "Jan 17 12:00:00 2027 GMT": OpenSSL's ASN1_TIME_print, which is what libcurl puts in certinfo's
// "Expire date" (the day is space-padded, the seconds may carry a fraction). 0 when unparsable.
long long parse_cert_time(std::string_view s) {
  static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  if (s.size() < 3) return 0;
  const auto m = months.find(s.substr(0, 3));
  if (m == std::string_view::npos || m % 3 != 0) return 0;
  s.remove_prefix(3);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  int day = 0, hh = 0, mm = 0, ss = 0, year = 0;
  if (!read_int(s, day) || !skip(s, ' ') || !read_int(s, hh) || !skip(s, ':') || !read_int(s, mm) ||
      !skip(s, ':') || !read_int(s, ss))
    return 0;
  if (skip(s, '.'))
    while (!s.empty() && s.front() >= '0' && s.front() <= '9') s.remove_prefix(1);
  if (!skip(s, ' ') || !read_int(s, year)) return 0;
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(m / 3 + 1)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hh > 23 || mm > 59 || ss > 60) return 0;
  const auto midnight = std::chrono::sys_days(date).time_since_epoch();
  return std::chrono::duration_cast<std::chrono::seconds>(midnight).count() + hh * 3600LL +
         mm * 60LL + ss;
}

namespace {

// notAfter of the server's certificate (the first of the chain curl saw), 0 when none.
long long cert_expiry(CURL* e) {
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(e, CURLINFO_CERTINFO, &info) != CURLE_OK || !info || info->num_of_certs < 1)
    return 0;
  static constexpr std::string_view key = "Expire date:";
  for (const curl_slist* l = info->certinfo[0]; l; l = l->next) {
    const std::string_view field(l->data);
    if (field.rfind(key, 0) == 0) return parse_cert_time(field.substr(key.size()));
  }
  return 0;
}

}  // namespace

struct client::impl {
  // One request in flight: its easy handle, what it keeps alive for curl, its callback.
  struct transfer {
    std::unique_ptr<CURL, easy_deleter> easy;
    std::unique_ptr<curl_slist, slist_deleter> headers;
    http_request req;
    std::string body;       // at most req.max_body_bytes of it
    std::size_t bytes = 0;  // all of it
    std::vector<std::pair<std::string, std::string>> received_headers;
    char error[CURL_ERROR_SIZE] = {};
    std::function<void(http_response)> done;
  };

  // A socket curl asked us to watch. Not owned: curl opens and closes it.
  struct watched {
    explicit watched(asio::io_context& io, curl_socket_t fd) : sd(io, fd), fd(fd) {}
    asio::posix::stream_descriptor sd;
    curl_socket_t fd;
    int want = 0;  // CURL_POLL_IN / OUT / INOUT
    bool reading = false, writing = false, removed = false;
  };

  asio::io_context& io;
  CURLM* multi = nullptr;
  asio::steady_timer timer;
  std::map<curl_socket_t, std::shared_ptr<watched>> sockets;
  std::map<CURL*, std::unique_ptr<transfer>> transfers;
  // Finished easy handles, reset and kept for the next send(): curl_easy_init is not free. Their
  // TLS session cache is off for fresh requests (see send), so reuse cannot resume a session.
  std::vector<std::unique_ptr<CURL, easy_deleter>> idle;
  static constexpr std::size_t max_idle = 256;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);

  explicit impl(asio::io_context& ctx) : io(ctx), timer(ctx) {
    global_init();
    multi = curl_multi_init();
    if (!multi) throw std::runtime_error("curl_multi_init failed");
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &impl::on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &impl::on_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
  }

  ~impl() {
    *alive = false;
    timer.cancel();
    for (auto& [easy, t] : transfers) curl_multi_remove_handle(multi, easy);
    transfers.clear();
    for (auto& [fd, w] : sockets) forget(*w);
    sockets.clear();
    idle.clear();
    curl_multi_cleanup(multi);
  }

  void forget(watched& w) {
    w.removed = true;
    boost::system::error_code ec;
    w.sd.cancel(ec);
    (void)w.sd.release();  // curl closes the descriptor, not asio
  }

  static int on_socket(CURL*, curl_socket_t fd, int what, void* userp, void*) {
    auto* self = static_cast<impl*>(userp);
    if (what == CURL_POLL_REMOVE) {
      if (auto it = self->sockets.find(fd); it != self->sockets.end()) {
        self->forget(*it->second);
        self->sockets.erase(it);
      }
      return 0;
    }
    try {
      auto& w = self->sockets[fd];
      if (!w) w = std::make_shared<watched>(self->io, fd);
      w->want = what;
      self->arm(w);
      return 0;
    } catch (const std::exception&) {
      self->sockets.erase(fd);
      return -1;  // curl fails the transfer; never let an exception cross C code
    }
  }

  void arm(const std::shared_ptr<watched>& w) {
    if ((w->want & CURL_POLL_IN) && !w->reading) {
      w->reading = true;
      w->sd.async_wait(asio::posix::descriptor_base::wait_read,
                       [this, w, alive = alive](const boost::system::error_code& ec) {
                         w->reading = false;
                         if (!*alive || ec || w->removed) return;
                         if (w->want & CURL_POLL_IN) ready(w, CURL_CSELECT_IN);
                       });
    }
    if ((w->want & CURL_POLL_OUT) && !w->writing) {
      w->writing = true;
      w->sd.async_wait(asio::posix::descriptor_base::wait_write,
                       [this, w, alive = alive](const boost::system::error_code& ec) {
                         w->writing = false;
                         if (!*alive || ec || w->removed) return;
                         if (w->want & CURL_POLL_OUT) ready(w, CURL_CSELECT_OUT);
                       });
    }
  }

  void ready(const std::shared_ptr<watched>& w, int events) {
    int running = 0;
    curl_multi_socket_action(multi, w->fd, events, &running);
    collect();
    if (!w->removed) arm(w);  // still wanted: wait again
  }

  static int on_timer(CURLM*, long timeout_ms, void* userp) {
    auto* self = static_cast<impl*>(userp);
    if (timeout_ms < 0) {
      self->timer.cancel();
      return 0;
    }
    // Even 0 goes through the loop: curl must not be re-entered from its own callback.
    self->timer.expires_after(std::chrono::milliseconds(timeout_ms));
    self->timer.async_wait([self, alive = self->alive](const boost::system::error_code& ec) {
      if (!*alive || ec) return;
      int running = 0;
      curl_multi_socket_action(self->multi, CURL_SOCKET_TIMEOUT, 0, &running);
      self->collect();
    });
    return 0;
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* userp) {
    // Past the cap the transfer goes on (its timing covers the whole body) but nothing is kept.
    auto* t = static_cast<transfer*>(userp);
    const std::size_t len = size * n;
    t->bytes += len;
    if (t->body.size() < t->req.max_body_bytes)
      t->body.append(data, std::min(len, t->req.max_body_bytes - t->body.size()));
    return len;
  }

  // One header line; a status line starts a new response (after a redirect): only the last
  // response's headers are kept.
  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* userp) {
    auto* t = static_cast<transfer*>(userp);
    std::string_view line(data, size * n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.rfind("HTTP/", 0) == 0) {
      t->received_headers.clear();
    } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
      t->received_headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    return size * n;
  }

  // Finished transfers: their response, their handle gone, their callback posted.
  void collect() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      const CURLcode result = msg->data.result;
      auto it = transfers.find(easy);
      if (it == transfers.end()) continue;
      std::unique_ptr<transfer> t = std::move(it->second);
      transfers.erase(it);
      http_response r = to_response(*t, result);
      curl_multi_remove_handle(multi, easy);
      if (idle.size() < max_idle) {
        curl_easy_reset(easy);
        idle.push_back(std::move(t->easy));
      }
      asio::post(io, [done = std::move(t->done), r = std::move(r), alive = alive]() mutable {
        if (*alive) done(std::move(r));
      });
    }
  }

  static http_response to_response(transfer& t, CURLcode result) {
    http_response r;
    CURL* e = t.easy.get();
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    r.responded = result == CURLE_OK && status > 0;
    r.status = status;
    if (result != CURLE_OK) r.error = t.error[0] != '\0' ? t.error : curl_easy_strerror(result);
    curl_off_t dns = 0, connect = 0, tls = 0, first = 0, total = 0;
    curl_easy_getinfo(e, CURLINFO_NAMELOOKUP_TIME_T, &dns);
    curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect);
    curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &tls);
    curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &first);
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total);
    const curl_off_t ready = tls > 0 ? tls : connect;  // the request could be sent
    r.time.dns_ms = ms_between(0, dns);
    r.time.connect_ms = ms_between(dns, connect);
    r.time.tls_ms = tls > 0 ? ms_between(connect, tls) : 0.0;
    r.time.ttfb_ms = first > 0 ? ms_between(ready, first) : 0.0;
    r.time.transfer_ms = first > 0 ? ms_between(first, total) : 0.0;
    r.time.total_ms = ms_between(0, total);
    r.bytes = t.bytes;
    r.cert_expires_at = cert_expiry(e);
    char* ip = nullptr;
    if (curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip) r.remote_ip = ip;
    if (r.responded) r.headers = std::move(t.received_headers);
    r.body = std::move(t.body);
    return r;
  }

  void send(http_request req, std::function<void(http_response)> done) {
    auto t = std::make_unique<transfer>();
    if (idle.empty()) {
      t->easy.reset(curl_easy_init());
    } else {
      t->easy = std::move(idle.back());
      idle.pop_back();
    }
    t->req = std::move(req);
    t->done = std::move(done);
    CURL* e = t->easy.get();
    if (!e) {
      fail_now(std::move(t->done), "curl_easy_init failed");
      return;
    }
    const http_request& q = t->req;
    curl_easy_setopt(e, CURLOPT_URL, q.url.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &impl::on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &impl::on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(q.timeout.count()));
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, q.verify_tls ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, q.verify_tls ? 2L : 0L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, q.follow_redirects ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (q.fresh_connection) {
      // A fresh check repeats every phase: new connection, no cached address, full handshake.
      curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
      curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
      curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
      curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 0L);
    }
    curl_easy_setopt(e, CURLOPT_IPRESOLVE,
                     q.ip == http_request::ip_family::v4   ? CURL_IPRESOLVE_V4
                     : q.ip == http_request::ip_family::v6 ? CURL_IPRESOLVE_V6
                                                           : CURL_IPRESOLVE_WHATEVER);
    if (!q.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, q.ca_file.c_str());
    // Trust comes from one bundle file only (the system's, Debian's copy of /etc/ssl/certs, or
    // ca_file): a CA directory would widen ca_file's trust, and it stops curl from caching the
    // parsed store in the multi handle, so every check would re-read the whole bundle.
    curl_easy_setopt(e, CURLOPT_CAPATH, nullptr);
    if (!q.client_cert.empty()) curl_easy_setopt(e, CURLOPT_SSLCERT, q.client_cert.c_str());
    if (!q.client_key.empty()) curl_easy_setopt(e, CURLOPT_SSLKEY, q.client_key.c_str());
    // "" disables proxies, the environment's *_proxy included: a check must not depend on who
    // started the engine. An explicit proxy is used for every host (no_proxy ignored too).
    curl_easy_setopt(e, CURLOPT_PROXY, q.proxy.c_str());
    if (!q.proxy.empty()) curl_easy_setopt(e, CURLOPT_NOPROXY, "");
    // Multi-homed hosts, and one network per location on a test machine.
    curl_easy_setopt(e, CURLOPT_INTERFACE,
                     q.source_address.empty() ? nullptr : q.source_address.c_str());
    // The chain's fields (notAfter among them), gathered whether or not it is verified.
    curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
    if (q.method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (q.method != "GET") {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, q.method.c_str());
    }
    if (!q.body.empty()) {
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, q.body.c_str());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(q.body.size()));
    }
    curl_slist* list = nullptr;
    for (const auto& [name, value] : q.headers)
      list = curl_slist_append(list, (name + ": " + value).c_str());
    t->headers.reset(list);
    if (list) curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
    if (curl_multi_add_handle(multi, e) != CURLM_OK) {
      fail_now(std::move(t->done), "curl_multi_add_handle failed");
      return;
    }
    transfers.emplace(e, std::move(t));
  }

  void fail_now(std::function<void(http_response)> done, std::string why) {
    http_response r;
    r.error = std::move(why);
    asio::post(io, [done = std::move(done), r = std::move(r), alive = alive]() mutable {
      if (*alive) done(std::move(r));
    });
  }
};

client::client(asio::io_context& io) : impl_(std::make_unique<impl>(io)) {}
client::~client() = default;

void client::send(http_request r, std::function<void(http_response)> done) {
  impl_->send(std::move(r), std::move(done));
}

std::size_t client::in_flight() const noexcept { return impl_->transfers.size(); }

}  // namespace rb::http
