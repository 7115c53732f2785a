// rb_fault_proxy: fault_proxy as a command, for benchmarks and manual failover experiments.
//   rb_fault_proxy --target HOST:PORT
// prints "port=N", then reads one command per line from stdin and answers "ok" or "error: ...":
//   pass | blackhole | reset | latency MS | refuse on|off | quit
// It exits on `quit` or at EOF.
#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <sstream>
#include <string>

#include "fault_proxy.h"

namespace {

int usage() {
  std::cerr << "usage: rb_fault_proxy --target HOST:PORT\n";
  return 2;
}

// "HOST:PORT" or "[V6]:PORT"; false when it does not parse.
bool split_target(const std::string& target, std::string& host, int& port) {
  const auto colon = target.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == target.size()) return false;
  host = target.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  char* end = nullptr;
  const long p = std::strtol(target.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || p <= 0 || p > 65535) return false;
  port = static_cast<int>(p);
  return true;
}

// Applies one command line; returns the answer. Sets `quit` on "quit".
std::string apply(rb::test::fault_proxy& proxy, const std::string& line, bool& quit) {
  std::istringstream in(line);
  std::string cmd, arg, extra;
  in >> cmd >> arg >> extra;
  if (!extra.empty()) return "error: too many arguments";
  if (cmd == "pass" && arg.empty()) {
    proxy.pass();
  } else if (cmd == "blackhole" && arg.empty()) {
    proxy.blackhole();
  } else if (cmd == "reset" && arg.empty()) {
    proxy.reset();
  } else if (cmd == "latency") {
    char* end = nullptr;
    const long ms = std::strtol(arg.c_str(), &end, 10);
    if (arg.empty() || *end != '\0' || ms < 0) return "error: latency needs milliseconds >= 0";
    proxy.set_latency(std::chrono::milliseconds(ms));
  } else if (cmd == "refuse") {
    if (arg != "on" && arg != "off") return "error: refuse needs on or off";
    proxy.refuse(arg == "on");
  } else if (cmd == "quit" && arg.empty()) {
    quit = true;
  } else {
    return "error: unknown command: " + line;
  }
  return "ok";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || std::string(argv[1]) != "--target") return usage();
  std::string host;
  int port = 0;
  if (!split_target(argv[2], host, port)) return usage();
  try {
    rb::test::fault_proxy proxy(host, port);
    std::cout << "port=" << proxy.port() << std::endl;
    std::string line;
    bool quit = false;
    while (!quit && std::getline(std::cin, line)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      std::cout << apply(proxy, line, quit) << std::endl;
    }
  } catch (const std::exception& e) {
    std::cerr << "rb_fault_proxy: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
