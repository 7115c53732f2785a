#include <array>
#include <utility>

#include "filters/builtin.h"

namespace rb::filters {

namespace {

using factory = std::unique_ptr<event_filter> (*)(const filter_args&);

struct entry {
  std::string_view name;
  factory make;
  std::vector<std::string_view> allowed;
};

// The accepted arguments are those of each filter's main() in ansible-rulebook.
const std::array<entry, 6>& builtins() {
  static const std::array<entry, 6> table{{
      {"json_filter", make_json_filter, {"include_keys", "exclude_keys"}},
      {"dashes_to_underscores", make_dashes_to_underscores, {"overwrite"}},
      {"normalize_keys", make_normalize_keys, {"overwrite"}},
      {"insert_hosts_to_meta",
       make_insert_hosts_to_meta,
       {"host_path", "path_separator", "host_separator", "raise_error", "log_error"}},
      {"event_splitter",
       make_event_splitter,
       {"splitter_key", "attributes_key_map", "extras", "raise_error"}},
      {"noop", make_noop, {}},
  }};
  return table;
}

const entry* lookup(std::string_view name) {
  for (std::string_view prefix : {"eda.builtin.", "ansible.eda."}) {
    if (name.starts_with(prefix)) {
      name.remove_prefix(prefix.size());
      break;
    }
  }
  for (const auto& e : builtins()) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

std::string json_text(const value& v) {
  return v.dump(-1, ' ', false, value::error_handler_t::replace);
}

}  // namespace

std::string filter_message(std::string_view filter, std::string_view what) {
  std::string m(filter);
  m += ": ";
  m += what;
  return m;
}

std::string describe(const value& v) { return json_text(v); }

filter_args::filter_args(std::string_view filter, const value& args,
                         const std::vector<std::string_view>& allowed)
    : filter_(filter) {
  if (args.is_null()) return;
  if (!args.is_object()) {
    throw filter_error(filter_message(
        filter_, "arguments must be a mapping, got " + std::string(args.type_name())));
  }
  args_ = &args;
  for (auto it = args.begin(); it != args.end(); ++it) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == it.key();
    if (known) continue;
    std::string list;
    for (std::string_view a : allowed) {
      if (!list.empty()) list += ", ";
      list += a;
    }
    throw filter_error(filter_message(
        filter_, "unknown argument '" + it.key() +
                     "' (allowed: " + (list.empty() ? std::string("none") : list) + ")"));
  }
}

const value* filter_args::find(std::string_view name) const {
  if (args_ == nullptr) return nullptr;
  auto it = args_->find(name);
  return it == args_->end() ? nullptr : &*it;
}

bool filter_args::has(std::string_view name) const {
  const value* v = find(name);
  return v != nullptr && !v->is_null();
}

void filter_args::fail(std::string_view name, std::string_view must) const {
  throw filter_error(
      filter_message(filter_, "argument '" + std::string(name) + "' must be " + std::string(must)));
}

bool filter_args::get_bool(std::string_view name, bool fallback) const {
  const value* v = find(name);
  if (v == nullptr) return fallback;
  if (v->is_null()) return false;
  if (!v->is_boolean()) fail(name, "true or false");
  return v->get<bool>();
}

std::optional<std::string> filter_args::get_string(std::string_view name) const {
  const value* v = find(name);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) fail(name, "a string");
  return v->get<std::string>();
}

std::vector<std::string> filter_args::get_string_list(std::string_view name) const {
  const value* v = find(name);
  std::vector<std::string> out;
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_array()) fail(name, "a list of strings");
  out.reserve(v->size());
  for (const auto& item : *v) {
    if (!item.is_string()) fail(name, "a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

const value* filter_args::get_object(std::string_view name) const {
  const value* v = find(name);
  if (v == nullptr || v->is_null()) return nullptr;
  if (!v->is_object()) fail(name, "a mapping");
  return v;
}

std::string builtin_filter_name(std::string_view name) {
  const entry* e = lookup(name);
  return e == nullptr ? std::string() : std::string(e->name);
}

std::unique_ptr<event_filter> make_builtin_filter(std::string_view name, const value& args) {
  const entry* e = lookup(name);
  if (e == nullptr) {
    std::string known;
    for (const auto& b : builtins()) {
      if (!known.empty()) known += ", ";
      known += b.name;
    }
    throw filter_error("unknown event filter '" + std::string(name) + "' (built in: " + known +
                       ")");
  }
  const filter_args checked(e->name, args, e->allowed);
  return e->make(checked);
}

}  // namespace rb::filters
