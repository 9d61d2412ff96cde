#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace io {

// A child process spoken to through its stdin and stdout, its stderr sent to a file.
// Started with posix_spawn, so it is safe from a multi-threaded parent.
class ChildProcess {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  static std::unique_ptr<ChildProcess> spawn(const std::vector<std::string>& argv,
                                             const std::string& stderr_path, std::string* err);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();  // kills the child if it still runs, and reaps it

  bool write_all(const std::string& data, Deadline deadline);
  // Reads exactly `n` bytes; false on EOF or at the deadline (then timed_out() is true).
  bool read_exact(std::size_t n, std::string* out, Deadline deadline);
  bool timed_out() const { return m_timed_out; }
  // Whether the child has written something (or exited) before `deadline`.
  bool wait_readable(Deadline deadline);
  void kill();

 private:
  ChildProcess() = default;
  int m_pid = -1;
  int m_in = -1;   // the child's stdin
  int m_out = -1;  // the child's stdout
  bool m_timed_out = false;
};

// Runs `handler` on SIGINT and SIGTERM (a long-running verb stops cleanly: Ctrl-C, kill),
// and ignores SIGPIPE (a closed pipe or socket is an error return, not a death).
void on_interrupt(void (*handler)(int));

// The path of the running executable (for starting helper processes of the same binary).
std::string self_executable();

}  // namespace io
