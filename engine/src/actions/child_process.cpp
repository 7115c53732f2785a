#include "actions/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

extern char** environ;

namespace rb::actions {

namespace asio = boost::asio;

namespace {

std::size_t live_children = 0;

// Closes an fd on scope exit unless released.
struct fd_guard {
  int fd = -1;
  fd_guard() = default;
  explicit fd_guard(int f) : fd(f) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  fd_guard(fd_guard&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
  int release() noexcept { return std::exchange(fd, -1); }
};

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  errno = ENOSYS;
  return -1;
#endif
}

}  // namespace

struct child_process::impl : std::enable_shared_from_this<impl> {
  struct reader {
    int fd_no = 1;
    std::optional<asio::posix::stream_descriptor> sd;
    std::string buf;
    bool open = true;
  };

  explicit impl(asio::any_io_executor e) : ex(e), poll_timer(e), kill_timer(e), drain_timer(e) {}

  asio::any_io_executor ex;
  pid_t pid = -1;
  bool reaped = false;
  bool terminated = false;
  bool dead = false;  // the owner is gone: no more callbacks
  bool reported = false;
  child_exit status;
  // Shared with their pending reads: the read's buffer must outlive the operation.
  std::vector<std::shared_ptr<reader>> readers;
  std::size_t open_readers = 0;
  std::optional<asio::posix::stream_descriptor> pidfd;
  asio::steady_timer poll_timer;
  asio::steady_timer kill_timer;
  asio::steady_timer drain_timer;
  line_handler on_line;
  exit_handler on_exit;
  std::size_t max_line = 1 << 20;
  std::chrono::milliseconds drain_limit{2000};

  void read(const std::shared_ptr<reader>& rp) {
    std::weak_ptr<impl> weak = weak_from_this();
    reader& r = *rp;
    asio::async_read_until(
        *r.sd, asio::dynamic_buffer(r.buf, max_line), '\n',
        [weak, rp](const boost::system::error_code& ec, std::size_t n) {
          reader& r = *rp;
          auto self = weak.lock();
          if (!self || self->dead) return;
          if (!ec) {
            self->deliver(r.fd_no, std::string_view(r.buf).substr(0, n - 1));
            if (self->dead) return;
            r.buf.erase(0, n);
            self->read(rp);
            return;
          }
          if (ec == asio::error::not_found) {  // longer than max_line: a piece of it
            std::string piece = std::move(r.buf);
            r.buf.clear();
            self->deliver(r.fd_no, piece);
            if (self->dead) return;
            self->read(rp);
            return;
          }
          self->close_reader(r);
        });
  }

  void deliver(int fd_no, std::string_view line) {
    if (on_line) on_line(fd_no, line);
  }

  // End of file (or error, or the drain limit): the rest of the buffer is a last line.
  void close_reader(reader& r) {
    if (!r.open) return;
    r.open = false;
    --open_readers;
    boost::system::error_code ignored;
    r.sd->close(ignored);
    if (!r.buf.empty()) {
      std::string rest = std::move(r.buf);
      r.buf.clear();
      deliver(r.fd_no, rest);
      if (dead) return;
    }
    maybe_report();
  }

  void watch_exit() {
    std::weak_ptr<impl> weak = weak_from_this();
    if (pidfd) {
      pidfd->async_wait(asio::posix::stream_descriptor::wait_read,
                        [weak](const boost::system::error_code& ec) {
                          auto self = weak.lock();
                          if (!self || self->dead || self->reaped) return;
                          if (ec == asio::error::operation_aborted) return;
                          if (!self->try_reap()) self->watch_exit();
                        });
      return;
    }
    poll_timer.expires_after(std::chrono::milliseconds(20));
    poll_timer.async_wait([weak](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (!self || self->dead || self->reaped || ec) return;
      if (!self->try_reap()) self->watch_exit();
    });
  }

  bool try_reap() {
    int st = 0;
    pid_t r;
    do {
      r = ::waitpid(pid, &st, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == 0) return false;
    if (r < 0) {  // not ours any more (someone else reaped it): report an unknown failure
      status.signaled = false;
      status.code = 255;
    } else if (WIFSIGNALED(st)) {
      status.signaled = true;
      status.code = WTERMSIG(st);
    } else {
      status.signaled = false;
      status.code = WEXITSTATUS(st);
    }
    mark_reaped();
    if (open_readers > 0) {
      std::weak_ptr<impl> weak = weak_from_this();
      drain_timer.expires_after(drain_limit);
      drain_timer.async_wait([weak](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!self || self->dead || ec) return;
        for (auto& rd : self->readers) {
          self->close_reader(*rd);
          if (self->dead) return;
        }
      });
    }
    maybe_report();
    return true;
  }

  void mark_reaped() {
    reaped = true;
    --live_children;
    kill_timer.cancel();
    if (pidfd) {
      boost::system::error_code ignored;
      pidfd->close(ignored);
    }
    // A stopped job leaves nothing behind: workers of its group that outlive it go too.
    if (terminated) ::kill(-pid, SIGKILL);
  }

  void maybe_report() {
    if (reported || !reaped || open_readers > 0 || dead) return;
    reported = true;
    drain_timer.cancel();
    if (on_exit) on_exit(status);
  }

  void shut() {
    dead = true;
    if (!reaped) {
      ::kill(-pid, SIGKILL);
      int st = 0;
      while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
      }
      mark_reaped();
    }
    boost::system::error_code ignored;
    for (auto& r : readers)
      if (r->sd) r->sd->close(ignored);
    if (pidfd) pidfd->close(ignored);
    poll_timer.cancel();
    kill_timer.cancel();
    drain_timer.cancel();
  }
};

std::unique_ptr<child_process> child_process::spawn(asio::any_io_executor ex,
                                                    const spawn_options& opts, line_handler on_line,
                                                    exit_handler on_exit, std::string& error) {
  if (opts.argv.empty()) {
    error = "no program to run";
    return nullptr;
  }
  const int npipes = 2 + std::max(0, opts.extra_pipes);
  std::vector<fd_guard> read_ends;
  std::vector<fd_guard> write_ends;
  for (int i = 0; i < npipes; ++i) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) {
      error = std::string("pipe: ") + std::strerror(errno);
      return nullptr;
    }
    read_ends.emplace_back(p[0]);
    // Far from 0..npipes+2 so that the dup2 below never overwrites another pipe's end.
    int high = ::fcntl(p[1], F_DUPFD_CLOEXEC, 64);
    ::close(p[1]);
    if (high < 0) {
      error = std::string("fcntl: ") + std::strerror(errno);
      return nullptr;
    }
    write_ends.emplace_back(high);
  }

  // The environment: ours, with opts.env replacing or adding names.
  std::vector<std::string> env_strings;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    const auto eq = kv.find('=');
    const std::string_view key = kv.substr(0, eq);
    bool replaced = false;
    for (const auto& [k, v] : opts.env) replaced = replaced || k == key;
    if (!replaced) env_strings.emplace_back(kv);
  }
  for (const auto& [k, v] : opts.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings = opts.argv;
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  for (int i = 0; i < npipes; ++i) posix_spawn_file_actions_adddup2(&fa, write_ends[i].fd, i + 1);
  if (!opts.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, opts.cwd.c_str());
  sigset_t empty_mask, defaults;
  sigemptyset(&empty_mask);
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGCHLD, SIGHUP, SIGQUIT}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&attr, &empty_mask);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  write_ends.clear();  // the child holds them now
  if (rc != 0) {
    error = "cannot run '" + opts.argv[0] + "': " + std::strerror(rc);
    return nullptr;
  }
  ++live_children;

  auto p = std::make_shared<impl>(ex);
  p->pid = pid;
  p->on_line = std::move(on_line);
  p->on_exit = std::move(on_exit);
  p->max_line = std::max<std::size_t>(opts.max_line, 16);
  p->drain_limit = opts.drain_limit;
  const int pfd = open_pidfd(pid);
  if (pfd >= 0) p->pidfd.emplace(ex, pfd);
  for (int i = 0; i < npipes; ++i) {
    auto r = std::make_shared<impl::reader>();
    r->fd_no = i + 1;
    r->sd.emplace(ex, read_ends[i].release());
    p->readers.push_back(std::move(r));
  }
  p->open_readers = p->readers.size();
  std::unique_ptr<child_process> child(new child_process(p));
  for (auto& r : p->readers) p->read(r);
  p->watch_exit();
  return child;
}

child_process::~child_process() {
  if (p_) p_->shut();
}

pid_t child_process::pid() const noexcept { return p_->pid; }
bool child_process::exited() const noexcept { return p_->reaped; }
std::size_t child_process::live() noexcept { return live_children; }

void child_process::terminate(std::chrono::milliseconds grace) {
  if (p_->reaped || p_->terminated) return;
  p_->terminated = true;
  ::kill(-p_->pid, SIGTERM);
  std::weak_ptr<impl> weak = p_;
  p_->kill_timer.expires_after(grace);
  p_->kill_timer.async_wait([weak](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec || self->reaped) return;
    ::kill(-self->pid, SIGKILL);
  });
}

void child_process::kill() {
  if (p_->reaped) return;
  p_->terminated = true;
  ::kill(-p_->pid, SIGKILL);
}

bool on_path(std::string_view program) {
  if (program.empty()) return false;
  auto executable = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
  };
  if (program.find('/') != std::string_view::npos) return executable(std::string(program));
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const auto colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    if (dir.empty()) dir = ".";
    if (executable(dir + "/" + std::string(program))) return true;
    if (colon == std::string_view::npos) return false;
    dirs.remove_prefix(colon + 1);
  }
}

}  // namespace rb::actions
