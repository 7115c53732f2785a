// backend: one database as the writer thread sees it (sqlite_backend, pg_backend). Every call is
// made on the writer thread only and returns within the store's timeout. After a failure the
// backend drops its connection; the next connect() opens a fresh one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/heartbeat.h"
#include "store/heartbeat_store.h"

namespace rb::store {

struct write_result {
  bool ok = false;    // committed (some rows may be duplicates or refused)
  bool data = false;  // not ok because of the rows themselves (the database is fine)
  std::string error;  // when not ok
  std::vector<std::size_t> inserted;  // indexes into the batch, in order
  std::uint64_t duplicates = 0;
  std::uint64_t rejected = 0;  // refused by the fence
};

class backend {
 public:
  virtual ~backend() = default;
  // Opens the connection and creates the table if needed; true when connected.
  virtual bool connect(std::string& error) = 0;
  virtual bool connected() const = 0;
  // One transaction for the whole batch.
  virtual write_result write(const std::vector<heartbeat>& batch) = 0;
  // Deletes rows scheduled before `cutoff_us`; the number deleted, or -1 with `error`.
  virtual std::int64_t purge(std::int64_t cutoff_us, std::string& error) = 0;
  // The failure streaks of `datacenter` over rows scheduled at or after `since_us` (schema.h
  // streaks_sql); false with `out.error` when the query fails.
  virtual bool read_streaks(std::int64_t since_us, const std::string& datacenter,
                            failure_streaks& out) = 0;
  // Runs one query the store built (status_query.cpp; no parameters) and returns its rows as
  // text, NULL as "" (booleans are selected as 0/1); false with `error` when it fails.
  virtual bool query_rows(const std::string& sql, std::vector<std::vector<std::string>>& rows,
                          std::string& error) = 0;
  virtual bool postgres() const = 0;
  virtual std::string describe() const = 0;
};

std::unique_ptr<backend> make_sqlite_backend(const std::string& path, const store_options& o);
// `dsn` has been checked by the factory.
std::unique_ptr<backend> make_pg_backend(const std::string& dsn, const store_options& o);

}  // namespace rb::store
