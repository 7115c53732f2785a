// spool: the on-disk queue of heartbeats the database could not take yet. One file,
// DIR/heartbeats.spool, one JSON object per line, append-only, fdatasync'd after each append, and
// bounded: what does not fit under the limit is refused (the caller counts it as dropped).
//
// Replay reads it from the front in batches; advance() moves past a batch once it is committed,
// clear() empties the file when all of it is. The file is locked (flock) so that two stores never
// share one spool. A line cut short by a crash (no trailing newline) is removed at open: it was
// never acknowledged as written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/heartbeat.h"

namespace rb::store {

// RAII for a file descriptor.
class unique_fd {
 public:
  unique_fd() = default;
  explicit unique_fd(int fd) : fd_(fd) {}
  ~unique_fd();
  unique_fd(unique_fd&& o) noexcept : fd_(o.release()) {}
  unique_fd& operator=(unique_fd&& o) noexcept;
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  int get() const noexcept { return fd_; }
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// One heartbeat as one spool line (no newline) and back; decode returns false for a bad line.
std::string encode_heartbeat(const heartbeat& hb);
bool decode_heartbeat(const std::string& line, heartbeat& hb);

class heartbeat_spool {
 public:
  // Creates the directory and the file if needed, locks it and counts the lines it holds. Throws
  // std::runtime_error when it cannot (including: another process holds it).
  heartbeat_spool(const std::string& dir, std::uint64_t limit_bytes);
  heartbeat_spool(const heartbeat_spool&) = delete;
  heartbeat_spool& operator=(const heartbeat_spool&) = delete;

  // Appends heartbeats from batch[from] on, as many as fit under the limit, then syncs. Returns
  // how many were written; `error` is set when the disk refused (nothing of this call is kept).
  std::size_t append(const std::vector<heartbeat>& batch, std::size_t from, std::string& error);

  // Reads up to `max` heartbeats from the replay position into `out` (lines that cannot be read
  // are skipped and counted in `bad`). False with `error` on an I/O error.
  bool read(std::size_t max, std::vector<heartbeat>& out, std::uint64_t& bad, std::string& error);
  // The last read() batch is committed: the replay position moves past it.
  void advance();
  // Everything is replayed: empties the file.
  bool clear(std::string& error);

  std::uint64_t pending() const noexcept { return pending_; }  // lines after the replay position
  std::uint64_t bytes() const noexcept { return size_; }       // the file's size
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  std::uint64_t limit_;
  unique_fd fd_;
  std::uint64_t size_ = 0;
  std::uint64_t pending_ = 0;
  std::uint64_t read_pos_ = 0;  // replay position (bytes)
  std::uint64_t next_pos_ = 0;  // after the last read() batch
  std::uint64_t next_lines_ = 0;
};

}  // namespace rb::store
