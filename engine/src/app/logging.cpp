#include "app/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/clock.h"
#include "core/value.h"

namespace rb::app {

namespace {

// One JSON object per record; the message is escaped properly (a pattern cannot do that).
class json_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    value rec = value::object();
    rec["time"] = utc_iso(msg.time);
    rec["level"] = std::string(spdlog::level::to_string_view(msg.level).data(),
                               spdlog::level::to_string_view(msg.level).size());
    rec["logger"] = std::string(msg.logger_name.data(), msg.logger_name.size());
    rec["message"] = std::string(msg.payload.data(), msg.payload.size());
    const std::string text =
        rec.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }
};

}  // namespace

void setup_logging(log_format format, int verbosity) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("rulebook", sink);
  if (format == log_format::json) {
    logger->set_formatter(std::make_unique<json_formatter>());
  } else {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-7l%$ %v");
  }
  logger->set_level(verbosity >= 2   ? spdlog::level::debug
                    : verbosity == 1 ? spdlog::level::info
                                     : spdlog::level::warn);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  // Leadership changes show at the default verbosity (operators grep for them).
  auto ha = std::make_shared<spdlog::logger>("rulebook.ha", sink);
  // The sink carries the formatter set above: no formatter of its own.
  ha->set_level(std::min(logger->level(), spdlog::level::info));
  ha->flush_on(spdlog::level::info);
  spdlog::drop("rulebook.ha");
  spdlog::register_logger(ha);
}

}  // namespace rb::app
