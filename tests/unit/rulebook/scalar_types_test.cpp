// YAML scalar typing follows PyYAML's safe_load (YAML 1.1), as ansible-rulebook reads rulebooks.
#include <doctest/doctest.h>

#include <cmath>

#include "rulebook/yaml_scalar.h"
#include "rulebook_test_util.h"

using rb::value;
using rb::rulebook::resolve_plain_scalar;

TEST_CASE("plain scalars resolve like PyYAML") {
  CHECK(resolve_plain_scalar("") == value(nullptr));
  CHECK(resolve_plain_scalar("~") == value(nullptr));
  CHECK(resolve_plain_scalar("null") == value(nullptr));
  CHECK(resolve_plain_scalar("NULL") == value(nullptr));
  CHECK(resolve_plain_scalar("nUll") == value("nUll"));

  for (auto t : {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"}) {
    CHECK_MESSAGE(resolve_plain_scalar(t) == value(true), t);
  }
  for (auto f : {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"}) {
    CHECK_MESSAGE(resolve_plain_scalar(f) == value(false), f);
  }
  CHECK(resolve_plain_scalar("y") == value("y"));  // not a bool in PyYAML
  CHECK(resolve_plain_scalar("tRUE") == value("tRUE"));

  CHECK(resolve_plain_scalar("42").is_number_integer());
  CHECK(resolve_plain_scalar("42") == value(42));
  CHECK(resolve_plain_scalar("-7") == value(-7));
  CHECK(resolve_plain_scalar("+7") == value(7));
  CHECK(resolve_plain_scalar("1_000") == value(1000));
  CHECK(resolve_plain_scalar("0x1F") == value(31));
  CHECK(resolve_plain_scalar("017") == value(15));       // YAML 1.1 octal
  CHECK(resolve_plain_scalar("0o17") == value("0o17"));  // YAML 1.2 octal is a string here
  CHECK(resolve_plain_scalar("0b101") == value(5));
  CHECK(resolve_plain_scalar("1:30") == value(90));  // sexagesimal
  CHECK(resolve_plain_scalar("09") == value("09"));
  CHECK(resolve_plain_scalar("9223372036854775807") == value(9223372036854775807LL));
  CHECK(resolve_plain_scalar("18446744073709551615").is_number_unsigned());
  CHECK(resolve_plain_scalar("-9223372036854775808") == value(INT64_MIN));
  CHECK(resolve_plain_scalar("99999999999999999999999").is_number_float());

  CHECK(resolve_plain_scalar("1.5") == value(1.5));
  CHECK(resolve_plain_scalar("1.5").is_number_float());
  CHECK(resolve_plain_scalar("3.0").is_number_float());
  CHECK(resolve_plain_scalar("1.5e+2") == value(150.0));
  CHECK(resolve_plain_scalar("1.5e2") == value("1.5e2"));  // PyYAML wants a signed exponent
  CHECK(resolve_plain_scalar("1e3") == value("1e3"));      // and a dot
  CHECK(resolve_plain_scalar(".5") == value(0.5));
  CHECK(resolve_plain_scalar("-.5") == value("-.5"));  // PyYAML quirk: no sign before a bare dot
  CHECK(resolve_plain_scalar("1.") == value(1.0));
  CHECK(std::isinf(resolve_plain_scalar(".inf").get<double>()));
  CHECK(resolve_plain_scalar("-.inf").get<double>() < 0);
  CHECK(std::isnan(resolve_plain_scalar(".nan").get<double>()));
  CHECK(resolve_plain_scalar("1:30.5") == value(90.5));

  CHECK(resolve_plain_scalar("2001-12-14") == value("2001-12-14"));  // timestamps stay text
  CHECK(resolve_plain_scalar("hello") == value("hello"));
  CHECK(resolve_plain_scalar("1.2.3") == value("1.2.3"));
  CHECK(resolve_plain_scalar("-") == value("-"));
}

TEST_CASE("source args keep YAML types; quoted scalars are always strings") {
  auto r = rbt::load(R"(- name: rs
  hosts: all
  sources:
    - name: gen
      eda.builtin.generic:
        i: 42
        f: 4.5
        b: yes
        off_: off
        n: ~
        e:
        s: "42"
        sq: 'true'
        hex: 0x10
        big: 12345678901234567890
        list: [1, "1", 1.0, true, null]
        nested: {a: {b: [x, 2]}}
        block: |
          line1
          line2
        tagged: !!str 12
        tint: !!int "7"
        merged:
          <<: {x: 1, y: 2}
          y: 3
  rules:
    - name: r
      condition: event.i == 1
      action:
        debug:
)");
  CHECK_OK(r);
  REQUIRE(r.model.rulesets.size() == 1);
  REQUIRE(r.model.rulesets[0].sources.size() == 1);
  const auto& a = r.model.rulesets[0].sources[0].args;
  CHECK(a["i"].is_number_integer());
  CHECK(a["i"] == 42);
  CHECK(a["f"].is_number_float());
  CHECK(a["b"] == true);
  CHECK(a["off_"] == false);
  CHECK(a["n"].is_null());
  CHECK(a["e"].is_null());
  CHECK(a["s"] == "42");
  CHECK(a["sq"] == "true");
  CHECK(a["hex"] == 16);
  CHECK(a["big"].is_number_unsigned());
  CHECK(a["list"] == value::parse(R"([1, "1", 1.0, true, null])"));
  CHECK(a["list"][2].is_number_float());
  CHECK(a["nested"] == value::parse(R"({"a": {"b": ["x", 2]}})"));
  CHECK(a["block"] == "line1\nline2\n");
  CHECK(a["tagged"] == "12");
  CHECK(a["tint"] == 7);
  CHECK(a["merged"] == value::parse(R"({"y": 3, "x": 1})"));
  // Keys keep file order (ordered_json), as Python dicts do.
  CHECK(a.begin().key() == "i");
}

TEST_CASE("unsupported tags are errors with positions") {
  auto r = rbt::load(R"(- name: rs
  hosts: all
  sources:
    - eda.builtin.generic:
        secret: !vault |
          $ANSIBLE_VAULT;1.1;AES256
          3436
        other: !custom x
  rules: []
)");
  CHECK_ERROR(r, "5:17", "!vault", "not supported yet");
  CHECK_ERROR(r, "8:16", "unknown YAML tag", "!custom");
}
