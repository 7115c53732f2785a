#include "condition/compare.h"

#include <string_view>

namespace rb::condition {
namespace {

using vt = value::value_t;

bool is_integral(const value& v) noexcept {
  return v.type() == vt::number_integer || v.type() == vt::number_unsigned;
}

// -1, 0, 1 for two numbers; exact for integers (no rounding through double).
int compare_numbers(const value& a, const value& b) noexcept {
  if (is_integral(a) && is_integral(b)) {
    const bool au = a.type() == vt::number_unsigned, bu = b.type() == vt::number_unsigned;
    if (!au && !bu) {
      const auto x = a.get_ref<const value::number_integer_t&>();
      const auto y = b.get_ref<const value::number_integer_t&>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    // At least one unsigned: a negative signed value is smaller than any unsigned one.
    auto as_u = [](const value& v, bool& negative) -> std::uint64_t {
      if (v.type() == vt::number_unsigned) return v.get_ref<const value::number_unsigned_t&>();
      const auto s = v.get_ref<const value::number_integer_t&>();
      negative = s < 0;
      return static_cast<std::uint64_t>(s);
    };
    bool an = false, bn = false;
    const std::uint64_t x = as_u(a, an), y = as_u(b, bn);
    if (an != bn) return an ? -1 : 1;
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  const double x = a.get<double>(), y = b.get<double>();
  return x < y ? -1 : (x > y ? 1 : 0);
}

}  // namespace

bool compatible(const value& a, const value& b) noexcept {
  if (a.is_null() || b.is_null()) return true;
  if (a.is_number() && b.is_number()) return true;
  return a.type() == b.type();
}

bool values_equal(const value& a, const value& b) noexcept {
  if (a.is_number() && b.is_number()) {
    if (a.is_number_float() || b.is_number_float()) {
      const double x = a.get<double>(), y = b.get<double>();
      return x == y;
    }
    return compare_numbers(a, b) == 0;
  }
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case vt::null: return true;
    case vt::boolean: return a.get_ref<const bool&>() == b.get_ref<const bool&>();
    case vt::string: return a.get_ref<const std::string&>() == b.get_ref<const std::string&>();
    case vt::array: {
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i)
        if (!values_equal(a[i], b[i])) return false;
      return true;
    }
    case vt::object: {
      if (a.size() != b.size()) return false;
      for (auto it = a.begin(); it != a.end(); ++it) {
        auto other = b.find(it.key());
        if (other == b.end() || !values_equal(*it, *other)) return false;
      }
      return true;
    }
    default: return a == b;
  }
}

tri compare(const value& a, compare_op op, const value& b) noexcept {
  if (!compatible(a, b)) return tri::unknown;
  if (op == compare_op::eq) return to_tri(values_equal(a, b));
  if (op == compare_op::ne) return to_tri(!values_equal(a, b));
  int c;
  if (a.is_number() && b.is_number()) {
    c = compare_numbers(a, b);
  } else if (a.is_string() && b.is_string()) {
    const int r = std::string_view(a.get_ref<const std::string&>())
                      .compare(b.get_ref<const std::string&>());
    c = r < 0 ? -1 : (r > 0 ? 1 : 0);
  } else if (a.is_boolean() && b.is_boolean()) {
    c = static_cast<int>(a.get_ref<const bool&>()) - static_cast<int>(b.get_ref<const bool&>());
  } else {
    return tri::unknown;  // null, lists and objects have no order
  }
  switch (op) {
    case compare_op::lt: return to_tri(c < 0);
    case compare_op::le: return to_tri(c <= 0);
    case compare_op::gt: return to_tri(c > 0);
    case compare_op::ge: return to_tri(c >= 0);
    default: return tri::unknown;
  }
}

bool list_contains(const value& container, const value& item) noexcept {
  if (container.is_array()) {
    for (const auto& e : container)
      if (values_equal(e, item)) return true;
    return false;
  }
  return values_equal(container, item);
}

}  // namespace rb::condition
