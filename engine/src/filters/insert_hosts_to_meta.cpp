// insert_hosts_to_meta: copies the hosts found at host_path into meta.hosts (creating meta when
// absent) so that actions run only on those hosts. A string becomes a one-element list, or is
// split at every host_separator (empty pieces kept, as str.split does); a list must hold only
// strings. As in ansible-rulebook:
//  - no host_path (or ""): the event passes unchanged;
//  - host_path not found: log_error (default true) -> warning; raise_error (default false) ->
//  error;
//    otherwise, or after the warning, the event passes unchanged;
//  - hosts of another type, a path pattern matching several values, or a `meta` that is not a
//    mapping: always an error (Python raises TypeError/ValueError whatever the flags).
#include <exception>
#include <optional>
#include <stdexcept>

#include "filters/builtin.h"
#include "filters/dpath.h"

namespace rb::filters {

namespace {

constexpr std::string_view name = "insert_hosts_to_meta";

class insert_hosts_to_meta final : public event_filter {
 public:
  insert_hosts_to_meta(std::optional<dpath_glob> path, std::string host_separator, bool raise_error,
                       bool log_error)
      : path_(std::move(path)),
        host_separator_(std::move(host_separator)),
        raise_error_(raise_error),
        log_error_(log_error) {}

  filter_result apply(value&& event, std::vector<value>& out) noexcept override {
    try {
      return insert(event, out);
    } catch (const std::exception& e) {
      return {false, filter_message(name, e.what())};
    }
  }

 private:
  filter_result insert(value& event, std::vector<value>& out) const {
    if (!path_) {
      out.push_back(std::move(event));
      return {};
    }
    const dpath_glob::result found = path_->find(event);
    if (found.count == 0) {
      filter_result r;
      const std::string msg =
          filter_message(name, "event " + describe(event) + " does not contain " + path_->path());
      if (raise_error_) return {false, msg};
      if (log_error_) r.warning = msg;
      out.push_back(std::move(event));
      return r;
    }
    if (found.count > 1) {
      return {false,
              filter_message(name, "host_path " + path_->path() + " matches more than one value")};
    }
    value hosts = value::array();
    const value& at = *found.found;
    if (at.is_string()) {
      split(at.get_ref<const std::string&>(), hosts);
    } else if (at.is_array()) {
      for (const auto& h : at) {
        if (!h.is_string())
          return {false, filter_message(name, describe(h) + " is not a valid hostname")};
      }
      hosts = at;
    } else {
      return {false, filter_message(name, describe(at) + " is not a valid hostname")};
    }
    if (!event.is_object()) return {false, filter_message(name, "the event is not a mapping")};
    auto meta = event.find("meta");
    if (meta == event.end()) meta = event.emplace("meta", value::object()).first;
    if (!meta->is_object()) {
      return {false, filter_message(name, "the event's meta is not a mapping")};
    }
    (*meta)["hosts"] = std::move(hosts);
    out.push_back(std::move(event));
    return {};
  }

  void split(const std::string& s, value& hosts) const {
    if (host_separator_.empty()) {
      hosts.push_back(s);
      return;
    }
    std::size_t start = 0;
    while (true) {
      const std::size_t cut = s.find(host_separator_, start);
      hosts.push_back(s.substr(start, cut == std::string::npos ? std::string::npos : cut - start));
      if (cut == std::string::npos) break;
      start = cut + host_separator_.size();
    }
  }

  std::optional<dpath_glob> path_;
  std::string host_separator_;
  bool raise_error_;
  bool log_error_;
};

}  // namespace

std::unique_ptr<event_filter> make_insert_hosts_to_meta(const filter_args& args) {
  const std::optional<std::string> host_path = args.get_string("host_path");
  std::string path_separator = ".";
  if (args.present("path_separator")) {
    const std::optional<std::string> sep = args.get_string("path_separator");
    if (!sep || sep->empty()) args.fail("path_separator", "a non-empty string");
    path_separator = *sep;
  }
  std::optional<dpath_glob> path;
  if (host_path && !host_path->empty()) {
    try {
      path.emplace(*host_path, path_separator);
    } catch (const std::invalid_argument& e) {
      args.fail("host_path", std::string("a valid path (") + e.what() + ")");
    }
  }
  return std::make_unique<insert_hosts_to_meta>(
      std::move(path), args.get_string("host_separator").value_or(""),
      args.get_bool("raise_error", false), args.get_bool("log_error", true));
}

}  // namespace rb::filters
