#include "actions/audit_log.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace rb::actions {

audit_log::audit_log(const std::string& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "a");
  if (!file_)
    throw std::runtime_error("cannot open audit log '" + path + "': " + std::strerror(errno));
}

audit_log::~audit_log() {
  if (file_) std::fclose(file_);
}

bool audit_log::write(const value& record) noexcept {
  try {
    std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line.push_back('\n');
    const bool ok = std::fwrite(line.data(), 1, line.size(), file_) == line.size();
    return std::fflush(file_) == 0 && ok;
  } catch (...) {
    return false;
  }
}

}  // namespace rb::actions
