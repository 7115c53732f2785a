// monitor_catalog: where the `monitors` source reads its monitors from when they live in a
// database rather than in the rulebook, without knowing the database (store/ implements it over
// PostgreSQL, app wires the factory into sources::source_env).
//
// A catalog is owned by one source, lives on the event loop and does its I/O elsewhere: load()
// returns at once and `done` is later called on the loop, once per load(), with the monitors as
// a JSON array of objects (the shape docs/sources.md gives for `monitors`) or a non-empty error.
// After the catalog is destroyed no `done` runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/value.h"

namespace rb {

class monitor_catalog {
 public:
  virtual ~monitor_catalog() = default;
  virtual void load(std::function<void(value monitors, std::string error)> done) = 0;
};

// What a source asks for. Exactly one of datacenter_id and agent_id is set (> 0).
struct monitor_catalog_query {
  std::string dsn;  // "" = the engine's default (the HA DSN, when HA is on)
  std::int64_t datacenter_id = 0;
  std::int64_t agent_id = 0;                 // the agent's datacenter is looked up on every load
  std::chrono::milliseconds timeout{10000};  // bounds each load (connect and queries)
};

// Opens a catalog, or returns null with `error` set (no DSN to use, a DSN libpq cannot parse;
// passwords never appear in it). Called while the rulebook loads.
using monitor_catalog_factory = std::function<std::unique_ptr<monitor_catalog>(
    const monitor_catalog_query&, std::string& error)>;

}  // namespace rb
