#include "app/event_meta.h"

#include <tuple>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/uuid.h"

namespace rb::app {

namespace {

// Appends `key: v` to an object known not to hold `key`: no lookup, no re-growth when the caller
// reserved room (ordered_map is a vector; its own emplace searches first).
void append_member(value::object_t& obj, const char* key, value&& v) {
  auto& entries = static_cast<std::vector<value::object_t::value_type>&>(obj);
  entries.emplace_back(std::piecewise_construct, std::forward_as_tuple(key),
                       std::forward_as_tuple(std::move(v)));
}

value make_object(std::size_t capacity) {
  value v(value::value_t::object);
  v.get_ref<value::object_t&>().reserve(capacity);
  return v;
}

}  // namespace

// Adds ansible-rulebook's meta (source name/type, received_at, uuid) where absent. The common case,
// an event without meta, builds it with exactly-sized objects: this runs once per event.
void add_meta(value& event, const std::string& source_name, const std::string& source_type) {
  if (!event.is_object()) {
    value wrapped = make_object(2);
    append_member(wrapped.get_ref<value::object_t&>(), "payload", std::move(event));
    event = std::move(wrapped);
  }
  auto& root = event.get_ref<value::object_t&>();
  if (root.find("meta") == root.end()) {
    value source = make_object(2);
    append_member(source.get_ref<value::object_t&>(), "name", value(source_name));
    append_member(source.get_ref<value::object_t&>(), "type", value(source_type));
    value meta = make_object(3);
    auto& m = meta.get_ref<value::object_t&>();
    append_member(m, "source", std::move(source));
    append_member(m, "received_at", value(utc_now_iso()));
    append_member(m, "uuid", value(uuid4()));
    root.reserve(root.size() + 1);
    append_member(root, "meta", std::move(meta));
    return;
  }
  value& meta = event["meta"];
  if (!meta.is_object()) meta = value::object();
  value& source = meta["source"];
  if (!source.is_object()) source = value::object();
  if (!source.contains("name")) source["name"] = source_name;
  if (!source.contains("type")) source["type"] = source_type;
  if (!meta.contains("received_at")) meta["received_at"] = utc_now_iso();
  if (!meta.contains("uuid")) meta["uuid"] = uuid4();
}


}  // namespace rb::app
