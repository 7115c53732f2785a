// check_spec: what one HTTP check is, read from a mapping: a `monitors` event's `monitor`, or the
// arguments of http_check / http_request (the same keys). Reading never throws: a bad key gives an
// error text naming it, reported as the action's error.
//
// Keys: url (required), method (GET), headers (mapping), body (text, or a mapping/list sent as
// JSON), timeout (seconds, 10), verify_ssl (true), follow_redirects (false), ip_version (4, 6 or
// "any"), proxy, ca_file, client_cert, client_key, max_body_bytes, source_address (the local
// address or interface to leave from); identity for heartbeats: name (default: the URL), id,
// datacenter, region.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/http.h"
#include "core/value.h"

namespace rb::actions {

struct check_spec {
  http_request request;
  std::string name;
  std::optional<std::int64_t> id;
  std::string datacenter;
  std::string region;
};

// Overlays the keys of `m` on `out` (so action arguments can override a monitor's). Returns an
// error text, empty on success. `who` prefixes messages ("http_check").
std::string read_check_spec(std::string_view who, const value& m, check_spec& out);

}  // namespace rb::actions
