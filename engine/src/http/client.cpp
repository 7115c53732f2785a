#include "http/client.h"

#include <curl/curl.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
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

}  // namespace

struct client::impl {
  // One request in flight: its easy handle, what it keeps alive for curl, its callback.
  struct transfer {
    std::unique_ptr<CURL, easy_deleter> easy;
    std::unique_ptr<curl_slist, slist_deleter> headers;
    http_request req;
    std::string body;
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
    static_cast<transfer*>(userp)->body.append(data, size * n);
    return size * n;
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
    r.bytes = t.body.size();
    if (r.responded) r.headers = std::move(t.received_headers);
    r.body = std::move(t.body);
    return r;
  }

  void send(http_request req, std::function<void(http_response)> done) {
    auto t = std::make_unique<transfer>();
    t->easy.reset(curl_easy_init());
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
      curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
      curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    }
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
