// harness: runs the real `rulebook` binary for integration tests and captures what it did.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/value.h"

namespace rb::test {

struct run_result {
  int exit_code = -1;  // -1 when killed by a signal (see signal)
  int signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs RB_BINARY with `args`; kills it after `timeout`. `env` adds NAME=VALUE entries.
run_result run_rulebook(const std::vector<std::string>& args,
                        std::chrono::milliseconds timeout = std::chrono::seconds(30),
                        const std::vector<std::string>& env = {});

// Starts the binary in the background; returns its pid. Output goes to the given files.
int spawn_rulebook(const std::vector<std::string>& args, const std::string& out_file,
                   const std::string& err_file);
// Starts any program (a script) the same way, with `env` (NAME=VALUE) added.
int spawn_program(const std::string& program, const std::vector<std::string>& args,
                  const std::string& out_file, const std::string& err_file,
                  const std::vector<std::string>& env = {});
// Waits until the spawned process runs RB_BINARY (exec done) and catches `signo` (its handler is
// installed: /proc/PID/status SigCgt); false on timeout or when the process is gone. A signal sent
// before that meets the dynamic loader, which no program can handle.
bool wait_signal_caught(int pid, int signo,
                        std::chrono::milliseconds timeout = std::chrono::seconds(20));
// Waits until no `signo` sent to the process with kill() is pending any more (delivered: a second
// one sent now is not merged with it); false on timeout or when the process is gone.
bool wait_signal_delivered(int pid, int signo,
                           std::chrono::milliseconds timeout = std::chrono::seconds(20));
// Waits for a spawned process; returns its run_result with the files' contents.
run_result wait_rulebook(int pid, const std::string& out_file, const std::string& err_file,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A fresh temporary directory, removed when the object dies.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }
  // Writes `content` to path()/name and returns the full path.
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

std::string read_file(const std::string& path);

// What the curl CLI got back.
struct reply {
  int status = 0;  // 0: no HTTP answer (connection or TLS refused)
  std::string body;
  std::string headers;
};
// Runs `curl -s -m 10 <args>` (a shell command line: quote what needs it).
reply curl(const std::string& args);
// `s` single-quoted for the shell.
std::string quote(const std::string& s);
// Parses a JSON-lines file (the audit log) into records.
std::vector<value> read_jsonl(const std::string& path);
// The http_check results that fired a rule, from an audit log: each Action record's
// matching_events.m.http_check, in the log's order.
std::vector<value> http_check_results(const std::string& audit);
// Runs `command` with sh -c; returns its exit status and its stdout and stderr together.
struct shell_result {
  int exit_code = -1;
  std::string output;
};
shell_result shell(const std::string& command);
// Waits until `err_file` (the log of a worker run with --http-port and -v) names its operability
// server's port; 0 on timeout.
int wait_http_port(const std::string& err_file,
                   std::chrono::milliseconds timeout = std::chrono::seconds(15));
// The value of one sample of a Prometheus text page, given as `name` or `name{labels}` exactly
// as the page writes it; -1 when absent.
double metric_sample(const std::string& page, const std::string& series);
// Path of a file in the source tree (e.g. "rulebooks/hello.yml").
std::string source_path(const std::string& relative);

}  // namespace rb::test
