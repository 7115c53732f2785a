#include "actions/audit_log.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using rb::value;
using rb::actions::audit_log;

namespace {

struct temp_file {
  std::string path = std::filesystem::temp_directory_path() /
                     ("rb_audit_" + std::to_string(::getpid()) + "_" +
                      std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".jsonl");
  ~temp_file() { std::filesystem::remove(path); }
  std::string text() const {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

audit_log::action_record sample(const value* event) {
  audit_log::action_record r;
  r.action = "debug";
  r.ruleset = "rs";
  r.ruleset_uuid = "rs-uuid";
  r.rule = "rule \"quoted\"";
  r.rule_uuid = "r-uuid";
  r.rule_run_at = "2026-11-28T11:00:00.000001Z";
  r.activation_id = "act";
  r.run_at = "2026-11-28T11:00:00.000002Z";
  r.event = event;
  return r;
}

}  // namespace

TEST_CASE("an action record has ansible-rulebook's fields, in its order") {
  temp_file f;
  const value event = value::parse(R"({"i": 1, "meta": {"uuid": "u"}})");
  {
    audit_log log(f.path);
    log.append(sample(&event));
    auto failed = sample(nullptr);
    failed.ok = false;
    failed.message = "boom";
    const std::string worker = "w-1";
    failed.worker_id = &worker;
    failed.ha_epoch = 7;
    log.append(failed);
  }
  std::istringstream lines(f.text());
  std::string line;
  REQUIRE(std::getline(lines, line));
  const value first = value::parse(line);
  std::vector<std::string> keys;
  for (auto it = first.begin(); it != first.end(); ++it) keys.push_back(it.key());
  CHECK(keys == std::vector<std::string>{"type", "action", "action_uuid", "ruleset", "ruleset_uuid",
                                         "rule", "rule_uuid", "rule_run_at", "activation_id",
                                         "activation_instance_id", "run_at", "status",
                                         "matching_events"});
  CHECK(first["rule"] == "rule \"quoted\"");
  CHECK(first["status"] == "successful");
  CHECK(first["matching_events"] == value{{"m", event}});
  CHECK(first["action_uuid"].get<std::string>().size() == 36);
  REQUIRE(std::getline(lines, line));
  const value second = value::parse(line);
  CHECK(second["status"] == "failed");
  CHECK(second["message"] == "boom");
  CHECK(second["matching_events"] == value::object());
  CHECK(second["worker_id"] == "w-1");
  CHECK(second["ha_epoch"] == 7);
  CHECK_FALSE(std::getline(lines, line));
}

TEST_CASE("records are written when flushed, and the owner is asked once per batch") {
  temp_file f;
  audit_log log(f.path);
  int asked = 0;
  log.on_pending([&] { ++asked; });
  const value event = {{"i", 1}};
  log.append(sample(&event));
  log.append(sample(&event));
  CHECK(asked == 1);
  CHECK(f.text().empty());  // buffered until the end of the loop turn
  CHECK(log.flush());
  const std::string written = f.text();
  CHECK(std::count(written.begin(), written.end(), '\n') == 2);
  log.append(value{{"type", "Source"}});
  CHECK(asked == 2);
  CHECK(log.sync());
  const std::string text = f.text();
  CHECK(text.substr(text.rfind('{')) == "{\"type\":\"Source\"}\n");
}

TEST_CASE("a large burst is written without waiting for the end of the turn") {
  temp_file f;
  audit_log log(f.path);
  log.on_pending([] {});
  const value event = {{"blob", std::string(4096, 'x')}};
  for (int i = 0; i < 400; ++i) log.append(sample(&event));  // ~1.7 MB
  CHECK(f.text().size() > (1 << 20));
}

TEST_CASE("an unwritable audit log is a start-up error naming the path") {
  CHECK_THROWS_WITH(audit_log("/nonexistent-dir/audit.jsonl"),
                    doctest::Contains("/nonexistent-dir/audit.jsonl"));
}
