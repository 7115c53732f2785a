// probe: a test-only C++ plugin built on plugin_helper.hpp. It reports every leadership notice
// as an event {"leader": true|false} (then idles on a one-minute TIMEOUT hint, so the host must
// wake it on a change), and throws where its arguments say, to check that the helper turns
// exceptions into FAILURE + last_error:
//   throw_in: "init" | "open" | "next" | "leadership" | "fd"   (std::runtime_error)
//   after:    events emitted ({"i": k}) before throwing in next
//   non_std:  true to throw an int instead of a std::exception
#include <nlohmann/json.hpp>
#include <rulebook/plugin_helper.hpp>
#include <stdexcept>
#include <string>

namespace {

using json = nlohmann::json;

struct options {
  std::string throw_in;
  int after = 0;
  bool non_std = false;
};

[[noreturn]] void raise(const options& o, const std::string& where) {
  if (o.non_std) throw 42;
  throw std::runtime_error("probe threw in " + where);
}

class probe final : public rb::plugin::instance {
 public:
  explicit probe(options o) : o_(std::move(o)) {}

  rb::plugin::result next_batch(rb::plugin::batch& out) override {
    if (o_.throw_in == "next") {
      if (emitted_ >= o_.after) raise(o_, "next_batch");
      out.add(json{{"i", emitted_++}}.dump());
      return rb::plugin::result::events;
    }
    if (notices_.empty()) {
      out.retry_after_ms(60000);
      return rb::plugin::result::timeout;
    }
    for (const bool l : notices_) out.add(json{{"leader", l}}.dump());
    notices_.clear();
    return rb::plugin::result::events;
  }

  int fd() override {
    if (o_.throw_in == "fd") raise(o_, "fd");
    return -1;
  }

  void set_leadership(bool is_leader) override {
    if (o_.throw_in == "leadership") raise(o_, "set_leadership");
    notices_.push_back(is_leader);
  }

 private:
  options o_;
  int emitted_ = 0;
  std::vector<bool> notices_;
};

class probe_plugin final : public rb::plugin::plugin {
 public:
  explicit probe_plugin(std::string_view config) {
    const json c = json::parse(config);
    o_.throw_in = c.value("throw_in", "");
    o_.after = c.value("after", 0);
    o_.non_std = c.value("non_std", false);
    if (o_.throw_in == "init") raise(o_, "init");
  }

  std::unique_ptr<rb::plugin::instance> open(std::string_view) override {
    if (o_.throw_in == "open") raise(o_, "open");
    return std::make_unique<probe>(o_);
  }

 private:
  options o_;
};

}  // namespace

RB_PLUGIN_DEFINE("probe", probe_plugin)
