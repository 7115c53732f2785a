// pg_conn: one libpq connection with RAII and deadlines. Every wait (connect, query) is bounded by
// a monotonic deadline and can be interrupted through a file descriptor (the owner's stop pipe),
// so the HA threads never block forever on a cut or frozen link. After a timeout or an interrupt
// the connection is broken on purpose: the caller closes it and never reuses it (a reply that
// arrives later must not be mistaken for the answer to the next query).
//
// libpq is used directly (libpqxx is built on it) because the elector needs asynchronous sends,
// poll() with deadlines and the raw socket, which libpqxx 6 does not expose.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct pg_conn;  // libpq's PGconn

namespace rb::ha {

using mono = std::chrono::steady_clock;

struct query_outcome {
  enum class kind { ok, error, timeout, broken, interrupted };
  kind status = kind::broken;
  std::vector<std::vector<std::string>> rows;  // text values; NULL as empty
  std::string error;                           // for error and broken
  std::string sqlstate;                        // for error
  bool ok() const noexcept { return status == kind::ok; }
};

class pg_connection {
 public:
  ~pg_connection();
  pg_connection(const pg_connection&) = delete;
  pg_connection& operator=(const pg_connection&) = delete;

  // Connects with `dsn` (URI or key=value) and the `extra` keywords added to it (they win over
  // the DSN's own). Returns null and sets `error` (passwords masked) on failure, timeout or
  // interrupt.
  static std::unique_ptr<pg_connection> connect(
      const std::string& dsn, const std::vector<std::pair<std::string, std::string>>& extra,
      mono::time_point deadline, int interrupt_fd, std::string& error);

  // Runs one statement (with $1.. text parameters when `params` is not empty; several
  // statements allowed without parameters) and waits for all its results.
  query_outcome query(const std::string& sql, const std::vector<std::string>& params,
                      mono::time_point deadline, int interrupt_fd = -1);

  // Runs `copy_sql` (a COPY ... FROM STDIN) and sends `data` (COPY text format) as its input, in
  // chunks, each send bounded by the deadline like query().
  query_outcome copy_in(const std::string& copy_sql, std::string_view data,
                        mono::time_point deadline, int interrupt_fd = -1);

  // Waits until the server sends something (a notification, an error before termination) or
  // the deadline or the interrupt; returns false when the connection is broken.
  enum class wait_result { timeout, input, interrupted, broken };
  wait_result wait_input(mono::time_point deadline, int interrupt_fd);
  // Channels of the notifications received so far (drained).
  std::vector<std::string> take_notifications();

  bool healthy() const noexcept;
  int backend_pid() const noexcept;
  int server_version() const noexcept;
  std::string error_message() const;

 private:
  pg_connection(::pg_conn* c, std::string password) : conn_(c), password_(std::move(password)) {}
  std::string masked(std::string text) const;
  query_outcome send_and_collect(bool sent, mono::time_point deadline, int interrupt_fd,
                                 std::string_view copy_data);
  ::pg_conn* conn_;
  std::string password_;
  std::vector<std::string> pending_;  // notifications read by wait_input
};

// "user@host:port/dbname" for logs: never the password. "(unparsable DSN)" when libpq cannot
// parse it.
std::string describe_dsn(const std::string& dsn);
// Checks that libpq can parse `dsn`; returns the reason (passwords masked) when it cannot.
std::string dsn_problem(const std::string& dsn);
// Replaces every occurrence of `secret` in `text` with ****; also any `password=...` and the
// password part of `scheme://user:password@`.
std::string mask_secret(std::string text, const std::string& secret);

}  // namespace rb::ha
