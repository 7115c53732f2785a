#include "store/spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace rb::store {

namespace {

std::string errno_text() { return std::strerror(errno); }

bool write_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// The directory entry of a new file is durable only once its directory is synced.
void sync_dir(const std::string& dir) {
  unique_fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.get() >= 0) ::fsync(d.get());
}

template <class T>
void put_opt(nlohmann::json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

void put_text(nlohmann::json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}

}  // namespace

unique_fd::~unique_fd() {
  if (fd_ >= 0) ::close(fd_);
}

unique_fd& unique_fd::operator=(unique_fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

std::string encode_heartbeat(const heartbeat& hb) {
  nlohmann::json j = nlohmann::json::object();
  put_opt(j, "monitor_id", hb.monitor_id);
  j["monitor_name"] = hb.monitor_name;
  put_text(j, "url", hb.url);
  j["worker_id"] = hb.worker_id;
  put_text(j, "datacenter", hb.datacenter);
  put_text(j, "region", hb.region);
  j["scheduled_at_us"] = hb.scheduled_at_us;
  j["started_at_us"] = hb.started_at_us;
  j["success"] = hb.success;
  put_opt(j, "status_code", hb.status_code);
  j["dns_ms"] = hb.dns_ms;
  j["connect_ms"] = hb.connect_ms;
  j["tls_ms"] = hb.tls_ms;
  j["ttfb_ms"] = hb.ttfb_ms;
  j["transfer_ms"] = hb.transfer_ms;
  j["total_ms"] = hb.total_ms;
  j["response_bytes"] = hb.response_bytes;
  put_opt(j, "cert_expires_at", hb.cert_expires_at);
  j["failed_conditions"] = hb.failed_conditions;
  put_text(j, "error", hb.error);
  put_opt(j, "ha_epoch", hb.ha_epoch);
  // Never throw on bad UTF-8 from a server's error text: replace it.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool decode_heartbeat(const std::string& line, heartbeat& hb) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (!j.is_object() || !j.contains("monitor_name") || !j.contains("scheduled_at_us")) return false;
  try {
    hb = heartbeat{};
    if (j.contains("monitor_id")) hb.monitor_id = j["monitor_id"].get<std::int64_t>();
    hb.monitor_name = j["monitor_name"].get<std::string>();
    hb.url = j.value("url", "");
    hb.worker_id = j.value("worker_id", "");
    hb.datacenter = j.value("datacenter", "");
    hb.region = j.value("region", "");
    hb.scheduled_at_us = j["scheduled_at_us"].get<std::int64_t>();
    hb.started_at_us = j.value("started_at_us", std::int64_t{0});
    hb.success = j.value("success", false);
    if (j.contains("status_code")) hb.status_code = j["status_code"].get<int>();
    // A NaN or infinity was written as null.
    auto ms = [&](const char* key) {
      auto it = j.find(key);
      return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
    };
    hb.dns_ms = ms("dns_ms");
    hb.connect_ms = ms("connect_ms");
    hb.tls_ms = ms("tls_ms");
    hb.ttfb_ms = ms("ttfb_ms");
    hb.transfer_ms = ms("transfer_ms");
    hb.total_ms = ms("total_ms");
    hb.response_bytes = j.value("response_bytes", std::int64_t{0});
    if (j.contains("cert_expires_at"))
      hb.cert_expires_at = j["cert_expires_at"].get<std::int64_t>();
    hb.failed_conditions = j.value("failed_conditions", "[]");
    hb.error = j.value("error", "");
    if (j.contains("ha_epoch")) hb.ha_epoch = j["ha_epoch"].get<std::int64_t>();
  } catch (const nlohmann::json::exception&) {
    return false;
  }
  return true;
}

heartbeat_spool::heartbeat_spool(const std::string& dir, std::uint64_t limit_bytes)
    : limit_(limit_bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error("cannot create the heartbeat spool directory " + dir + ": " +
                             ec.message());
  path_ = (std::filesystem::path(dir) / "heartbeats.spool").string();
  const bool existed = std::filesystem::exists(path_, ec);
  fd_ = unique_fd(::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (fd_.get() < 0)
    throw std::runtime_error("cannot open the heartbeat spool " + path_ + ": " + errno_text());
  if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0)
    throw std::runtime_error("the heartbeat spool " + path_ +
                             " is in use by another process (give each store its own spool "
                             "directory)");
  if (!existed) sync_dir(dir);
  // Count the lines; drop a torn last line.
  std::uint64_t last_newline_end = 0;
  char buf[1 << 16];
  std::uint64_t at = 0;
  for (;;) {
    const ssize_t n = ::pread(fd_.get(), buf, sizeof buf, static_cast<off_t>(at));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot read the heartbeat spool " + path_ + ": " + errno_text());
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        ++pending_;
        last_newline_end = at + static_cast<std::uint64_t>(i) + 1;
      }
    }
    at += static_cast<std::uint64_t>(n);
  }
  if (last_newline_end != at) {
    if (::ftruncate(fd_.get(), static_cast<off_t>(last_newline_end)) != 0)
      throw std::runtime_error("cannot repair the heartbeat spool " + path_ + ": " + errno_text());
    ::fdatasync(fd_.get());
  }
  size_ = last_newline_end;
}

std::size_t heartbeat_spool::append(const std::vector<heartbeat>& batch, std::size_t from,
                                    std::string& error) {
  std::string text;
  std::size_t n = 0;
  for (std::size_t i = from; i < batch.size(); ++i) {
    std::string line = encode_heartbeat(batch[i]);
    line += '\n';
    if (size_ + text.size() + line.size() > limit_) break;  // keep order: nothing after it either
    text += line;
    ++n;
  }
  if (n == 0) return 0;
  if (!write_all(fd_.get(), text.data(), text.size()) || ::fdatasync(fd_.get()) != 0) {
    error = "cannot write the heartbeat spool " + path_ + ": " + errno_text();
    // Take back a partial write so that the file holds whole lines only.
    (void)!::ftruncate(fd_.get(), static_cast<off_t>(size_));
    return 0;
  }
  size_ += text.size();
  pending_ += n;
  return n;
}

bool heartbeat_spool::read(std::size_t max, std::vector<heartbeat>& out, std::uint64_t& bad,
                           std::string& error) {
  next_pos_ = read_pos_;
  next_lines_ = 0;
  std::string line;
  char buf[1 << 16];
  while (out.size() < max && next_pos_ + line.size() < size_) {
    const std::uint64_t at = next_pos_ + line.size();
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(sizeof buf, size_ - at));
    const ssize_t n = ::pread(fd_.get(), buf, want, static_cast<off_t>(at));
    if (n < 0) {
      if (errno == EINTR) continue;
      error = "cannot read the heartbeat spool " + path_ + ": " + errno_text();
      return false;
    }
    if (n == 0) break;
    ssize_t start = 0;
    for (ssize_t i = 0; i < n && out.size() < max; ++i) {
      if (buf[i] != '\n') continue;
      line.append(buf + start, static_cast<std::size_t>(i - start));
      next_pos_ += line.size() + 1;
      ++next_lines_;
      heartbeat hb;
      if (decode_heartbeat(line, hb))
        out.push_back(std::move(hb));
      else
        ++bad;
      line.clear();
      start = i + 1;
    }
    if (out.size() < max) line.append(buf + start, static_cast<std::size_t>(n - start));
  }
  return true;
}

void heartbeat_spool::advance() {
  read_pos_ = next_pos_;
  pending_ -= std::min(pending_, next_lines_);
  next_lines_ = 0;
}

bool heartbeat_spool::clear(std::string& error) {
  if (::ftruncate(fd_.get(), 0) != 0 || ::fdatasync(fd_.get()) != 0) {
    error = "cannot empty the heartbeat spool " + path_ + ": " + errno_text();
    return false;
  }
  size_ = read_pos_ = next_pos_ = pending_ = next_lines_ = 0;
  return true;
}

}  // namespace rb::store
