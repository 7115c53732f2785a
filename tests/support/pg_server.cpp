#include "pg_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace rb::test {

namespace fs = std::filesystem;

namespace {

struct command_result {
  int status = -1;  // exit code, or -1 when killed by a signal
  std::string output;
};

// Our environment minus PG* variables, which would quietly redirect the tools (PGDATA, PGPORT...);
// LC_ALL=C keeps the messages we look for ("could not bind") in English.
std::vector<std::string> child_env() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "PG", 2) != 0 && std::strncmp(*e, "LC_ALL=", 7) != 0) env.push_back(*e);
  env.push_back("LC_ALL=C");
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// posix_spawn rather than fork: safe in a process that already runs threads (fault_proxy).
// The child starts in "/" because the postgres user may not be allowed into our cwd, and the
// tools refuse to run when they cannot resolve it.
// Starts argv[0] (a path) from "/" with stdin from /dev/null and stdout and stderr to `out_fd`.
// Returns posix_spawn's error code (0 on success).
int spawn_to(std::vector<std::string> argv, int out_fd, pid_t& pid) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
  posix_spawn_file_actions_addchdir_np(&fa, "/");
  auto env = child_env();
  auto c_argv = c_strings(argv);
  auto c_env = c_strings(env);
  const int rc = posix_spawn(&pid, c_argv[0], &fa, nullptr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&fa);
  return rc;
}

command_result run_command(std::vector<std::string> argv) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  pid_t pid = -1;
  const int rc = spawn_to(argv, fds[1], pid);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  // EOF arrives when the command (and anything it left running) has closed its output.
  command_result r;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n > 0) {
      r.output.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

// Highest-numbered /usr/lib/postgresql/<version>/bin that has the tools we need.
std::string find_bin_dir() {
  std::string best;
  double best_version = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const auto bin = entry.path() / "bin";
    if (!fs::exists(bin / "initdb") || !fs::exists(bin / "postgres") || !fs::exists(bin / "pg_ctl"))
      continue;
    const double version = std::strtod(entry.path().filename().c_str(), nullptr);
    if (version > best_version) best_version = version, best = bin.string();
  }
  if (best.empty()) throw std::runtime_error("no PostgreSQL found under /usr/lib/postgresql/*/bin");
  return best;
}

std::string find_runuser() {
  for (const char* p : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"})
    if (access(p, X_OK) == 0) return p;
  throw std::runtime_error("running as root but runuser is missing (PostgreSQL refuses root)");
}

// Binding port 0 lets the kernel pick a port nobody holds right now; another process may still
// take it before the server binds, which try_start() detects and we retry.
std::string read_from(const std::string& path, std::streamoff offset) {
  std::ifstream in(path);
  in.seekg(offset);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::streamoff file_size(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  return ec ? 0 : static_cast<std::streamoff>(size);
}

// Quotes a value for a libpq key=value conninfo string.
std::string conninfo_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string conf_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

using conn_ptr = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using result_ptr = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::vector<std::vector<std::string>> run_sql(const std::string& conninfo, const std::string& sql) {
  conn_ptr conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error("pg_server: connect failed: " +
                             std::string(conn ? PQerrorMessage(conn.get()) : "out of memory"));
  // Keep NOTICEs out of the test output.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  result_ptr res(PQexec(conn.get(), sql.c_str()), &PQclear);
  const auto status = PQresultStatus(res.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && status != PGRES_EMPTY_QUERY)
    throw std::runtime_error("pg_server: query failed: " + sql + ": " +
                             PQresultErrorMessage(res.get()));
  std::vector<std::vector<std::string>> rows;
  for (int r = 0; r < PQntuples(res.get()); ++r) {
    auto& row = rows.emplace_back();
    for (int c = 0; c < PQnfields(res.get()); ++c) row.emplace_back(PQgetvalue(res.get(), r, c));
  }
  return rows;
}

}  // namespace

int free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("cannot pick a free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

pg_server::pg_server() {
  bin_dir_ = find_bin_dir();
  as_postgres_ = geteuid() == 0;
  std::string tmpl = (fs::temp_directory_path() / "rbpg.XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  data_dir_ = dir_ + "/data";
  sock_dir_ = dir_ + "/sock";
  try {
    fs::create_directory(sock_dir_);
    if (as_postgres_) {
      const passwd* pw = getpwnam("postgres");
      if (!pw) throw std::runtime_error("running as root but there is no `postgres` user");
      if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0 ||
          chown(sock_dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
        throw std::runtime_error("cannot chown " + dir_ + " to postgres");
    }

    // The watchdog is a shell that waits for "done" from us; if it reads EOF instead, this
    // process died without running the destructor (crash, ctest timeout, Ctrl-C), so it stops
    // the server and removes the dir. Its own process group keeps it out of a terminal's Ctrl-C.
    // A socketpair rather than a pipe, so that send(MSG_NOSIGNAL) cannot raise SIGPIPE.
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
      throw std::runtime_error("socketpair failed");
    std::vector<std::string> argv = {"/bin/sh",
                                     "-c",
                                     "read -r x; [ \"$x\" = done ] && exit 0; d=$1; t=$2; shift 2; "
                                     "\"$@\" stop -D \"$d\" -m immediate -w -t 30; rm -rf \"$t\"",
                                     "rb_pg_watchdog",
                                     data_dir_,
                                     dir_};
    for (auto& s : pg_command("pg_ctl")) argv.push_back(s);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addchdir_np(&fa, "/");
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    auto c_argv = c_strings(argv);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, c_argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[0]);
    if (rc != 0) {
      close(fds[1]);
      throw std::runtime_error("cannot start the pg_server watchdog");
    }
    watchdog_pid_ = pid;
    watchdog_fd_ = fds[1];

    // Local socket: trust (setup connects as postgres). TCP: scram, so the password matters.
    run_pg("initdb", {"-D", data_dir_, "-U", "postgres", "--auth-local=trust",
                      "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"});
    std::ofstream(data_dir_ + "/postgresql.conf", std::ios::app)
        << "\n# rb::test::pg_server\n"
        << "listen_addresses = '127.0.0.1'\n"
        << "unix_socket_directories = " << conf_quote(sock_dir_) << "\n"
        << "fsync = off\n"
        << "synchronous_commit = off\n"
        << "full_page_writes = off\n"
        << "max_connections = 200\n"
        << "shared_buffers = 32MB\n";  // several clusters may run at once (ctest -j)

    bool started = false;
    for (int attempt = 0; attempt < 5 && !started; ++attempt) {
      port_ = free_loopback_port();
      started = try_start();
    }
    if (!started) throw std::runtime_error("pg_server: no free port after 5 attempts");
    setup_roles();
  } catch (...) {
    cleanup();
    throw;
  }
}

pg_server::~pg_server() { cleanup(); }

std::string pg_server::dsn() const {
  return "postgresql://rb:secret@127.0.0.1:" + std::to_string(port_) + "/rb";
}

std::string pg_server::dsn_kv() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=rb password=secret dbname=rb";
}

std::vector<std::string> pg_server::pg_command(const std::string& tool) const {
  if (as_postgres_) return {find_runuser(), "-u", "postgres", "--", bin_dir_ + "/" + tool};
  return {bin_dir_ + "/" + tool};
}

std::string pg_server::run_pg(const std::string& tool, const std::vector<std::string>& args) const {
  auto argv = pg_command(tool);
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = run_command(argv);
  if (r.status != 0)
    throw std::runtime_error("pg_server: `" + join(argv) + "` failed (exit " +
                             std::to_string(r.status) + "):\n" + r.output);
  return r.output;
}

// The postmaster runs as our own child rather than daemonized by `pg_ctl start`: a daemonized
// postmaster is re-parented to PID 1, and where PID 1 does not reap (some containers) every
// stopped server would stay behind as a zombie. Readiness is polled with PQping instead of -w.
bool pg_server::try_start() {
  const auto log = log_path();
  const auto log_offset = file_size(log);
  auto argv = pg_command("postgres");
  argv.insert(argv.end(), {"-D", data_dir_, "-p", std::to_string(port_)});
  const int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("pg_server: cannot open " + log);
  pid_t pid = -1;
  const int rc = spawn_to(argv, log_fd, pid);
  close(log_fd);
  if (rc != 0)
    throw std::runtime_error("pg_server: cannot run " + join(argv) + ": " + std::strerror(rc));
  child_pid_ = pid;
  running_ = true;

  const std::string ping = "host=" + conninfo_quote(sock_dir_) + " port=" + std::to_string(port_) +
                           " user=postgres dbname=postgres connect_timeout=2";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    int status = 0;
    if (waitpid(child_pid_, &status, WNOHANG) == child_pid_) {
      child_pid_ = -1;
      running_ = false;
      const auto log_tail = read_from(log, log_offset);
      if (log_tail.find("could not bind") != std::string::npos ||
          log_tail.find("Address already in use") != std::string::npos)
        return false;
      throw std::runtime_error("pg_server: `" + join(argv) + "` exited (status " +
                               std::to_string(status) + "); server log:\n" + log_tail);
    }
    if (PQping(ping.c_str()) == PQPING_OK) return true;
    if (std::chrono::steady_clock::now() > deadline) {
      shut_down(SIGQUIT, 10);
      throw std::runtime_error("pg_server: no answer within 60 s; server log:\n" +
                               read_from(log, log_offset));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Signals the postmaster (SIGINT fast, SIGQUIT immediate shutdown) and reaps our child; falls
// back to SIGKILL after `timeout_s`.
void pg_server::shut_down(int signal, int timeout_s) {
  if (!running_) return;
  const int postmaster = pid();
  kill(postmaster > 0 ? postmaster : child_pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  bool killed = false;
  for (;;) {
    const pid_t got = waitpid(child_pid_, nullptr, WNOHANG);
    if (got == child_pid_ || (got < 0 && errno != EINTR)) break;
    if (!killed && std::chrono::steady_clock::now() > deadline) {
      if (postmaster > 0) kill(postmaster, SIGKILL);
      kill(child_pid_, SIGKILL);
      killed = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  child_pid_ = -1;
  running_ = false;
}

void pg_server::setup_roles() const {
  const std::string superuser = "host=" + conninfo_quote(sock_dir_) +
                                " port=" + std::to_string(port_) + " user=postgres dbname=postgres";
  run_sql(superuser, "CREATE ROLE rb LOGIN SUPERUSER PASSWORD 'secret'");
  run_sql(superuser, "CREATE DATABASE rb OWNER rb");
}

void pg_server::stop() { shut_down(SIGINT, 60); }

void pg_server::start() {
  if (running_) return;
  if (!try_start())
    throw std::runtime_error("pg_server: port " + std::to_string(port_) + " is taken");
}

int pg_server::pid() const {
  if (!running_) return -1;
  std::ifstream in(data_dir_ + "/postmaster.pid");
  int pid = -1;
  return (in >> pid) ? pid : -1;
}

std::vector<std::vector<std::string>> pg_server::query(const std::string& sql) const {
  return run_sql(dsn_kv() + " connect_timeout=10", sql);
}

void pg_server::cleanup() noexcept {
  shut_down(SIGQUIT, 30);
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  if (watchdog_fd_ >= 0) {
    send(watchdog_fd_, "done\n", 5, MSG_NOSIGNAL);
    close(watchdog_fd_);
    watchdog_fd_ = -1;
  }
  if (watchdog_pid_ > 0) {
    while (waitpid(watchdog_pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    watchdog_pid_ = -1;
  }
}

}  // namespace rb::test
