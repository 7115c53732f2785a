// `print` (rulebook's own): writes `msg` (a string, or each string of a list) to stdout as one
// line, without debug's banner, optionally after the local time. For output people watch in a
// terminal: an alert stands out instead of hiding among banners and log lines.
#include <chrono>
#include <ctime>

#include "actions/builtin_actions.h"
#include "condition/template_python.h"

namespace rb::actions {

namespace {

// "2026-12-08 14:57:41 ": local time, to the second.
std::string local_time_prefix() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S ", &tm);
  return std::string(buf, n);
}

class print_action final : public action {
 public:
  explicit print_action(bool timestamp) : timestamp_(timestamp) {}
  std::string_view audit_name() const noexcept override { return "print"; }

  action_result run(const firing&, const value& args, services& svc) noexcept override {
    try {
      const value& msg = args.at("msg");
      const std::string prefix = timestamp_ ? local_time_prefix() : std::string();
      std::string text;
      auto add = [&](const value& m) { text += prefix + condition::py::str(m) + "\n"; };
      if (msg.is_array()) {
        for (const auto& m : msg) add(m);
      } else {
        add(msg);
      }
      std::fwrite(text.data(), 1, text.size(), svc.out);
      std::fflush(svc.out);
      return {};
    } catch (const std::exception& e) {
      return {false, std::string("print: ") + e.what(), nullptr};
    }
  }

 private:
  bool timestamp_;
};

}  // namespace

std::unique_ptr<action> make_print(const value& args) {
  expect_only("print", args, {"msg", "timestamp"});
  if (!args.contains("msg")) throw action_error("print: argument 'msg' is required");
  bool timestamp = false;
  if (auto t = args.find("timestamp"); t != args.end()) {
    if (!t->is_boolean()) throw action_error("print: argument 'timestamp' must be true or false");
    timestamp = t->get<bool>();
  }
  return std::make_unique<print_action>(timestamp);
}

}  // namespace rb::actions
