// Unit tests of the ha module that need no server: the lock id, the derived timings, DSN masking
// and fact keys. The election itself is tested against a real PostgreSQL in tests/ha.
#include <doctest/doctest.h>

#include <cstdio>

#include "core/canonical.h"
#include "ha/lock_id.h"
#include "ha/pg_conn.h"
#include "ha/schema.h"
#include "ha/settings.h"

using namespace rb;

namespace {
std::string hex(const std::array<std::uint8_t, 32>& d) {
  std::string out;
  char buf[3];
  for (auto b : d) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}
}  // namespace

TEST_CASE("sha256 matches the standard test vectors") {
  CHECK(hex(ha::sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex(ha::sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex(ha::sha256(std::string(1000, 'a'))) ==
        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

TEST_CASE("lock id: first 8 bytes of SHA-256 of the uuid, big-endian, signed") {
  CHECK(ha::lock_id("550e8400-e29b-41d4-a716-446655440000") == -6653538563903010126LL);
  CHECK(ha::lock_id("abc") == -5010229573455851542LL);
  // pg_locks shows the high and low halves as classid and objid.
  const std::int64_t k = ha::lock_id("abc");
  CHECK(ha::lock_classid(k) == std::to_string(0xba7816bfULL));
  CHECK(ha::lock_objid(k) == std::to_string(0x8f01cfeaULL));
}

TEST_CASE("timings derive from the poll interval and the lease") {
  ha::settings s;
  s.poll_interval = 5;
  s.lease = 3;
  const auto t = ha::derive_timings(s);
  CHECK(t.lease.count() == 3000);
  CHECK(t.confirm_interval.count() == 500);
  CHECK(t.server_timeout.count() == 4000);
  CHECK(t.server_timeout > t.lease);  // the server drops a silent leader after its lease ended
  CHECK(t.lock_wait.count() == 5000);
  CHECK(t.connect_timeout.count() == 3000);
}

TEST_CASE("passwords never show in DSN descriptions or masked messages") {
  CHECK(ha::describe_dsn("postgresql://eda:s3cret@db.example:5433/eda_ha") ==
        "eda@db.example:5433/eda_ha");
  CHECK(ha::describe_dsn("host=h port=1 user=u password=s3cret dbname=d") == "u@h:1/d");
  CHECK(ha::mask_secret("postgresql://eda:s3cret@h/db failed", "") ==
        "postgresql://eda:****@h/db failed");
  CHECK(ha::mask_secret("host=h password=s3cret user=u", "") == "host=h password=**** user=u");
  CHECK(ha::mask_secret("auth failed for s3cret", "s3cret") == "auth failed for ****");
  CHECK(ha::dsn_problem("postgresql://u:pw@h/db") == "");
  const std::string bad = ha::dsn_problem("postgresql://u:topsecret@h/db?nonsense=1");
  CHECK(!bad.empty());
  CHECK(bad.find("topsecret") == std::string::npos);
}

TEST_CASE("fact keys ignore meta and treat 3 and 3.0 as one value") {
  const value a = value::parse(R"({"x": 3, "y": {"z": [1, 2.0]}, "meta": {"uuid": "1"}})");
  const value b = value::parse(R"({"y": {"z": [1.0, 2]}, "x": 3.0, "meta": {"uuid": "2"}})");
  CHECK(canonical_key(a) == canonical_key(b));
  CHECK(canonical_key(a) != canonical_key(value::parse(R"({"x": "3", "y": {"z": [1, 2]}})")));
}
