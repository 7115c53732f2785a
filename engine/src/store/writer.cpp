#include "store/writer.h"

#include <algorithm>
#include <unordered_map>

#include "core/clock.h"
#include "store/log.h"
#include "store/status_query.h"

namespace rb::store {

namespace {

constexpr std::chrono::milliseconds backoff_min{100};
constexpr std::chrono::milliseconds backoff_max{2000};
constexpr std::chrono::seconds reminder_every{60};
// How far back a failure streak is counted: a longer outage reports this window's failures.
constexpr std::chrono::hours streaks_window{24};

std::chrono::milliseconds purge_interval(const store_options& o) {
  if (o.retention_every.count() > 0) return o.retention_every;
  const auto tenth = std::chrono::duration_cast<std::chrono::milliseconds>(o.retention) / 10;
  return std::clamp<std::chrono::milliseconds>(tenth, std::chrono::minutes(1),
                                               std::chrono::hours(1));
}

}  // namespace

writer::writer(std::unique_ptr<backend> db, std::unique_ptr<heartbeat_spool> spool, store_options o)
    : db_(std::move(db)), spool_(std::move(spool)), opt_(std::move(o)), name_(db_->describe()) {
  if (opt_.batch_size == 0) opt_.batch_size = 1;
  stats_.spooled = spool_->pending();
  stats_.spool_bytes = spool_->bytes();
}

writer::~writer() { stop(); }

void writer::submit(heartbeat hb) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const bool first = queue_.empty();
    if (first) first_queued_ = mono::now();
    queue_.push_back(std::move(hb));
    ++submitted_;
    // The first row wakes the writer to set its deadline (max_delay from now); then it sleeps
    // until that deadline, or until a batch is full.
    wake = first || queue_.size() == opt_.batch_size;
  }
  if (wake) wake_.notify_one();
}

heartbeat_stats writer::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void writer::request_failure_streaks(const std::string& datacenter,
                                     std::function<void(failure_streaks)> done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    streaks_requests_.push_back({submitted_, datacenter, std::move(done)});
  }
  wake_.notify_one();
}

void writer::request_status_summary(std::function<void(status_summary)> done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    status_requests_.push_back(std::move(done));
  }
  wake_.notify_one();
}

void writer::start() {
  if (thread_.joinable()) return;
  if (spool_->pending() > 0)
    store_log().info("Heartbeat store {}: {} heartbeats in the spool {} will be replayed first",
                     name_, spool_->pending(), spool_->path());
  const auto now = mono::now();
  next_attempt_ = now;
  next_purge_ = now;
  thread_ = std::thread([this] { run(); });
}

bool writer::flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  const std::uint64_t mine = ++flush_asked_;
  wake_.notify_one();
  return idle_.wait_for(lock, timeout,
                        [&] { return queue_.empty() && !busy_ && flush_done_ >= mine; });
}

void writer::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_flag_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void writer::run() {
  for (;;) {
    std::vector<heartbeat> batch;
    std::vector<streaks_request> answer;  // its rows are in this batch or before it
    std::vector<std::function<void(status_summary)>> status;
    bool stopping = false;
    bool flushing = false;
    std::uint64_t flush_seen = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      for (;;) {
        const auto now = mono::now();
        if (stopping_ || queue_.size() >= opt_.batch_size || flush_asked_ != flush_done_ ||
            !streaks_requests_.empty() || !status_requests_.empty())
          break;
        if (!queue_.empty() && now >= first_queued_ + opt_.max_delay) break;
        const bool retry = spool_->pending() > 0;
        if (retry && now >= next_attempt_) break;
        const bool purge = opt_.retention.count() > 0 && !down_;
        if (purge && now >= next_purge_) break;
        auto wake = mono::time_point::max();
        if (!queue_.empty()) wake = first_queued_ + opt_.max_delay;
        if (retry) wake = std::min(wake, next_attempt_);
        if (purge) wake = std::min(wake, next_purge_);
        if (wake == mono::time_point::max())
          wake_.wait(lock);
        else
          wake_.wait_until(lock, wake);
      }
      std::size_t n = std::min(queue_.size(), opt_.batch_size);
      // The batch ends where the next streaks request stands: its answer must not count the rows
      // submitted after it (their checks are counted by the caller).
      if (!streaks_requests_.empty())
        n = std::min<std::size_t>(n, streaks_requests_.front().after - taken_);
      batch.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      taken_ += n;
      while (!streaks_requests_.empty() && streaks_requests_.front().after <= taken_) {
        answer.push_back(std::move(streaks_requests_.front()));
        streaks_requests_.pop_front();
      }
      status.swap(status_requests_);
      stopping = stopping_;
      flush_seen = flush_asked_;
      flushing = flush_seen != flush_done_;
      busy_ = true;
    }
    process(batch, stopping, flushing);
    // On the way out nobody waits for an answer (the loop is ending): the requests are dropped.
    if (!answer.empty() && !stopping) {
      // One read per datacenter asked for.
      std::unordered_map<std::string, failure_streaks> read;
      for (auto& r : answer) {
        auto it = read.find(r.datacenter);
        if (it == read.end()) it = read.emplace(r.datacenter, read_streaks(r.datacenter)).first;
        r.done(it->second);
      }
    }
    if (!status.empty() && !stopping) {
      status_summary s = read_status();
      for (auto& done : status) done(s);
    }
    // After the summary above: a caller that asks again on this call gets these rows.
    if (wrote_ && opt_.on_written) opt_.on_written();
    wrote_ = false;
    bool done = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      busy_ = false;
      flush_done_ = std::max(flush_done_, flush_seen);
      done = stopping && queue_.empty();
    }
    idle_.notify_all();
    if (done) break;
  }
}

void writer::process(std::vector<heartbeat>& batch, bool stopping, bool flushing) {
  // On the way out, never wait for a connection: what cannot be written now is spooled.
  const bool may_try =
      stopping ? db_->connected() : (!down_ || flushing || mono::now() >= next_attempt_);
  if (spool_->pending() > 0 && may_try && !stopping) replay();
  if (!batch.empty()) {
    if (spool_->pending() > 0 || !may_try) {
      to_spool(batch, 0);
    } else {
      std::size_t done = 0;
      if (!commit(batch, done)) to_spool(batch, done);
    }
  }
  if (!stopping) maybe_purge();
}

failure_streaks writer::read_streaks(const std::string& datacenter) {
  failure_streaks s;
  if (!ready_to_read(s.error)) return s;
  // Spooled rows are older than the request: they go in first so that the answer counts them.
  if (spool_->pending() > 0 && !replay()) {
    s.error = "the spool could not be replayed: " + last_error_;
    return s;
  }
  auto window = std::chrono::duration_cast<std::chrono::microseconds>(streaks_window);
  if (opt_.retention.count() > 0)
    window =
        std::min(window, std::chrono::duration_cast<std::chrono::microseconds>(opt_.retention));
  const auto began = mono::now();
  if (!db_->read_streaks(utc_now_us() - window.count(), datacenter, s)) {
    store_log().warn("Heartbeat store {}: cannot read the failure streaks: {}", name_, s.error);
    return s;
  }
  store_log().debug("Heartbeat store {}: {} failure streaks read in {:.1f} ms", name_,
                    s.failures.size(),
                    std::chrono::duration<double, std::milli>(mono::now() - began).count());
  return s;
}

status_summary writer::read_status() {
  status_summary s;
  if (!ready_to_read(s.error)) return s;
  const auto began = mono::now();
  s = read_status_summary(*db_, utc_now_us());
  s.took_ms = std::chrono::duration<double, std::milli>(mono::now() - began).count();
  if (!s.error.empty()) {
    store_log().warn("Heartbeat store {}: cannot read the status summary: {}", name_, s.error);
    return s;
  }
  store_log().debug("Heartbeat store {}: status of {} monitors read in {:.1f} ms", name_,
                    s.monitors.size(), s.took_ms);
  return s;
}

bool writer::ready_to_read(std::string& error) {
  // Inside an outage's backoff the database is not asked again: the caller goes on without it.
  if (down_ && mono::now() < next_attempt_) {
    error = "the database is not available: " + last_error_;
    return false;
  }
  if (db_->connected() || db_->connect(error)) return true;
  failed(nullptr, error);
  return false;
}

bool writer::replay() {
  std::uint64_t replayed = 0;
  while (spool_->pending() > 0) {
    if (stop_flag_) return false;  // the next run goes on from the front (the key dedups)
    std::vector<heartbeat> rows;
    std::uint64_t bad = 0;
    std::string error;
    if (!spool_->read(opt_.batch_size, rows, bad, error)) {
      store_log().error("Heartbeat store {}: {}", name_, error);
      failed(nullptr, error);
      return false;
    }
    if (bad > 0) {
      store_log().error("Heartbeat store {}: {} unreadable lines in the spool {} skipped", name_,
                        bad, spool_->path());
      std::lock_guard<std::mutex> lock(mutex_);
      stats_.dropped += bad;
    }
    std::size_t done = 0;
    if (!rows.empty() && !commit(rows, done)) return false;
    spool_->advance();
    replayed += rows.size();
    publish_spool();
    if (rows.empty() && bad == 0) break;
  }
  std::string error;
  if (!spool_->clear(error)) store_log().error("Heartbeat store {}: {}", name_, error);
  full_logged_ = false;
  publish_spool();
  if (replayed > 0)
    store_log().info("Heartbeat store {}: replayed {} spooled heartbeats", name_, replayed);
  return true;
}

// Commits `rows` in one transaction; rows the database refuses as data (a bad value) are retried
// one by one so that one bad row cannot hold the others back forever. `done`: rows handled from
// the front when it returns false.
bool writer::commit(const std::vector<heartbeat>& rows, std::size_t& done) {
  done = 0;
  std::string error;
  if (!db_->connected() && !db_->connect(error)) {
    failed(&rows.front(), error);
    return false;
  }
  const auto began = mono::now();
  write_result r = db_->write(rows);
  if (!r.ok && r.data) return commit_one_by_one(rows, done);
  if (!r.ok) {
    failed(&rows.front(), r.error);
    return false;
  }
  recovered();
  account(rows, r);
  done = rows.size();
  const auto ms = std::chrono::duration<double, std::milli>(mono::now() - began).count();
  store_log().debug("Heartbeat store {}: {} inserted, {} duplicates, {} refused in {:.1f} ms",
                    name_, r.inserted.size(), r.duplicates, r.rejected, ms);
  return true;
}

bool writer::commit_one_by_one(const std::vector<heartbeat>& rows, std::size_t& done) {
  for (done = 0; done < rows.size(); ++done) {
    std::vector<heartbeat> one{rows[done]};
    write_result r = db_->write(one);
    if (r.ok) {
      account(one, r);
      continue;
    }
    if (!r.data) {
      failed(&rows[done], r.error);
      return false;
    }
    store_log().error("Heartbeat for monitor {} dropped: the database refuses it: {}",
                      monitor_label(rows[done]), r.error);
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.dropped;
  }
  recovered();
  return true;
}

void writer::account(const std::vector<heartbeat>& rows, const write_result& r) {
  if (store_log().should_log(spdlog::level::debug)) {
    for (std::size_t i : r.inserted)
      store_log().debug("Heartbeat inserted for monitor {}", monitor_label(rows[i]));
  }
  if (r.rejected > 0)
    store_log().warn(
        "Heartbeat store {}: {} heartbeats refused by the HA fence (their check did not start "
        "inside their worker's term)",
        name_, r.rejected);
  if (!r.inserted.empty()) wrote_ = true;
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.written += r.inserted.size();
  stats_.duplicates += r.duplicates;
  stats_.rejected += r.rejected;
}

void writer::to_spool(const std::vector<heartbeat>& batch, std::size_t from) {
  if (from >= batch.size()) return;
  std::string error;
  const std::size_t n = spool_->append(batch, from, error);
  const std::size_t lost = batch.size() - from - n;
  outage_spooled_ += n;
  if (lost > 0) {
    if (!error.empty()) {
      store_log().error("Heartbeat store {}: {}: {} heartbeats lost", name_, error, lost);
    } else if (!full_logged_) {
      full_logged_ = true;
      store_log().error(
          "Heartbeat store {}: the spool {} is full ({} bytes, limit {}): heartbeats are dropped "
          "until the database is back",
          name_, spool_->path(), spool_->bytes(), opt_.spool_limit_bytes);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.dropped += lost;
  }
  publish_spool();
}

void writer::failed(const heartbeat* first, const std::string& reason) {
  const auto now = mono::now();
  down_ = true;
  last_error_ = reason;
  next_attempt_ = now + backoff_;
  backoff_ = std::min(backoff_ * 2, backoff_max);
  if (!outage_logged_) {
    outage_logged_ = true;
    next_reminder_ = now + reminder_every;
    outage_spooled_ = 0;
    if (first)
      store_log().warn("Failed to save heartbeat for monitor {}: {} (spooled)",
                       monitor_label(*first), reason);
    else
      store_log().warn("Heartbeat store {}: {} (heartbeats are spooled)", name_, reason);
  } else if (now >= next_reminder_) {
    next_reminder_ = now + reminder_every;
    store_log().warn(
        "Heartbeat store {} still failing: {}; {} heartbeats spooled in this outage, {} in the "
        "spool ({} bytes)",
        name_, reason, outage_spooled_, spool_->pending(), spool_->bytes());
  }
}

void writer::recovered() {
  if (down_ && outage_logged_)
    store_log().info("Heartbeat store {} is writing again ({} heartbeats were spooled)", name_,
                     outage_spooled_);
  down_ = false;
  outage_logged_ = false;
  backoff_ = backoff_min;
}

void writer::maybe_purge() {
  if (opt_.retention.count() <= 0 || down_) return;
  const auto now = mono::now();
  if (now < next_purge_) return;
  next_purge_ = now + purge_interval(opt_);
  std::string error;
  if (!db_->connected() && !db_->connect(error)) return;  // the next batch reports the outage
  const std::int64_t cutoff =
      utc_now_us() - std::chrono::duration_cast<std::chrono::microseconds>(opt_.retention).count();
  const std::int64_t n = db_->purge(cutoff, error);
  if (n < 0)
    store_log().warn("Heartbeat store {}: retention sweep failed: {}", name_, error);
  else if (n > 0)
    store_log().info("Heartbeat store {}: deleted {} heartbeats scheduled before {}", name_, n,
                     utc_iso_ms(cutoff));
}

void writer::publish_spool() {
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.spooled = spool_->pending();
  stats_.spool_bytes = spool_->bytes();
}

}  // namespace rb::store
