#include "support/sqlite_rows.h"

#include <sqlite3.h>

#include <memory>
#include <stdexcept>

namespace rb::test {

std::vector<std::vector<std::string>> sqlite_rows(const std::string& path, const std::string& sql) {
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  if (opened != SQLITE_OK)
    throw std::runtime_error("sqlite_rows: cannot open " + path + ": " + sqlite3_errmsg(raw));
  sqlite3_stmt* st_raw = nullptr;
  if (sqlite3_prepare_v2(raw, sql.c_str(), -1, &st_raw, nullptr) != SQLITE_OK)
    throw std::runtime_error("sqlite_rows: " + sql + ": " + sqlite3_errmsg(raw));
  const std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> st(st_raw, &sqlite3_finalize);
  std::vector<std::vector<std::string>> out;
  while (sqlite3_step(st_raw) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(st_raw); ++i) {
      const auto* t = sqlite3_column_text(st_raw, i);
      row.emplace_back(t ? reinterpret_cast<const char*>(t) : "NULL");
    }
    out.push_back(std::move(row));
  }
  return out;
}

void sqlite_exec(const std::string& path, const std::string& sql) {
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(path.c_str(), &raw,
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, sqlite3_close_v2);
  if (opened != SQLITE_OK)
    throw std::runtime_error("sqlite_exec: cannot open " + path + ": " + sqlite3_errmsg(raw));
  char* msg = nullptr;
  if (sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
    const std::string why = msg ? msg : "unknown error";
    sqlite3_free(msg);
    throw std::runtime_error("sqlite_exec: " + why);
  }
}

}  // namespace rb::test
