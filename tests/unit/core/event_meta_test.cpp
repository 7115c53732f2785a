#include "core/event_meta.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "core/uuid.h"

using rb::value;

namespace {

std::string rendered(value event, rb::pending_meta m) {
  rb::render_meta(event, m);
  return event.dump();
}

std::string written(const value& event, const rb::pending_meta& m) {
  std::string out;
  rb::append_event_json(out, event, &m);
  return out;
}

}  // namespace

TEST_CASE("meta written straight into text is the meta rendered into the event") {
  const auto* src = rb::intern_event_source("web \"hook\"", "ansible.eda.webhook");
  const rb::pending_meta m = rb::meta_now(src);
  for (const char* json : {R"({"i": 1})", R"({})", R"({"a": {"b": [1, "x\n"]}, "c": null})",
                           R"({"meta": {"hosts": ["h1"]}, "i": 2})",
                           R"({"meta": {"uuid": "mine", "source": {"name": "kept"}}})",
                           R"({"meta": "not an object"})"}) {
    const value event = value::parse(json);
    INFO(json);
    CHECK(written(event, m) == rendered(event, m));
  }
  // Not pending: the event as it is.
  rb::pending_meta done;
  CHECK(written(value::parse(R"({"i": 1})"), done) == R"({"i":1})");
}

TEST_CASE("an event's uuid follows its sequence number") {
  char a[36], b[36];
  rb::uuid4_for(7, a);
  rb::uuid4_for(7, b);
  CHECK(std::string(a, 36) == std::string(b, 36));
  CHECK(a[14] == '4');                                          // version 4
  CHECK(std::string("89ab").find(a[19]) != std::string::npos);  // RFC 4122 variant
  std::set<std::string> seen;
  for (std::uint64_t n = 0; n < 100000; ++n) {
    rb::uuid4_for(n, a);
    seen.insert(std::string(a, 36));
  }
  CHECK(seen.size() == 100000);
  const auto* src = rb::intern_event_source("s", "t");
  CHECK(rb::meta_now(src).sequence != rb::meta_now(src).sequence);
}
