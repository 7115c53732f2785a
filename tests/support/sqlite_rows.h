// sqlite_rows: what a test reads back from an SQLite file (heartbeats), as text.
#pragma once

#include <string>
#include <vector>

namespace rb::test {

// Runs `sql` on the file, read-only; every value as text, NULL as "NULL". Throws
// std::runtime_error (with SQLite's message) when the file or the query cannot be used.
std::vector<std::vector<std::string>> sqlite_rows(const std::string& path, const std::string& sql);
// Runs `sql` (several statements allowed) read-write, creating the file; throws on error.
void sqlite_exec(const std::string& path, const std::string& sql);

}  // namespace rb::test
