#include "support/http_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <istream>
#include <mutex>
#include <thread>
#include <vector>

namespace rb::test {

namespace asio = boost::asio;
using asio::ip::tcp;

struct http_server::impl {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::atomic<bool> stop{false};
  std::atomic<int> served{0};
  std::thread accepting;
  std::mutex mutex;
  std::vector<std::thread> handlers;

  void accept_loop() {
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
    asio::streambuf buf;
    asio::read_until(s, buf, "\r\n\r\n", ec);
    if (ec) return;
    std::istream in(&buf);
    std::string method, path;
    in >> method >> path;
    std::string status = "200 OK", body, extra;
    if (path == "/ok") {
      body = "hello";
    } else if (path == "/missing") {
      status = "404 Not Found";
      body = "no";
    } else if (path == "/slow") {
      std::this_thread::sleep_for(std::chrono::seconds(2));
      body = "late";
    } else if (path == "/big") {
      body.assign(1 << 20, 'x');
    } else if (path == "/redirect") {
      status = "302 Found";
      extra = "Location: /ok\r\n";
    } else {
      status = "500 Internal Server Error";
    }
    const std::string head = "HTTP/1.1 " + status + "\r\n" + extra +
                             "Content-Length: " + std::to_string(body.size()) +
                             "\r\nConnection: close\r\n\r\n";
    asio::write(s, asio::buffer(head + body), ec);
    ++served;
  }
};

http_server::http_server() : impl_(std::make_unique<impl>()) {
  impl_->accepting = std::thread([this] { impl_->accept_loop(); });
}

http_server::~http_server() {
  impl_->stop = true;
  boost::system::error_code ec;
  tcp::socket wake(impl_->io);  // one last connection wakes accept()
  wake.connect(impl_->acceptor.local_endpoint(), ec);
  impl_->accepting.join();
  for (auto& t : impl_->handlers) t.join();
}

unsigned short http_server::port() const noexcept {
  return impl_->acceptor.local_endpoint().port();
}

std::string http_server::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

int http_server::served() const noexcept { return impl_->served; }

unsigned short closed_loopback_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

}  // namespace rb::test
