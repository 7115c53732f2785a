#include "filters/dpath.h"

#include <doctest/doctest.h>

#include <stdexcept>

using rb::value;
using rb::filters::dpath_glob;

namespace {
// "0" when nothing matches, "many" for more than one match, else the match as JSON.
std::string get(const char* doc, const char* path, const char* sep = ".") {
  value v = value::parse(doc);
  const auto r = dpath_glob(path, sep).find(v);
  if (r.count == 0) return "0";
  if (r.count > 1) return "many";
  return r.found->dump();
}
}  // namespace

// Expected values are what dpath.get(doc, path, separator=sep) returns (2.2.0).
TEST_CASE("dpath: plain paths through mappings and lists") {
  const char* doc = R"({"a": {"b": [10, {"c": "x"}], "1": "key one"}, "x.y": 5})";
  CHECK(get(doc, "a.b.1.c") == R"("x")");
  CHECK(get(doc, "a.b.-1.c") == R"("x")");
  CHECK(get(doc, "a.b.-2") == "10");
  CHECK(get(doc, "a.b.01") == R"({"c":"x"})");  // int("01") == 1
  CHECK(get(doc, "a.b. 0") == "10");            // int(" 0") == 0
  CHECK(get(doc, "a.b.2") == "0");
  CHECK(get(doc, "a.b.-3") == "0");
  CHECK(get(doc, "a.b.x") == "0");
  CHECK(get(doc, "a.1") == R"("key one")");
  CHECK(get(doc, "a.01") == "0");  // mapping keys compare as text
  CHECK(get(doc, "a.b.1.c.d") == "0");
  CHECK(get(doc, "a") == R"({"b":[10,{"c":"x"}],"1":"key one"})");
  CHECK(get(doc, ".a.b.0") == "10");  // leading separators are stripped
  CHECK(get(doc, "x.y") == "0");      // the separator always splits
  CHECK(get(doc, "x.y", "/") == "5");
  CHECK(get(doc, "a::b::0", "::") == "10");
  CHECK(get(doc, "") == get(doc, "/"));  // the root itself
  CHECK(get(doc, "/") == value::parse(doc).dump());
}

TEST_CASE("dpath: glob segments") {
  const char* doc = R"({"app": {"target": "t1"}, "b": {"target": "t2", "l": [{"h": 1}]}})";
  CHECK(get(doc, "a*.target") == R"("t1")");
  CHECK(get(doc, "*.target") == "many");
  CHECK(get(doc, "?.target") == R"("t2")");
  CHECK(get(doc, "b.l.*.h") == "1");
  CHECK(get(doc, "b.l.[0-3].h") == "1");
  CHECK(get(doc, "**.h") == "1");
  CHECK(get(doc, "**.nothing") == "0");
  CHECK(get(doc, "app.**") == "many");  // app itself and app.target
  CHECK(get(R"({"a": 1})", "a.**") == "1");
  CHECK(get(R"({"a": {"b": {"c": 1}}})", "a.**.c") == "1");
  CHECK(get(R"({"a": {"c": 1}})", "a.**.c") == "1");
}

TEST_CASE("dpath: bad paths") {
  CHECK_THROWS_AS(dpath_glob("**.a.**", "."), std::invalid_argument);
  CHECK_THROWS_AS(dpath_glob("a.b", ""), std::invalid_argument);
}
