#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>

namespace rb::test {

namespace {

using clock = std::chrono::steady_clock;

// Stop reading from a side once this much waits for the other one (a slow or latency-delayed
// reader must not make the proxy buffer without bound).
constexpr size_t max_queued = 1 << 20;

struct chunk {
  clock::time_point due;
  std::string bytes;
};

// Bytes travelling in one direction, in arrival order.
struct flow {
  std::deque<chunk> queue;
  size_t head_offset = 0;  // bytes of queue.front() already written
  size_t queued = 0;
  bool eof = false;   // the source has sent FIN
  bool shut = false;  // that FIN was passed on to the destination

  void clear() {
    queue.clear();
    head_offset = 0;
    queued = 0;
  }
  bool head_due(clock::time_point now) const { return !queue.empty() && queue.front().due <= now; }
};

struct connection {
  int client = -1;
  int upstream = -1;  // -1 while a blackhole keeps it unconnected
  bool connecting = false;
  bool dead = false;
  flow up;    // client -> upstream
  flow down;  // upstream -> client
};

void set_nodelay(int fd) {
  // Without it Nagle plus delayed ACKs add ~40 ms stalls that would blur latency measurements.
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// SO_LINGER 0 makes close() send RST instead of FIN: the peer sees "connection reset".
void close_with_rst(int fd) {
  if (fd < 0) return;
  const linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

void abort_connection(connection& c) {
  close_with_rst(c.client);
  close_with_rst(c.upstream);
  c.client = c.upstream = -1;
  c.dead = true;
}

void close_connection(connection& c) {
  if (c.client >= 0) close(c.client);
  if (c.upstream >= 0) close(c.upstream);
  c.client = c.upstream = -1;
  c.dead = true;
}

void start_connect(connection& c, const std::string& addr) {
  const auto* sa = reinterpret_cast<const sockaddr*>(addr.data());
  const int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return abort_connection(c);
  set_nodelay(fd);
  c.upstream = fd;
  if (connect(fd, sa, static_cast<socklen_t>(addr.size())) == 0) return;
  if (errno == EINPROGRESS) {
    c.connecting = true;
    return;
  }
  abort_connection(c);  // e.g. refused: the client sees its connection reset, as with a dead server
}

}  // namespace

fault_proxy::fault_proxy(std::string target_host, int target_port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(target_port);
  if (const int rc = getaddrinfo(target_host.c_str(), service.c_str(), &hints, &res); rc != 0)
    throw std::runtime_error("fault_proxy: cannot resolve " + target_host + ": " +
                             gai_strerror(rc));
  // Prefer IPv4: "localhost" often resolves to ::1 first, where a 127.0.0.1 server is not.
  const addrinfo* pick = res;
  for (const addrinfo* a = res; a; a = a->ai_next)
    if (a->ai_family == AF_INET) {
      pick = a;
      break;
    }
  target_addr_.assign(reinterpret_cast<const char*>(pick->ai_addr), pick->ai_addrlen);
  freeaddrinfo(res);

  // CLOEXEC everywhere: a child spawned meanwhile (pg_ctl -> postmaster) must not inherit our
  // sockets, or closing them here would no longer reach the peer.
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 128) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string err = std::strerror(errno);
    if (listen_fd_ >= 0) close(listen_fd_);
    throw std::runtime_error("fault_proxy: cannot listen on 127.0.0.1: " + err);
  }
  port_ = ntohs(addr.sin_port);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    close(listen_fd_);
    throw std::runtime_error("fault_proxy: eventfd failed");
  }
  thread_ = std::thread([this] { run(); });
}

fault_proxy::~fault_proxy() {
  post({command::stop});
  thread_.join();
  close(listen_fd_);
  close(wake_fd_);
}

void fault_proxy::pass() { post({command::pass}); }
void fault_proxy::blackhole() { post({command::blackhole}); }
void fault_proxy::reset() { post({command::reset}); }
void fault_proxy::set_latency(std::chrono::milliseconds latency) {
  post({command::latency, std::max<std::int64_t>(0, latency.count())});
}
void fault_proxy::refuse(bool on) { post({command::refuse, on ? 1 : 0}); }

// Hands the command to the proxy thread and waits until it has been applied.
void fault_proxy::post(command c) {
  std::unique_lock lock(mutex_);
  commands_.push_back(c);
  const auto seq = ++posted_;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = write(wake_fd_, &one, sizeof one);
  applied_cv_.wait(lock, [&] { return applied_ >= seq; });
}

void fault_proxy::run() {
  std::vector<std::unique_ptr<connection>> conns;
  bool blackholed = false;
  bool refusing = false;
  clock::duration latency{};
  std::vector<pollfd> pfds;
  std::vector<connection*> owners;  // owners[i] for pfds[i]; nullptr for the wake and listen fds
  char buf[64 * 1024];

  // Writes the chunks that are due; on a hard error the whole connection is aborted.
  const auto flush = [&](connection& c, flow& f, int to, clock::time_point now) {
    while (!c.dead && f.head_due(now)) {
      const auto& bytes = f.queue.front().bytes;
      const ssize_t n =
          send(to, bytes.data() + f.head_offset, bytes.size() - f.head_offset, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) abort_connection(c);
        return;
      }
      bytes_forwarded_ += static_cast<std::uint64_t>(n);
      f.head_offset += static_cast<size_t>(n);
      f.queued -= static_cast<size_t>(n);
      if (f.head_offset == bytes.size()) {
        f.queue.pop_front();
        f.head_offset = 0;
      }
    }
  };

  // Reads what `from` has; queues it on `f` (or discards it during a blackhole).
  const auto drain = [&](connection& c, flow& f, int from, clock::time_point now) {
    for (int round = 0; round < 16; ++round) {  // bounded so one busy side cannot starve others
      const ssize_t n = recv(from, buf, sizeof buf, 0);
      if (n > 0) {
        if (blackholed) continue;
        f.queue.push_back({now + latency, std::string(buf, static_cast<size_t>(n))});
        f.queued += static_cast<size_t>(n);
        if (f.queued >= max_queued) return;
        continue;
      }
      if (n == 0) {
        f.eof = true;
      } else if (errno == EINTR) {
        continue;
      } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        abort_connection(c);
      }
      return;
    }
  };

  const auto wants_read = [&](const flow& f) {
    return !f.eof && (blackholed || f.queued < max_queued);
  };

  for (;;) {
    // 1. What to wait for: readable sides, writable sides with a due chunk, the next due time.
    const auto before = clock::now();
    std::optional<clock::time_point> next_due;
    const auto want_write = [&](const flow& f) {
      if (blackholed || f.queue.empty()) return false;
      if (f.head_due(before)) return true;
      next_due = next_due ? std::min(*next_due, f.queue.front().due) : f.queue.front().due;
      return false;
    };
    pfds.clear();
    owners.clear();
    pfds.push_back({wake_fd_, POLLIN, 0});
    pfds.push_back({listen_fd_, POLLIN, 0});
    owners.resize(2, nullptr);
    for (auto& c : conns) {
      short ev = 0;
      if (wants_read(c->up)) ev |= POLLIN;
      if (c->upstream >= 0 && !c->connecting && want_write(c->down)) ev |= POLLOUT;
      // A negative fd makes poll() skip it, so a half-closed side cannot spin us with POLLHUP.
      pfds.push_back({ev ? c->client : -1, ev, 0});
      owners.push_back(c.get());
      if (c->upstream < 0) continue;
      ev = 0;
      if (c->connecting) {
        ev = POLLOUT;
      } else {
        if (wants_read(c->down)) ev |= POLLIN;
        if (want_write(c->up)) ev |= POLLOUT;
      }
      pfds.push_back({ev ? c->upstream : -1, ev, 0});
      owners.push_back(c.get());
    }
    int timeout = -1;
    if (next_due) {
      const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*next_due - before).count();
      timeout = static_cast<int>(std::clamp<std::int64_t>(ms, 0, INT_MAX));
    }
    if (poll(pfds.data(), pfds.size(), timeout) < 0 && errno != EINTR) continue;
    const auto now = clock::now();

    // 2. Connection I/O.
    for (size_t i = 2; i < pfds.size(); ++i) {
      connection& c = *owners[i];
      const short rev = pfds[i].revents;
      if (!rev || c.dead) continue;
      const bool is_client = pfds[i].fd == c.client;
      if (!is_client && c.connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c.upstream, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          abort_connection(c);
          continue;
        }
        c.connecting = false;
        flush(c, c.up, c.upstream, now);
        continue;
      }
      if (rev & POLLERR) {
        abort_connection(c);
        continue;
      }
      flow& in = is_client ? c.up : c.down;
      flow& out = is_client ? c.down : c.up;
      const int peer = is_client ? c.upstream : c.client;
      if (rev & (POLLIN | POLLHUP)) {
        drain(c, in, pfds[i].fd, now);
        if (!blackholed && peer >= 0 && !c.connecting) flush(c, in, peer, now);
      }
      if ((rev & POLLOUT) && !blackholed) flush(c, out, pfds[i].fd, now);
    }

    // 3. Pass FINs on once everything before them is delivered; retire finished connections.
    for (auto& c : conns) {
      if (c->dead) continue;
      if (blackholed) {
        if (c->up.eof && (c->upstream < 0 || c->down.eof)) close_connection(*c);
        continue;
      }
      if (c->upstream < 0 || c->connecting) continue;
      if (c->up.eof && !c->up.shut && c->up.queue.empty()) {
        shutdown(c->upstream, SHUT_WR);
        c->up.shut = true;
      }
      if (c->down.eof && !c->down.shut && c->down.queue.empty()) {
        shutdown(c->client, SHUT_WR);
        c->down.shut = true;
      }
      if (c->up.shut && c->down.shut) close_connection(*c);
    }

    // 4. Commands from the test thread.
    if (pfds[0].revents & POLLIN) {
      std::uint64_t count = 0;
      [[maybe_unused]] const auto n = read(wake_fd_, &count, sizeof count);
      std::unique_lock lock(mutex_);
      bool stopping = false;
      for (const auto& cmd : commands_) {
        switch (cmd.kind) {
          case command::pass:
            blackholed = false;
            for (auto& c : conns)
              if (!c->dead && c->upstream < 0) start_connect(*c, target_addr_);
            break;
          case command::blackhole:
            blackholed = true;
            for (auto& c : conns) {  // what is in flight is lost in the cut
              c->up.clear();
              c->down.clear();
            }
            break;
          case command::reset:
            blackholed = false;
            for (auto& c : conns) abort_connection(*c);
            break;
          case command::latency:
            latency = std::chrono::milliseconds(cmd.arg);
            break;
          case command::refuse:
            refusing = cmd.arg != 0;
            break;
          case command::stop:
            stopping = true;
            break;
        }
      }
      commands_.clear();
      if (stopping)
        for (auto& c : conns) close_connection(*c);
      std::erase_if(conns, [](const auto& c) { return c->dead; });
      connections_ = static_cast<int>(conns.size());
      applied_ = posted_;
      applied_cv_.notify_all();
      if (stopping) return;
    }

    // 5. New clients.
    if (pfds[1].revents & POLLIN) {
      for (;;) {
        const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
          if (errno == EINTR || errno == ECONNABORTED) continue;
          break;
        }
        if (refusing) {
          close_with_rst(fd);
          continue;
        }
        set_nodelay(fd);
        auto c = std::make_unique<connection>();
        c->client = fd;
        if (!blackholed) start_connect(*c, target_addr_);
        conns.push_back(std::move(c));
      }
    }

    std::erase_if(conns, [](const auto& c) { return c->dead; });
    connections_ = static_cast<int>(conns.size());
  }
}

}  // namespace rb::test
