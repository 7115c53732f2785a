// rulebook: the command-line entry point. Start-up is a short ordered list of steps (options,
// logging, variables, rulebook, engine); each failure prints what is wrong and exits non-zero:
// 2 for usage errors, 1 when the rulebook, a plugin or a source cannot run.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <variant>

#include "app/cli.h"
#include "app/early_signals.h"
#include "app/engine.h"
#include "app/ha_status_command.h"
#include "app/logging.h"
#include "app/variables.h"
#include "rulebook/loader.h"

int main(int argc, char** argv) {
  using namespace rb;
  // `ha status` is a short query: the default (a signal ends it) is what its user expects.
  if (argc >= 3 && std::string_view(argv[1]) == "ha" && std::string_view(argv[2]) == "status")
    return app::ha_status_command(argc - 2, argv + 2);
  // A SIGTERM while the engine starts (systemd stopping what it just started, Ctrl+C during a
  // slow start) must stop it as gracefully as one that comes later, not kill it.
  app::catch_early_signals();
  auto parsed = app::parse_cli(argc, argv);
  if (auto* exit = std::get_if<app::cli_exit>(&parsed)) {
    std::fputs(exit->text.c_str(), exit->code == 0 ? stdout : stderr);
    return exit->code;
  }
  const auto& options = std::get<app::cli_options>(parsed);
  app::setup_logging(options.format, options.verbosity);

  value vars;
  try {
    vars = app::load_variables(options);
  } catch (const app::variables_error& e) {
    spdlog::error("{}", e.what());
    return e.usage ? 2 : 1;
  }

  // run_playbook and run_module pass it to ansible-playbook; a wrong path is a mistake the operator
  // wants to hear about at start-up, not when the first action needs the inventory.
  if (!options.inventory.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(options.inventory, ec) &&
        !std::filesystem::is_directory(options.inventory, ec)) {
      spdlog::error("inventory '{}' not found (-i/--inventory or $ANSIBLE_INVENTORY)",
                    options.inventory);
      return 1;
    }
  }

  const auto loaded = rulebook::load_file(options.rulebook, vars);
  for (const auto& w : loaded.warnings) spdlog::warn("{}", rulebook::to_string(w));
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) spdlog::error("{}", rulebook::to_string(e));
    spdlog::error("rulebook '{}' has {} error(s); nothing was run", options.rulebook,
                  loaded.errors.size());
    return 1;
  }

  try {
    app::engine engine(options, loaded.model, std::move(vars));
    return engine.run();
  } catch (const app::startup_error& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}
