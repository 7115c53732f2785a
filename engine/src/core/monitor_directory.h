// monitor_directory: the monitors this engine knows about (name, URL, method, interval), for the
// status page, which otherwise knows only the names the heartbeats table holds. The `monitors`
// sources publish their current lists (their arguments, or each catalog reload); http_check
// notes every monitor it checks (so a monitor given in an action's arguments shows too). app owns
// it and hands it to sources and actions; it lives on the event loop (no locking). A monitor is
// known by (datacenter, name): one name checked from several locations is several monitors.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace rb {

struct monitor_listing {
  std::string name;
  std::string url;
  std::string method;     // "" when unknown
  double interval_s = 0;  // 0 when unknown (a check run by a rule, not a schedule)
  // From a source's list: expected to have heartbeats (the page shows it as pending until then).
  // Only checked: shown only while it has heartbeats (a monitor a reload removed goes away).
  bool scheduled = false;
  std::string datacenter{};  // "" = none (then the directory's default applies)
};

class monitor_directory {
 public:
  // The worker's --datacenter: the location of monitors that name none, as http_check does.
  void set_default_datacenter(std::string datacenter) { default_dc_ = std::move(datacenter); }
  // Replaces the list published by `owner` (a source; only used as a key).
  void publish(const void* owner, std::vector<monitor_listing> monitors);
  // A monitor that was just checked: known from now on, unless a published list has its name.
  // At most max_checked names are kept (a rule may template a new name per event).
  void checked(monitor_listing m);
  static constexpr std::size_t max_checked = 10000;
  // Every known monitor, by name then datacenter, one per (datacenter, name): a published entry
  // wins over a checked one (two sources publishing one: either).
  std::vector<monitor_listing> all() const;

 private:
  using key = std::pair<std::string, std::string>;  // (name, datacenter)
  std::map<const void*, std::vector<monitor_listing>> published_;
  std::map<key, monitor_listing> checked_;
  std::string default_dc_;
};

}  // namespace rb
