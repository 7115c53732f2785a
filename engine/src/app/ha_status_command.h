// ha_status_command: `rulebook ha status [--ha-postgres-dsn DSN] [--ha-uuid UUID]
// [--output text|json]` (the EDA_HA_* variables work too). Prints the group's leader (worker id,
// epoch, since when) and the waiting workers. Exit 0 when a leader exists, 1 when none or the
// server cannot be asked, 2 for usage errors.
#pragma once

namespace rb::app {

int ha_status_command(int argc, const char* const* argv);

}  // namespace rb::app
