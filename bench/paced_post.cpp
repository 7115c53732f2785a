// paced_post: POSTs a JSON body at a fixed rate (open loop) over keep-alive connections and
// reports the latency distribution. Debian's wrk has no -R: a closed-loop client slows down with
// the server and hides queueing ("coordinated omission"). Here request k is due at t0 + k/rate
// whatever happened before; its latency runs from that due time to the end of its response, so
// time spent waiting for a free connection counts.
//
//   paced_post HOST PORT PATH RATE SECONDS [CONNECTIONS=64] [BODY]
//
// Prints: requests, achieved rate, non-200 answers, errors, latency p50/p90/p99/p99.9/max (ms).
#include <algorithm>
#include <utility>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

struct stats {
  std::vector<double> latency_ms;
  long non_200 = 0;
  long errors = 0;
};

class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(asio::io_context& io, const tcp::endpoint& ep, const std::string& request,
             stats& st)
      : socket_(io), endpoint_(ep), request_(request), stats_(st) {}

  bool idle() const { return idle_; }

  void connect(std::function<void()> ready) {
    socket_.async_connect(endpoint_, [self = shared_from_this(), ready](auto ec) {
      if (ec) {
        std::fprintf(stderr, "connect: %s\n", ec.message().c_str());
        std::exit(1);
      }
      self->socket_.set_option(tcp::no_delay(true));
      self->idle_ = true;
      ready();
    });
  }

  void send(clock_type::time_point due, std::function<void()> on_idle) {
    idle_ = false;
    due_ = due;
    on_idle_ = std::move(on_idle);
    asio::async_write(socket_, asio::buffer(request_),
                      [self = shared_from_this()](auto ec, std::size_t) {
                        if (ec) return self->fail();
                        self->read_head();
                      });
  }

 private:
  void read_head() {
    asio::async_read_until(socket_, asio::dynamic_buffer(in_), "\r\n\r\n",
                           [self = shared_from_this()](auto ec, std::size_t head) {
                             if (ec) return self->fail();
                             self->parse(head);
                           });
  }

  void parse(std::size_t head) {
    const std::string_view h(in_.data(), head);
    const bool ok = h.substr(0, 12) == "HTTP/1.1 200";
    std::size_t length = 0;
    for (std::string_view key : {"Content-Length: ", "content-length: "})
      if (auto p = h.find(key); p != std::string_view::npos)
        length = std::strtoul(h.data() + p + key.size(), nullptr, 10);
    const std::size_t need = head + length;
    auto done = [self = shared_from_this(), ok, need] {
      self->in_.erase(0, need);
      self->complete(ok);
    };
    if (in_.size() >= need) return done();
    asio::async_read(socket_, asio::dynamic_buffer(in_), asio::transfer_exactly(need - in_.size()),
                     [self = shared_from_this(), done](auto ec, std::size_t) {
                       if (ec) return self->fail();
                       done();
                     });
  }

  void complete(bool ok) {
    const double ms = std::chrono::duration<double, std::milli>(clock_type::now() - due_).count();
    stats_.latency_ms.push_back(ms);
    if (!ok) ++stats_.non_200;
    idle_ = true;
    auto on_idle = std::move(on_idle_);  // send() may set a new one from inside this call
    on_idle();
  }

  void fail() {
    ++stats_.errors;
    std::fprintf(stderr, "connection error; stopping this connection\n");
  }

  tcp::socket socket_;
  tcp::endpoint endpoint_;
  const std::string& request_;
  stats& stats_;
  std::string in_;
  bool idle_ = false;
  clock_type::time_point due_;
  std::function<void()> on_idle_;
};

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p / 100.0 * v.size()));
  std::nth_element(v.begin(), v.begin() + i, v.end());
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: paced_post HOST PORT PATH RATE SECONDS [CONNECTIONS] [BODY]\n");
    return 2;
  }
  const std::string host = argv[1];
  const auto port = static_cast<unsigned short>(std::atoi(argv[2]));
  const std::string path = argv[3];
  const double rate = std::atof(argv[4]);
  const double seconds = std::atof(argv[5]);
  const int conns = argc > 6 ? std::atoi(argv[6]) : 64;
  const std::string body =
      argc > 7 ? argv[7] : R"({"alert":"disk full","host":"web-1","severity":3})";
  const std::string request = "POST " + path + " HTTP/1.1\r\nHost: " + host +
                              "\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;

  asio::io_context io;
  const tcp::endpoint ep(asio::ip::make_address(host), port);
  stats st;
  const long total = static_cast<long>(rate * seconds);
  st.latency_ms.reserve(total);
  std::vector<std::shared_ptr<connection>> pool;
  std::deque<clock_type::time_point> backlog;  // due and not yet sent (no idle connection)
  long scheduled = 0;
  clock_type::time_point t0;
  asio::steady_timer tick(io);
  const auto period = std::chrono::duration<double>(1.0 / rate);

  std::function<void()> drain;
  drain = [&] {
    for (auto& c : pool) {
      if (backlog.empty()) return;
      if (!c->idle()) continue;
      const auto due = backlog.front();
      backlog.pop_front();
      c->send(due, drain);
    }
  };
  std::function<void()> schedule;
  schedule = [&] {
    const auto now = clock_type::now();
    while (scheduled < total) {
      const auto due = t0 + std::chrono::duration_cast<clock_type::duration>(period * scheduled);
      if (due > now) break;
      backlog.push_back(due);
      ++scheduled;
    }
    drain();
    if (scheduled < total) {
      tick.expires_at(t0 + std::chrono::duration_cast<clock_type::duration>(period * scheduled));
      tick.async_wait([&](auto ec) {
        if (!ec) schedule();
      });
    }
  };

  int connected = 0;
  for (int i = 0; i < conns; ++i) {
    pool.push_back(std::make_shared<connection>(io, ep, request, st));
    pool.back()->connect([&] {
      if (++connected == conns) {
        t0 = clock_type::now();
        schedule();
      }
    });
  }
  io.run();
  const double wall = std::chrono::duration<double>(clock_type::now() - t0).count();
  const auto n = st.latency_ms.size();
  std::printf("requests %zu in %.2f s: %.0f req/s (target %.0f); non-200 %ld, errors %ld\n", n,
              wall, n / wall, rate, st.non_200, st.errors);
  std::printf("latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n",
              percentile(st.latency_ms, 50), percentile(st.latency_ms, 90),
              percentile(st.latency_ms, 99), percentile(st.latency_ms, 99.9),
              percentile(st.latency_ms, 100));
  return st.errors || st.non_200 ? 1 : 0;
}
