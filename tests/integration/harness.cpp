#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace rb::test {

namespace {

std::vector<char*> c_args(const std::string& program, const std::vector<std::string>& args,
                          std::vector<std::string>& store) {
  store.clear();
  store.push_back(program);
  store.insert(store.end(), args.begin(), args.end());
  std::vector<char*> out;
  for (auto& s : store) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int start(const std::vector<std::string>& args, int out_fd, int err_fd,
          const std::vector<std::string>& env, const std::string& program = RB_BINARY) {
  std::vector<std::string> store;
  auto argv = c_args(program, args, store);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

run_result finish(pid_t pid, std::chrono::milliseconds timeout) {
  run_result r;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    const pid_t got = waitpid(pid, &status, WNOHANG);
    if (got == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      r.timed_out = true;
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

}  // namespace

run_result run_rulebook(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                        const std::vector<std::string>& env) {
  temp_dir dir;
  const std::string out = dir.path() + "/out", err = dir.path() + "/err";
  const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const pid_t pid = start(args, out_fd, err_fd, env);
  close(out_fd);
  close(err_fd);
  run_result r = finish(pid, timeout);
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

int spawn_rulebook(const std::vector<std::string>& args, const std::string& out_file,
                   const std::string& err_file) {
  return spawn_program(RB_BINARY, args, out_file, err_file);
}

int spawn_program(const std::string& program, const std::vector<std::string>& args,
                  const std::string& out_file, const std::string& err_file,
                  const std::vector<std::string>& env) {
  const int out_fd = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err_fd = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const pid_t pid = start(args, out_fd, err_fd, env, program);
  close(out_fd);
  close(err_fd);
  return pid;
}

namespace {

// A signal mask line of /proc/PID/status ("SigCgt:", "ShdPnd:"); -1 when it cannot be read.
int status_mask_has(int pid, const std::string& field, int signo) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field + ":", 0) != 0) continue;
    const unsigned long long mask = std::stoull(line.substr(field.size() + 1), nullptr, 16);
    return (mask & (1ull << (signo - 1))) ? 1 : 0;
  }
  return -1;
}

}  // namespace

bool wait_signal_caught(int pid, int signo, std::chrono::milliseconds timeout) {
  const auto binary = std::filesystem::weakly_canonical(RB_BINARY);
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
    if (!ec && exe == binary && status_mask_has(pid, "SigCgt", signo) == 1) return true;
    if (kill(pid, 0) != 0) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return false;
}

bool wait_signal_delivered(int pid, int signo, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    const int pending = status_mask_has(pid, "ShdPnd", signo);
    if (pending == 0) return true;
    if (pending < 0) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return false;
}

run_result wait_rulebook(int pid, const std::string& out_file, const std::string& err_file,
                         std::chrono::milliseconds timeout) {
  run_result r = finish(pid, timeout);
  r.out = read_file(out_file);
  r.err = read_file(err_file);
  return r;
}

temp_dir::temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "rbtest.XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string temp_dir::write(const std::string& name, const std::string& content) const {
  const std::string p = path_ + "/" + name;
  std::ofstream(p) << content;
  return p;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<value> read_jsonl(const std::string& path) {
  std::vector<value> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(value::parse(line));
  return out;
}

std::vector<value> http_check_results(const std::string& audit) {
  std::vector<value> out;
  for (const auto& r : read_jsonl(audit)) {
    if (r.value("type", "") != "Action") continue;
    const value* m = r.contains("matching_events") ? &r["matching_events"] : nullptr;
    if (m && m->contains("m") && (*m)["m"].contains("http_check"))
      out.push_back((*m)["m"]["http_check"]);
  }
  return out;
}

std::string source_path(const std::string& relative) {
  return std::string(RB_SOURCE_DIR) + "/" + relative;
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

shell_result shell(const std::string& command) {
  shell_result r;
  if (FILE* p = ::popen(("(" + command + ") 2>&1").c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    const int status = ::pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return r;
}

int wait_http_port(const std::string& err_file, std::chrono::milliseconds timeout) {
  static const std::string marker = "operability server on http://";
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    const std::string log = read_file(err_file);
    const auto at = log.find(marker);
    if (at != std::string::npos) {
      const auto slash = log.find('/', at + marker.size());
      const auto colon = log.rfind(':', slash);
      if (slash != std::string::npos && colon > at)
        return std::atoi(log.substr(colon + 1, slash - colon - 1).c_str());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

double metric_sample(const std::string& page, const std::string& series) {
  std::istringstream in(page);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return -1;
}

reply curl(const std::string& args) {
  temp_dir dir;
  const std::string body = dir.path() + "/body", head = dir.path() + "/head";
  const std::string cmd = "curl -s -m 10 -o " + body + " -D " + head + " -w '%{http_code}' " + args;
  reply r;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[64] = {};
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, p);
    ::pclose(p);
    r.status = std::atoi(std::string(buf, n).c_str());
  }
  r.body = read_file(body);
  r.headers = read_file(head);
  return r;
}

}  // namespace rb::test
