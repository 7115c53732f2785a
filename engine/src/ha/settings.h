// settings: what an HA worker is told (flags / EDA_HA_* variables) and every timing derived from
// them. docs/ha.md explains each derivation; keep the two in step.
//
//   P = --ha-poll-interval (default 5 s), L = --ha-lease (default 3 s)
//   confirm_interval = L / 6            the leader confirms its session this often
//   server_timeout   = L * 4 / 3        idle_session_timeout and
//   idle_in_transaction_session_timeout
//                                       of the leader's session: the server drops a frozen or
//                                       cut-off leader (and its lock) this long after it last
//                                       heard from it, always after that leader's lease ran out
//   lock_wait        = P                one blocking lock wait (lock_timeout); poll mode: the
//   period tcp_user_timeout = L                unacknowledged data fails the connection after this
//   long connect_timeout  = max(2 s, L) reconnect        = 100 ms doubling to 1 s between failed
//   connections
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace rb::ha {

enum class wait_mode { block, poll };

struct settings {
  std::string dsn;
  std::string ha_uuid;
  std::string worker_id;
  double poll_interval = 5.0;
  double lease = 3.0;
  wait_mode wait = wait_mode::block;
};

struct timings {
  std::chrono::milliseconds lease;
  std::chrono::milliseconds confirm_interval;
  std::chrono::milliseconds server_timeout;
  std::chrono::milliseconds lock_wait;
  std::chrono::milliseconds tcp_user_timeout;
  std::chrono::milliseconds connect_timeout;
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{1000};
};

timings derive_timings(const settings& s);

// The libpq keywords of every HA connection: application_name ("rulebook <worker> <role>"),
// connect_timeout, TCP keepalives, tcp_user_timeout and, last, `options` (server settings sent in
// the startup packet).
std::vector<std::pair<std::string, std::string>> connection_keywords(const settings& s,
                                                                     const timings& t,
                                                                     const std::string& role,
                                                                     const std::string& options);

// The worker id when none is given: hostname-pid.
std::string default_worker_id();

}  // namespace rb::ha
