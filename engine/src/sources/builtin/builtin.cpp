#include "sources/builtin/builtin.h"

#include <array>

#include "sources/builtin/alertmanager_source.h"
#include "sources/builtin/generic_source.h"
#include "sources/builtin/monitors_source.h"
#include "sources/builtin/range_source.h"
#include "sources/builtin/url_check_source.h"
#include "sources/builtin/webhook_source.h"

namespace rb::sources {

namespace {

constexpr std::array<std::string_view, 6> names = {"range",    "generic", "url_check",
                                                   "monitors", "webhook", "alertmanager"};
// ansible-rulebook resolves `range` to eda.builtin.range; ansible.eda.range is the collection's.
constexpr std::array<std::string_view, 3> prefixes = {"", "eda.builtin.", "ansible.eda."};

}  // namespace

std::string builtin_name(std::string_view plugin) {
  for (const std::string_view prefix : prefixes) {
    if (plugin.substr(0, prefix.size()) != prefix) continue;
    const std::string_view rest = plugin.substr(prefix.size());
    for (const std::string_view name : names)
      if (rest == name) return std::string(name);
  }
  return {};
}

std::unique_ptr<source> make_builtin(std::string_view plugin, const value& args, source_env env) {
  const std::string name = builtin_name(plugin);
  if (name == "range") return std::make_unique<range_source>(args, std::move(env));
  if (name == "generic") return std::make_unique<generic_source>(args, std::move(env));
  if (name == "url_check") return std::make_unique<url_check_source>(args, std::move(env));
  if (name == "monitors") return std::make_unique<monitors_source>(args, std::move(env));
  if (name == "webhook") return std::make_unique<webhook_source>(args, std::move(env));
  if (name == "alertmanager") return std::make_unique<alertmanager_source>(args, std::move(env));
  throw source_error("source plugin '" + std::string(plugin) +
                     "' is not built in (built-in sources: range, generic, url_check, monitors, "
                     "webhook, alertmanager)");
}

}  // namespace rb::sources
