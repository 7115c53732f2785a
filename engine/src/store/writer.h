// writer: the heartbeat_store every backend shares. submit() queues under a mutex; the writer
// thread batches, commits through the backend, and falls back to the spool while the backend
// fails. Order is kept: while the spool holds anything, new batches go behind it, and the spool is
// replayed (front to back) before any newer row is written.
//
// Logs: each inserted row at debug ("Heartbeat inserted for monitor 12 (api-login)"), one info
// summary per batch; the first failure of an outage at warn ("Failed to save heartbeat for
// monitor ...: <reason> (spooled)"), then a reminder with counts at most once a minute, and one
// info line when the spool is replayed; a full spool at error once per outage.
//
// A failure streaks request takes its place in the queue: the writer answers it once the rows
// submitted before it are committed or spooled, after replaying the spool, and before it writes
// any row submitted after it, so the answer counts exactly the rows before it. During an outage it
// answers with an error at once (or after one connect attempt). A status summary request waits for
// nothing: it is answered after the batch in hand, from what the database has.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "store/backend.h"
#include "store/heartbeat_store.h"
#include "store/spool.h"

namespace rb::store {

class writer final : public heartbeat_store {
 public:
  writer(std::unique_ptr<backend> db, std::unique_ptr<heartbeat_spool> spool, store_options o);
  ~writer() override;

  void submit(heartbeat hb) override;
  heartbeat_stats stats() const override;
  void request_failure_streaks(const std::string& datacenter,
                               std::function<void(failure_streaks)> done) override;
  void request_status_summary(std::function<void(status_summary)> done) override;
  void start() override;
  bool flush(std::chrono::milliseconds timeout) override;
  void stop() override;
  std::string describe() const override { return db_->describe(); }

 private:
  using mono = std::chrono::steady_clock;
  struct streaks_request {
    std::uint64_t after = 0;  // rows submitted before it
    std::string datacenter;
    std::function<void(failure_streaks)> done;
  };
  void run();
  failure_streaks read_streaks(const std::string& datacenter);
  status_summary read_status();
  // Connected, or why not (an outage's backoff, a failed connect): for the read requests.
  bool ready_to_read(std::string& error);
  void process(std::vector<heartbeat>& batch, bool stopping, bool flushing);
  bool replay();
  bool commit(const std::vector<heartbeat>& rows, std::size_t& done);
  bool commit_one_by_one(const std::vector<heartbeat>& rows, std::size_t& done);
  void account(const std::vector<heartbeat>& rows, const write_result& r);
  void to_spool(const std::vector<heartbeat>& batch, std::size_t from);
  void failed(const heartbeat* first, const std::string& reason);
  void recovered();
  void maybe_purge();
  void publish_spool();

  std::unique_ptr<backend> db_;
  std::unique_ptr<heartbeat_spool> spool_;
  store_options opt_;
  std::string name_;

  mutable std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<heartbeat> queue_;
  std::uint64_t submitted_ = 0, taken_ = 0;  // rows into the queue and out of it, ever
  std::deque<streaks_request> streaks_requests_;
  std::vector<std::function<void(status_summary)>> status_requests_;
  mono::time_point first_queued_{};
  bool busy_ = false;
  bool stopping_ = false;
  std::uint64_t flush_asked_ = 0, flush_done_ = 0;
  heartbeat_stats stats_;
  std::atomic<bool> stop_flag_{false};  // read by a long replay
  std::thread thread_;

  // Writer thread only.
  bool down_ = false;
  std::string last_error_;  // of the outage, for streaks requests answered during it
  mono::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{100};
  bool outage_logged_ = false;
  mono::time_point next_reminder_{};
  std::uint64_t outage_spooled_ = 0;
  bool full_logged_ = false;
  mono::time_point next_purge_{};
  bool wrote_ = false;  // rows inserted since opt_.on_written was last called
};

}  // namespace rb::store
