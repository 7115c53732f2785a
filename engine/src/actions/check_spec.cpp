#include "actions/check_spec.h"

#include <cctype>
#include <cmath>

namespace rb::actions {

namespace {

std::string bad(std::string_view who, std::string_view key, std::string_view want,
                const value& got) {
  return std::string(who) + ": '" + std::string(key) + "' must be " + std::string(want) + " (got " +
         got.dump() + ")";
}

bool read_text(const value& v, std::string& out) {
  if (!v.is_string()) return false;
  out = v.get<std::string>();
  return true;
}

}  // namespace

std::string read_check_spec(std::string_view who, const value& m, check_spec& out) {
  if (!m.is_object())
    return std::string(who) + ": the check must be a mapping (got " + m.dump() + ")";
  http_request& r = out.request;
  bool json_body = false;
  for (auto it = m.begin(); it != m.end(); ++it) {
    const std::string& k = it.key();
    const value& v = it.value();
    if (k == "url") {
      if (!read_text(v, r.url) || r.url.empty()) return bad(who, k, "a non-empty URL", v);
    } else if (k == "method") {
      if (!read_text(v, r.method) || r.method.empty()) return bad(who, k, "an HTTP method", v);
      for (char& c : r.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (k == "headers") {
      if (v.is_null()) continue;
      if (!v.is_object()) return bad(who, k, "a mapping of header names to values", v);
      r.headers.clear();
      for (auto h = v.begin(); h != v.end(); ++h)
        r.headers.emplace_back(h.key(), h->is_string() ? h->get<std::string>() : h->dump());
    } else if (k == "body") {
      if (v.is_null()) continue;
      if (v.is_string()) {
        r.body = v.get<std::string>();
      } else {
        r.body = v.dump();
        json_body = true;
      }
    } else if (k == "timeout") {
      if (!v.is_number() || !(v.get<double>() > 0) || !std::isfinite(v.get<double>()))
        return bad(who, k, "a number of seconds above 0", v);
      r.timeout = std::chrono::milliseconds(static_cast<long long>(v.get<double>() * 1000 + 0.5));
    } else if (k == "verify_ssl") {
      if (!v.is_boolean()) return bad(who, k, "true or false", v);
      r.verify_tls = v.get<bool>();
    } else if (k == "follow_redirects") {
      if (!v.is_boolean()) return bad(who, k, "true or false", v);
      r.follow_redirects = v.get<bool>();
    } else if (k == "ip_version") {
      const std::string t = v.is_string() ? v.get<std::string>() : v.dump();
      if (t == "4" || t == "ipv4") {
        r.ip = http_request::ip_family::v4;
      } else if (t == "6" || t == "ipv6") {
        r.ip = http_request::ip_family::v6;
      } else if (t == "any" || v.is_null()) {
        r.ip = http_request::ip_family::any;
      } else {
        return bad(who, k, "4, 6 or \"any\"", v);
      }
    } else if (k == "proxy" || k == "ca_file" || k == "client_cert" || k == "client_key") {
      std::string& field = k == "proxy"         ? r.proxy
                           : k == "ca_file"     ? r.ca_file
                           : k == "client_cert" ? r.client_cert
                                                : r.client_key;
      if (v.is_null()) continue;
      if (!read_text(v, field)) return bad(who, k, "a string", v);
    } else if (k == "max_body_bytes") {
      if (!v.is_number_integer() || v.get<long long>() < 0)
        return bad(who, k, "a number of bytes", v);
      r.max_body_bytes = v.get<std::size_t>();
    } else if (k == "name") {
      if (!read_text(v, out.name)) return bad(who, k, "a string", v);
    } else if (k == "id") {
      if (v.is_null()) continue;
      if (!v.is_number_integer()) return bad(who, k, "an integer", v);
      out.id = v.get<std::int64_t>();
    } else if (k == "source_address") {
      if (v.is_null()) continue;
      if (!read_text(v, r.source_address)) return bad(who, k, "a string", v);
    } else if (k == "datacenter" || k == "region") {
      if (v.is_null()) continue;
      if (!read_text(v, k == "datacenter" ? out.datacenter : out.region))
        return bad(who, k, "a string", v);
    }
    // Other keys (interval, expect, ...) belong to the caller.
  }
  if (json_body) {
    bool typed = false;
    for (const auto& [name, _] : r.headers) {
      std::string lower = name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      typed = typed || lower == "content-type";
    }
    if (!typed) r.headers.emplace_back("Content-Type", "application/json");
  }
  if (r.url.empty()) return std::string(who) + ": no 'url' to check";
  if (out.name.empty()) out.name = r.url;
  return {};
}

}  // namespace rb::actions
