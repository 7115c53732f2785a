// The example rulebooks shipped under rulebooks/ (referenced from docs/rulebooks.md) must load
// cleanly, so the documentation never shows a broken example.
#include <doctest/doctest.h>

#include <filesystem>

#include "rulebook/loader.h"

namespace fs = std::filesystem;

TEST_CASE("rulebooks/rulebooks_*.yml load without errors or warnings") {
  const fs::path dir = fs::path(RB_SOURCE_DIR) / "rulebooks";
  int seen = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("rulebooks_", 0) != 0 || entry.path().extension() != ".yml") continue;
    ++seen;
    auto r = rb::rulebook::load_file(entry.path().string(), rb::value::object());
    std::string diags;
    for (const auto& d : r.errors) diags += rb::rulebook::to_string(d) + "\n";
    for (const auto& d : r.warnings) diags += rb::rulebook::to_string(d) + "\n";
    INFO(name << ":\n" << diags);
    CHECK(r.ok());
    CHECK(r.warnings.empty());
    CHECK_FALSE(r.model.rulesets.empty());
  }
  CHECK(seen >= 2);
}
