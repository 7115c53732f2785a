#include "core/event_meta.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <tuple>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/json_text.h"
#include "core/uuid.h"

namespace rb {

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

std::string received_at_text(std::int64_t us) { return std::string(utc_stamp(us).view()); }

std::string uuid_text(std::uint64_t sequence) {
  std::string out(36, '\0');
  uuid4_for(sequence, out.data());
  return out;
}

}  // namespace

const event_source* intern_event_source(std::string_view name, std::string_view type) {
  static std::mutex mutex;
  static std::deque<event_source> interned;  // stable addresses; a handful of entries
  std::lock_guard lock(mutex);
  for (const auto& s : interned)
    if (s.name == name && s.type == type) return &s;
  std::string json = R"({"name":)";
  append_json_string(json, name);
  json += R"(,"type":)";
  append_json_string(json, type);
  json.push_back('}');
  return &interned.emplace_back(event_source{std::string(name), std::string(type), json});
}

pending_meta meta_now(const event_source* source) noexcept {
  using namespace std::chrono;
  static std::atomic<std::uint64_t> sequence{0};
  return {source, duration_cast<microseconds>(system_clock::now().time_since_epoch()).count(),
          sequence.fetch_add(1, std::memory_order_relaxed)};
}

void wrap_payload(value& event) {
  if (event.is_object()) return;
  value wrapped = make_object(2);
  append_member(wrapped.get_ref<value::object_t&>(), "payload", std::move(event));
  event = std::move(wrapped);
}

void render_meta(value& event, pending_meta& m) {
  if (!m.pending() || !event.is_object()) return;
  const event_source& src = *m.source;
  const pending_meta taken = m;
  m.source = nullptr;
  auto& root = event.get_ref<value::object_t&>();
  if (root.find("meta") == root.end()) {
    // The common case, built with exactly sized objects.
    value source = make_object(2);
    append_member(source.get_ref<value::object_t&>(), "name", value(src.name));
    append_member(source.get_ref<value::object_t&>(), "type", value(src.type));
    value meta = make_object(3);
    auto& obj = meta.get_ref<value::object_t&>();
    append_member(obj, "source", std::move(source));
    append_member(obj, "received_at", value(received_at_text(taken.received_us)));
    append_member(obj, "uuid", value(uuid_text(taken.sequence)));
    root.reserve(root.size() + 1);
    append_member(root, "meta", std::move(meta));
    return;
  }
  value& meta = event["meta"];
  if (!meta.is_object()) meta = value::object();
  value& source = meta["source"];
  if (!source.is_object()) source = value::object();
  if (!source.contains("name")) source["name"] = src.name;
  if (!source.contains("type")) source["type"] = src.type;
  if (!meta.contains("received_at")) meta["received_at"] = received_at_text(taken.received_us);
  if (!meta.contains("uuid")) meta["uuid"] = uuid_text(taken.sequence);
}

void add_meta(value& event, const event_source* source) {
  wrap_payload(event);
  pending_meta m = meta_now(source);
  render_meta(event, m);
}

void append_event_json(std::string& out, const value& event, const pending_meta* m) {
  if (!m || !m->pending() || !event.is_object()) {
    append_json(out, event);
    return;
  }
  const auto& members = event.get_ref<const value::object_t&>();
  if (members.find("meta") != members.end()) {
    // Meta to complete (filters put some there): rare, done on a copy.
    value copy = event;
    pending_meta taken = *m;
    render_meta(copy, taken);
    append_json(out, copy);
    return;
  }
  // The common case: the event's members, then meta written straight from the pending fields.
  out.push_back('{');
  for (const auto& [key, member] : members) {
    append_json_string(out, key);
    out.push_back(':');
    append_json(out, member);
    out.push_back(',');
  }
  out += R"("meta":{"source":)";
  out += m->source->json;
  out += R"(,"received_at":")";
  out += utc_stamp(m->received_us).view();
  out += R"(","uuid":")";
  char uuid[36];
  uuid4_for(m->sequence, uuid);
  out.append(uuid, sizeof uuid);
  out += R"("}})";
}

}  // namespace rb
