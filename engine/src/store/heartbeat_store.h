// heartbeat_store: where heartbeats are kept (docs/monitoring.md, "Heartbeats").
//
//   sqlite:PATH                     embedded (default sqlite:heartbeats.db): WAL mode
//   postgresql://... postgres://... PostgreSQL (URI or key=value DSN): COPY batches, fenced in HA
//   host=... dbname=...
//
// submit() only queues (a mutex held for a push): one writer thread per store takes batches of
// up to batch_size rows, or what came within max_delay, and commits each in one transaction. When
// the database cannot take a batch (down, timed out, locked), the batch goes to an fsync'd spool
// file instead; the writer retries with a backoff and, once the database answers, replays the
// spool in order before any newer row. The next run replays what a previous run left. The unique
// key (datacenter, monitor_name, scheduled_at) makes replays and retries harmless.
//
// With ha_uuid (PostgreSQL only), a row is kept only if its check started inside the term of the
// epoch it carries, held by its worker, and before a later term of another worker began
// (rulebook_ha_terms).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/heartbeat.h"

namespace rb {

struct store_options {
  // "" = next to the SQLite file, or ./heartbeat-spool for PostgreSQL.
  std::string spool_dir;
  std::uint64_t spool_limit_bytes = 256ull << 20;
  std::string ha_uuid;    // "" = no HA, no fence
  std::string worker_id;  // for application_name and logs
  std::size_t batch_size = 1000;
  std::chrono::milliseconds max_delay{100};
  // Bound of every connect and statement; the store gives up on a batch (and spools it) after it.
  std::chrono::milliseconds timeout{5000};
  // Rows older than this (by scheduled_at) are deleted from time to time; 0 = keep forever.
  std::chrono::seconds retention{0};
  // How often the retention sweep runs; 0 = retention / 10, between 1 minute and 1 hour.
  std::chrono::milliseconds retention_every{0};
  // Called on the writer thread after a round of commits that inserted rows (the status page's
  // cache goes stale then). Must not block: post to your own loop.
  std::function<void()> on_written;
};

class heartbeat_store : public heartbeat_sink {
 public:
  // Starts the writer thread (it replays a spool left by a previous run first).
  virtual void start() = 0;
  // Waits until every heartbeat submitted so far is committed, refused or in the spool, and a
  // spool the database can take now is replayed; at most `timeout`. True when all that is done.
  virtual bool flush(std::chrono::milliseconds timeout) = 0;
  // Writes (or spools) what is queued, then ends the thread. Nothing queued is lost.
  virtual void stop() = 0;
  // "sqlite:/var/lib/rulebook/heartbeats.db" or "postgresql eda@db:5432/eda" (never a password).
  virtual std::string describe() const = 0;
};

// Opens the store named by `spec` and its spool (created if missing; an existing one is read to be
// replayed). Throws std::runtime_error with a clear message (passwords masked) when the spec
// cannot be used or the spool cannot be opened. Call start() to begin writing.
std::unique_ptr<heartbeat_store> open_heartbeat_store(const std::string& spec,
                                                      const store_options& options);

}  // namespace rb
