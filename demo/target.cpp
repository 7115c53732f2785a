// demo_target: the small local site scripts/demo.sh monitors, so the uptime demo shows something
// meaningful without internet access. One thread, Boost.Asio, HTTP/1.1, one request per
// connection:
//   /healthy  200 {"status":"ok"} at once
//   /slow     200 after 1.2 s (over the demo's 800 ms limit)
//   /failing  503
//   /flapping 200 for `--flap` seconds, then 500 for as long, and again (shows alert + recovery)
// Usage: demo_target [--port 8089] [--flap 30]
#include <algorithm>
#include <utility>  // before Asio: its awaitable.hpp needs std::exchange

#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

int flap_seconds = 30;

struct reply {
  int status;
  std::string body;
  std::chrono::milliseconds delay{0};
};

reply route(const std::string& path) {
  if (path == "/healthy") return {200, R"({"status":"ok"})"};
  if (path == "/slow") return {200, R"({"status":"ok"})", std::chrono::milliseconds(1200)};
  if (path == "/failing") return {503, "service unavailable"};
  if (path == "/flapping") {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    if ((s / flap_seconds) % 2 == 0) return {200, R"({"status":"ok"})"};
    return {500, "internal error"};
  }
  return {404, "not found"};
}

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 404:
      return "Not Found";
    case 500:
      return "Internal Server Error";
    default:
      return "Service Unavailable";
  }
}

class session : public std::enable_shared_from_this<session> {
 public:
  explicit session(tcp::socket s) : socket_(std::move(s)), timer_(socket_.get_executor()) {}

  void start() {
    asio::async_read_until(socket_, buf_, "\r\n\r\n",
                           [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                             if (!ec) self->answer();
                           });
  }

 private:
  void answer() {
    std::istream in(&buf_);
    std::string method, path;
    in >> method >> path;
    const reply r = route(path.substr(0, path.find('?')));
    out_ = "HTTP/1.1 " + std::to_string(r.status) + " " + reason(r.status) +
           "\r\nContent-Type: " + (r.body.front() == '{' ? "application/json" : "text/plain") +
           "\r\nContent-Length: " + std::to_string(r.body.size()) +
           "\r\nConnection: close\r\n\r\n" + r.body;
    timer_.expires_after(r.delay);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code) {
      asio::async_write(self->socket_, asio::buffer(self->out_),
                        [self](boost::system::error_code, std::size_t) {
                          boost::system::error_code ignored;
                          self->socket_.shutdown(tcp::socket::shutdown_both, ignored);
                        });
    });
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  asio::streambuf buf_;
  std::string out_;
};

void accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](boost::system::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<session>(std::move(s))->start();
    accept(acceptor);
  });
}

}  // namespace

int main(int argc, char** argv) {
  unsigned short port = 8089;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--port") == 0)
      port = static_cast<unsigned short>(std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--flap") == 0) flap_seconds = std::max(1, std::atoi(argv[i + 1]));
  }
  try {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    accept(acceptor);
    std::fprintf(stderr, "demo_target: http://127.0.0.1:%u/ (healthy, slow, failing, flapping)\n",
                 port);
    io.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "demo_target: %s\n", e.what());
    return 1;
  }
}
