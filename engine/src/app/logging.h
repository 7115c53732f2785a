// logging: process-wide spdlog setup. Logs go to stderr (stdout carries rule output such as
// print_event and debug banners): human text by default, one JSON object per line with
// --log-format json. Verbosity: warnings by default, -v info, -vv debug.
#pragma once

#include "app/cli.h"

namespace rb::app {

void setup_logging(log_format format, int verbosity);

}  // namespace rb::app
