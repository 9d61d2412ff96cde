#pragma once

#include <stdexcept>
#include <string>

namespace cli {

// The process exit statuses, documented in `--help` and the README.
enum class ExitStatus : int {
  ok = 0,
  check_failed = 1,   // what was checked is wrong: validation, a remote rejection, lint findings
  bad_input = 2,      // usage errors and unreadable or invalid input
  unreachable = 3,    // a remote endpoint could not be reached
  interrupted = 130,  // SIGINT (Ctrl-C)
  terminated = 143,   // SIGTERM (kill, CI timeouts, systemd, Kubernetes)
};

// The one error type commands throw; run() prints it and exits with its status.
class Error : public std::runtime_error {
 public:
  Error(ExitStatus status, const std::string& message)
      : std::runtime_error(message), m_status(status) {}
  ExitStatus status() const { return m_status; }

 private:
  ExitStatus m_status;
};

// Shorthand for the most common case.
inline Error bad_input(const std::string& message) { return Error(ExitStatus::bad_input, message); }

}  // namespace cli
