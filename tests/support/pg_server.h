// pg_server: a throwaway PostgreSQL cluster for tests that need the real thing (failover, stop and
// restart), started in a temp dir on a free loopback port and removed when the object dies.
#pragma once

#include <string>
#include <vector>

namespace rb::test {

// A TCP port on 127.0.0.1 that nobody listens on right now (bind to port 0, read it back).
int free_loopback_port();

class pg_server {
 public:
  // Runs initdb and starts the server; creates role `rb` (password `secret`) and database `rb`.
  // Throws std::runtime_error (with the command's output) when anything fails.
  pg_server();
  // Stops the server (immediate mode) and removes the temp dir.
  ~pg_server();
  pg_server(const pg_server&) = delete;
  pg_server& operator=(const pg_server&) = delete;

  int port() const { return port_; }
  // "postgresql://rb:secret@127.0.0.1:PORT/rb"
  std::string dsn() const;
  // "host=127.0.0.1 port=PORT user=rb password=secret dbname=rb"
  std::string dsn_kv() const;
  // The temp dir holding data/, sock/ and server.log.
  const std::string& dir() const { return dir_; }
  std::string log_path() const { return dir_ + "/server.log"; }
  bool running() const { return running_; }

  // Fast shutdown (SIGINT, as pg_ctl -m fast); waits until the server is gone.
  void stop();
  // Starts the stopped server again on the same port and data dir; waits until it accepts.
  void start();
  void restart() {
    stop();
    start();
  }
  // The postmaster's pid, or -1 when it is not running.
  int pid() const;

  // Runs `sql` as rb over TCP (password auth); rows of text columns, NULL as "". Throws on error.
  std::vector<std::vector<std::string>> query(const std::string& sql) const;
  void exec(const std::string& sql) const { query(sql); }

 private:
  std::vector<std::string> pg_command(const std::string& tool) const;
  std::string run_pg(const std::string& tool, const std::vector<std::string>& args) const;
  bool try_start();  // false when the port was taken meanwhile
  void setup_roles() const;
  void shut_down(int signal, int timeout_s);
  void cleanup() noexcept;

  std::string bin_dir_;
  std::string dir_;
  std::string data_dir_;
  std::string sock_dir_;
  int port_ = 0;
  bool running_ = false;
  int child_pid_ = -1;        // the postmaster, or the runuser that waits for it
  bool as_postgres_ = false;  // we are root: PostgreSQL tools run via `runuser -u postgres`
  int watchdog_pid_ = -1;     // cleans up if this process dies without running the destructor
  int watchdog_fd_ = -1;
};

}  // namespace rb::test
