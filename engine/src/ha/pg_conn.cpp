#include "ha/pg_conn.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <map>

namespace rb::ha {

namespace {

int ms_until(mono::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - mono::now());
  if (left.count() <= 0) return 0;
  return left.count() > 60'000 ? 60'000 : static_cast<int>(left.count()) + 1;
}

enum class ready { yes, timeout, interrupted, failed };

// Waits until `fd` is readable (or writable) or the deadline passes or `interrupt_fd` is readable.
ready wait_fd(int fd, bool for_write, mono::time_point deadline, int interrupt_fd) {
  for (;;) {
    pollfd fds[2];
    fds[0] = {fd, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
    fds[1] = {interrupt_fd, POLLIN, 0};
    const int n = poll(fds, interrupt_fd >= 0 ? 2 : 1, ms_until(deadline));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ready::failed;
    }
    if (interrupt_fd >= 0 && (fds[1].revents & POLLIN)) return ready::interrupted;
    if (fds[0].revents) return ready::yes;
    if (mono::now() >= deadline) return ready::timeout;
  }
}

// The DSN's keywords as libpq reads them (empty values left out); `error` when it cannot.
std::map<std::string, std::string> dsn_fields(const std::string& dsn, std::string* error) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(dsn.c_str(), &err);
  std::map<std::string, std::string> out;
  if (!opts && error) *error = err ? err : "cannot be parsed";
  if (err) PQfreemem(err);
  if (!opts) return out;
  for (auto* o = opts; o->keyword; ++o)
    if (o->val && *o->val) out[o->keyword] = o->val;
  PQconninfoFree(opts);
  return out;
}

std::string password_of(const std::string& dsn) {
  auto f = dsn_fields(dsn, nullptr);
  return f.count("password") ? f["password"] : std::string();
}

}  // namespace

std::string mask_secret(std::string text, const std::string& secret) {
  if (!secret.empty()) {
    for (std::size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + 4))
      text.replace(at, secret.size(), "****");
  }
  // key=value form
  for (std::size_t at = text.find("password="); at != std::string::npos;
       at = text.find("password=", at + 1)) {
    std::size_t start = at + 9;
    std::size_t end = start;
    if (end < text.size() && text[end] == '\'') {
      end = text.find('\'', end + 1);
      end = end == std::string::npos ? text.size() : end + 1;
    } else {
      while (end < text.size() && text[end] != ' ' && text[end] != '&' && text[end] != '"') ++end;
    }
    text.replace(start, end - start, "****");
  }
  // URI form: scheme://user:password@host
  for (std::size_t at = text.find("://"); at != std::string::npos; at = text.find("://", at + 3)) {
    const std::size_t user = at + 3;
    const std::size_t amp = text.find('@', user);
    const std::size_t colon = text.find(':', user);
    const std::size_t slash = text.find('/', user);
    if (amp == std::string::npos || colon == std::string::npos || colon > amp) continue;
    if (slash != std::string::npos && slash < amp) continue;
    text.replace(colon + 1, amp - colon - 1, "****");
  }
  return text;
}

std::string dsn_problem(const std::string& dsn) {
  std::string error;
  dsn_fields(dsn, &error);
  while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
  return mask_secret(std::move(error), password_of(dsn));
}

std::string describe_dsn(const std::string& dsn) {
  std::string error;
  auto f = dsn_fields(dsn, &error);
  if (!error.empty()) return "(unparsable DSN)";
  std::string host = f.count("host") ? f["host"] : f.count("hostaddr") ? f["hostaddr"] : "";
  std::string out;
  if (f.count("user")) out += f["user"] + "@";
  out += host.empty() ? "localhost" : host;
  if (f.count("port")) out += ":" + f["port"];
  if (f.count("dbname")) out += "/" + f["dbname"];
  return out;
}

pg_connection::~pg_connection() {
  if (conn_) PQfinish(conn_);
}

std::string pg_connection::masked(std::string text) const {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  // One line: libpq's messages wrap with newlines and tabs.
  std::string flat;
  for (char c : text) {
    if (c == '\n' || c == '\t') c = ' ';
    if (c == ' ' && !flat.empty() && flat.back() == ' ') continue;
    flat += c;
  }
  return mask_secret(std::move(flat), password_);
}

std::unique_ptr<pg_connection> pg_connection::connect(
    const std::string& dsn, const std::vector<std::pair<std::string, std::string>>& extra,
    mono::time_point deadline, int interrupt_fd, std::string& error) {
  const std::string password = password_of(dsn);
  std::vector<const char*> keys{"dbname"};
  std::vector<const char*> values{dsn.c_str()};
  for (const auto& [k, v] : extra) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  // expand_dbname = 1: the first "dbname" is the whole DSN; later keywords override it.
  PGconn* c = PQconnectStartParams(keys.data(), values.data(), 1);
  if (!c) {
    error = "out of memory";
    return nullptr;
  }
  std::unique_ptr<pg_connection> out(new pg_connection(c, password));
  if (PQstatus(c) == CONNECTION_BAD) {
    error = out->masked(PQerrorMessage(c));
    return nullptr;
  }
  PostgresPollingStatusType st = PGRES_POLLING_WRITING;
  for (;;) {
    if (st == PGRES_POLLING_OK) break;
    if (st == PGRES_POLLING_FAILED) {
      error = out->masked(PQerrorMessage(c));
      return nullptr;
    }
    const ready r = wait_fd(PQsocket(c), st == PGRES_POLLING_WRITING, deadline, interrupt_fd);
    if (r == ready::timeout) {
      error = "connection timed out";
      return nullptr;
    }
    if (r == ready::interrupted) {
      error = "interrupted";
      return nullptr;
    }
    if (r == ready::failed) {
      error = "poll failed";
      return nullptr;
    }
    st = PQconnectPoll(c);
  }
  // Server notices (and the FATAL of a terminated session) come back as errors or a closed
  // connection; libpq would print them to stderr.
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  if (PQsetnonblocking(c, 1) != 0) {
    error = out->masked(PQerrorMessage(c));
    return nullptr;
  }
  return out;
}

bool pg_connection::healthy() const noexcept { return conn_ && PQstatus(conn_) == CONNECTION_OK; }
int pg_connection::backend_pid() const noexcept { return conn_ ? PQbackendPID(conn_) : 0; }
int pg_connection::server_version() const noexcept { return conn_ ? PQserverVersion(conn_) : 0; }
std::string pg_connection::error_message() const {
  return conn_ ? masked(PQerrorMessage(conn_)) : std::string("no connection");
}

query_outcome pg_connection::query(const std::string& sql, const std::vector<std::string>& params,
                                   mono::time_point deadline, int interrupt_fd) {
  if (!healthy()) {
    query_outcome out;
    out.error = "connection is not open";
    return out;
  }
  int sent = 0;
  if (params.empty()) {
    sent = PQsendQuery(conn_, sql.c_str());
  } else {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    sent = PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                             values.data(), nullptr, nullptr, 0);
  }
  return send_and_collect(sent != 0, deadline, interrupt_fd, {});
}

query_outcome pg_connection::copy_in(const std::string& copy_sql, std::string_view data,
                                     mono::time_point deadline, int interrupt_fd) {
  if (!healthy()) {
    query_outcome out;
    out.error = "connection is not open";
    return out;
  }
  return send_and_collect(PQsendQuery(conn_, copy_sql.c_str()) != 0, deadline, interrupt_fd, data);
}

query_outcome pg_connection::send_and_collect(bool sent, mono::time_point deadline,
                                              int interrupt_fd, std::string_view copy_data) {
  query_outcome out;
  if (!sent) {
    out.error = error_message();
    return out;
  }
  auto give_up = [&](ready r, const char* what) {
    out.status =
        r == ready::interrupted ? query_outcome::kind::interrupted : query_outcome::kind::timeout;
    out.error = r == ready::interrupted ? std::string("interrupted") : std::string(what);
    return out;
  };
  // Pushes libpq's output buffer to the socket; false (with `out` set) on failure.
  auto flush_out = [&]() -> bool {
    for (;;) {
      const int f = PQflush(conn_);
      if (f == 0) return true;
      if (f < 0) {
        out.error = error_message();
        return false;
      }
      const ready r = wait_fd(PQsocket(conn_), true, deadline, interrupt_fd);
      if (r != ready::yes) {
        give_up(r, "timed out sending to the server");
        return false;
      }
    }
  };
  if (!flush_out()) return out;
  bool failed = false;
  for (;;) {
    while (PQisBusy(conn_)) {
      const ready r = wait_fd(PQsocket(conn_), false, deadline, interrupt_fd);
      if (r != ready::yes) return give_up(r, "timed out waiting for the server");
      if (!PQconsumeInput(conn_)) {
        out.error = error_message();
        out.status = query_outcome::kind::broken;
        return out;
      }
    }
    PGresult* res = PQgetResult(conn_);
    if (!res) break;
    const ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COPY_IN) {
      PQclear(res);
      // Chunks keep libpq's buffer small; a full socket means wait until it drains.
      constexpr std::size_t chunk = 256 * 1024;
      for (std::size_t at = 0; at < copy_data.size();) {
        const std::size_t n = std::min(chunk, copy_data.size() - at);
        const int put = PQputCopyData(conn_, copy_data.data() + at, static_cast<int>(n));
        if (put < 0) {
          out.error = error_message();
          return out;
        }
        if (put == 1) at += n;
        if (!flush_out()) return out;
      }
      for (;;) {
        const int end = PQputCopyEnd(conn_, nullptr);
        if (end < 0) {
          out.error = error_message();
          return out;
        }
        if (!flush_out()) return out;
        if (end == 1) break;
      }
      continue;
    }
    if (st == PGRES_TUPLES_OK) {
      const int nrows = PQntuples(res);
      const int ncols = PQnfields(res);
      for (int i = 0; i < nrows; ++i) {
        std::vector<std::string> row;
        for (int j = 0; j < ncols; ++j) {
          row.emplace_back(PQgetvalue(res, i, j), PQgetlength(res, i, j));
        }
        out.rows.push_back(std::move(row));
      }
    } else if (st != PGRES_COMMAND_OK && st != PGRES_EMPTY_QUERY) {
      if (!failed) {
        failed = true;
        out.error = masked(PQresultErrorMessage(res));
        const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        out.sqlstate = state ? state : "";
      }
    }
    PQclear(res);
  }
  if (failed) {
    out.status = healthy() ? query_outcome::kind::error : query_outcome::kind::broken;
  } else if (!healthy()) {
    out.status = query_outcome::kind::broken;
    out.error = error_message();
  } else {
    out.status = query_outcome::kind::ok;
  }
  return out;
}

pg_connection::wait_result pg_connection::wait_input(mono::time_point deadline, int interrupt_fd) {
  if (!healthy()) return wait_result::broken;
  // Notifications may already be buffered.
  if (!PQconsumeInput(conn_)) return wait_result::broken;
  if (PGnotify* n = PQnotifies(conn_)) {
    // Put it back is impossible; remember it.
    pending_.push_back(n->relname);
    PQfreemem(n);
    return wait_result::input;
  }
  const ready r = wait_fd(PQsocket(conn_), false, deadline, interrupt_fd);
  if (r == ready::timeout) return wait_result::timeout;
  if (r == ready::interrupted) return wait_result::interrupted;
  if (r == ready::failed) return wait_result::broken;
  if (!PQconsumeInput(conn_) || !healthy()) return wait_result::broken;
  return wait_result::input;
}

std::vector<std::string> pg_connection::take_notifications() {
  std::vector<std::string> out = std::move(pending_);
  pending_.clear();
  if (!conn_) return out;
  PQconsumeInput(conn_);
  while (PGnotify* n = PQnotifies(conn_)) {
    out.emplace_back(n->relname);
    PQfreemem(n);
  }
  return out;
}

}  // namespace rb::ha
