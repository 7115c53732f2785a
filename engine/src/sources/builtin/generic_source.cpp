#include "sources/builtin/generic_source.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <limits>
#include <system_error>

#include "rulebook/loader.h"
#include "sources/builtin/args.h"

namespace rb::sources {

namespace {

// Python truthiness: ansible-rulebook skips payload entries for which `not event` holds.
bool is_falsy(const value& v) {
  switch (v.type()) {
    case value::value_t::null:
      return true;
    case value::value_t::boolean:
      return !v.get<bool>();
    case value::value_t::number_integer:
    case value::value_t::number_unsigned:
    case value::value_t::number_float:
      return v.get<double>() == 0;
    case value::value_t::string:
      return v.get_ref<const std::string&>().empty();
    case value::value_t::array:
    case value::value_t::object:
      return v.empty();
    default:
      return false;
  }
}

// str(datetime.now()) / datetime.now().isoformat(): local time, microseconds left out when zero.
std::string local_timestamp(char date_time_separator) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          now - std::chrono::system_clock::from_time_t(t))
                          .count();
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02d%c%02d:%02d:%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, date_time_separator, tm.tm_hour, tm.tm_min,
                        tm.tm_sec);
  if (micros > 0)
    n += std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(micros));
  return std::string(buf, n);
}

std::string env_text(const value& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

generic_source::generic_source(const value& args, source_env env)
    : builtin_source("generic", std::move(env)), rng_(std::random_device{}()) {
  const detail::arg_reader a("generic", args);

  // Payload: payload_file wins over payload, as in ansible-rulebook. A single mapping counts as
  // a one-event list.
  value payload;
  if (a.has("payload_file")) {
    const std::string path = a.string("payload_file", "");
    if (path.empty()) a.fail("payload_file", "a file path", *a.find("payload_file"));
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      a.fail("generic: argument 'payload_file': file " + path + " not found");
    try {
      payload = rulebook::load_data_file(path);  // relative paths: from the working directory
    } catch (const std::exception& e) {
      a.fail(std::string("generic: argument 'payload_file': ") + e.what());
    }
  } else if (args.is_object() && args.contains("payload")) {
    payload = args.at("payload");
  } else {
    a.fail("generic: argument 'payload' (or 'payload_file') is required");
  }
  if (!payload.is_array()) payload = value::array({std::move(payload)});
  for (std::size_t i = 0; i < payload.size(); ++i) {
    value& ev = payload[i];
    if (is_falsy(ev)) continue;
    if (!ev.is_object())
      a.fail("generic: payload entry " + std::to_string(i) + " must be a mapping (an event), got " +
             detail::describe(ev));
    payload_.push_back(std::move(ev));
  }

  if (const value* fp = a.find("final_payload")) {
    if (!fp->is_object()) a.fail("final_payload", "a mapping (an event)", *fp);
    final_payload_ = *fp;
  }
  create_index_ = a.string("create_index", "");
  const std::int64_t blob_size = a.integer("blob_size", 0, 0, "a non-negative integer (bytes)");
  blob_.assign(static_cast<std::size_t>(blob_size), 'x');
  timestamp_ = a.boolean("timestamp", false);
  const std::string format = a.string("time_format", "local");
  if (format == "local") {
    time_format_ = time_format::local;
  } else if (format == "iso8601") {
    time_format_ = time_format::iso8601;
  } else if (format == "epoch") {
    time_format_ = time_format::epoch;
  } else {
    a.fail("time_format", "one of local, iso8601, epoch", *a.find("time_format"));
  }
  display_ = a.boolean("display", false);
  randomize_ = a.boolean("randomize", false);
  loop_count_ = a.integer("loop_count", 1, std::numeric_limits<std::int64_t>::min(),
                          "an integer (-1 for forever)");
  repeat_count_ = a.integer("repeat_count", 1, 0, "a non-negative integer");
  startup_delay_ = a.seconds("startup_delay");
  event_delay_ = a.seconds("event_delay");
  repeat_delay_ = a.seconds("repeat_delay");
  loop_delay_ = a.seconds("loop_delay");
  shutdown_after_ = a.seconds("shutdown_after");

  if (const value* vars = a.find("check_env_vars")) {
    if (!vars->is_object()) a.fail("check_env_vars", "a mapping of NAME: value", *vars);
    for (auto it = vars->begin(); it != vars->end(); ++it) {
      const char* actual = std::getenv(it.key().c_str());
      if (actual == nullptr) a.fail("generic: Env Var " + it.key() + " is required");
      const std::string expected = env_text(it.value());
      if (expected != actual)
        a.fail("generic: Env Var " + it.key() + " expected: " + expected + " passed in: " + actual);
    }
  }

  const bool sends = !payload_.empty() && repeat_count_ > 0;
  const bool waits = (!payload_.empty() && event_delay_.count() > 0) ||
                     (sends && repeat_delay_.count() > 0) || loop_delay_.count() > 0;
  empty_passes_ = !sends && !waits;
}

value generic_source::make_event(const value& payload_event) {
  value data(value::value_t::object);
  if (!create_index_.empty()) data.emplace(create_index_, index_);
  if (!blob_.empty()) data.emplace("blob", blob_);
  if (timestamp_) {
    switch (time_format_) {
      case time_format::local:
        data.emplace("timestamp", local_timestamp(' '));
        break;
      case time_format::iso8601:
        data.emplace("timestamp", local_timestamp('T'));
        break;
      case time_format::epoch:
        data.emplace("timestamp", static_cast<std::int64_t>(std::time(nullptr)));
        break;
    }
  }
  if (data.empty()) return payload_event;
  // dict.update: an existing key keeps its place and takes the payload's value.
  for (auto it = payload_event.begin(); it != payload_event.end(); ++it)
    data[it.key()] = it.value();
  return data;
}

bool generic_source::emit(const value& payload_event) {
  value event = make_event(payload_event);
  if (display_) {
    const std::string line = event.dump(-1, ' ', false, value::error_handler_t::replace) + "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  const bool more = sink().put(std::move(event));
  if (halted()) return false;  // the sink may stop us from inside put (a failing filter)
  if (!more) {
    when_ready_then_step();
    return false;
  }
  return true;
}

void generic_source::step() {
  for (int budget = detail::batch_size;; --budget) {
    if (owed_.count() > 0) {
      const auto delay = owed_;
      owed_ = {};
      wait_then_step(delay);
      return;
    }
    if (budget == 0) {
      yield_then_step();
      return;
    }
    switch (phase_) {
      case phase::startup:
        owed_ += startup_delay_;
        phase_ = phase::pass_begin;
        break;
      case phase::pass_begin:
        if (pass_ == loop_count_) {
          phase_ = phase::final_event;
          break;
        }
        if (empty_passes_) {
          // Every remaining pass would do nothing; forever means idle until stop().
          if (loop_count_ < 0) {
            phase_ = phase::idle;
            return;
          }
          pass_ = loop_count_;
          break;
        }
        if (pass_ > 0) owed_ += loop_delay_;
        if (randomize_) std::shuffle(payload_.begin(), payload_.end(), rng_);
        item_ = 0;
        repeat_ = 0;
        phase_ = phase::events;
        break;
      case phase::events:
        if (item_ == payload_.size()) {
          ++pass_;
          phase_ = phase::pass_begin;
          break;
        }
        if (repeat_ == repeat_count_) {
          owed_ += event_delay_;
          ++item_;
          repeat_ = 0;
          break;
        }
        ++repeat_;
        owed_ += repeat_delay_;
        {
          const value& ev = payload_[item_];
          const bool go_on = emit(ev);
          ++index_;
          if (!go_on) return;
        }
        break;
      case phase::final_event:
        phase_ = phase::shutdown;
        if (final_payload_.is_object() && !emit(final_payload_)) return;
        break;
      case phase::shutdown:
        owed_ += shutdown_after_;
        phase_ = phase::finished;
        break;
      case phase::finished:
        finish(source_end::finished);
        return;
      case phase::idle:
        return;
    }
  }
}

}  // namespace rb::sources
