// state_store: the state of every ruleset of an HA group (facts, throttle windows), written
// through to PostgreSQL on a thread and connection of their own, fenced by the leader's term.
// An item is (ruleset, kind, key) → JSON value.
//
// Writes are queued in order from the event loop and committed in batches. Each batch is one
// transaction that first locks the group's fencing row FOR SHARE and checks (epoch, token): a
// write from a stale leader either commits before the next leader's term begins (the bump waits
// for the row lock) or is refused. A write that meets a broken connection is retried on a new one
// until it commits or is refused; nothing accepted is dropped while its term is current.
// load() reads every item of the group in write order (a new leader restores them before its
// sources start).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/leadership.h"
#include "ha/pg_conn.h"
#include "ha/settings.h"

namespace rb::ha {

struct stored_item {
  std::string ruleset;
  std::string kind;  // "fact" or "throttle"
  std::string key;
  std::string json;
};

class state_store {
 public:
  explicit state_store(settings s);
  ~state_store();
  state_store(const state_store&) = delete;
  state_store& operator=(const state_store&) = delete;

  void start();
  // Queues a write; `json` empty means delete the item.
  void put(const leadership_term& term, std::string ruleset, std::string kind, std::string key,
           std::string json);
  // Reads every item; `done` runs on the store's thread with them, or an error message.
  void load(std::function<void(std::vector<stored_item>, std::string error)> done);
  // Waits until every queued write is committed or refused, at most `timeout`. True if all done.
  bool flush(std::chrono::milliseconds timeout);
  // Ends the thread (after a flush, if you want one).
  void stop();

  std::uint64_t committed() const;
  std::uint64_t refused() const;

 private:
  struct op {
    leadership_term term;
    std::string ruleset, kind, key, json;
  };
  void run();
  bool connect();
  bool write_batch(std::vector<op>& batch);

  settings settings_;
  timings timings_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<op> queue_;
  std::vector<std::function<void(std::vector<stored_item>, std::string)>> loads_;
  bool busy_ = false;
  bool stopping_ = false;
  std::unique_ptr<pg_connection> conn_;
  std::uint64_t committed_ = 0, refused_ = 0;
};

}  // namespace rb::ha
