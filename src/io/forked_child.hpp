#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace io {

// The one supervisor of forked children that evaluate templates (a single evaluation, the
// pool helper's per-chunk children, the throw-hook probe): fork with a pipe the child
// writes to, read it with a wait that can end, the child's CPU clock, kill, reap, and why
// it ended. The parent's handlers do not apply in the child: a crash there ends it plainly.
class ForkedChild {
 public:
  using Clock = std::chrono::steady_clock;

  // Forks; the child runs `body(fd)` with the pipe's write end, and must not return (it
  // leaves with _exit). nullptr with `err` set when the fork or the pipe fails.
  static std::unique_ptr<ForkedChild> start(const std::function<void(int fd)>& body,
                                            std::string* err);
  // The same, returning in both processes: the parent gets the supervisor; the child gets
  // nullptr with `*child_fd` set to the pipe's write end (and -1 in the parent), and goes on
  // from where it was forked. nullptr in the parent, with `err` set, when the fork fails.
  // Either way the child dies with the thread that forked it (PR_SET_PDEATHSIG).
  static std::unique_ptr<ForkedChild> fork_here(int* child_fd, std::string* err);
  ForkedChild(const ForkedChild&) = delete;
  ForkedChild& operator=(const ForkedChild&) = delete;
  ~ForkedChild();  // kills the child if it still runs, and reaps it

  enum class Read { data, eof, idle };
  // Appends what the child wrote, waiting up to `wait` for something: data, eof (it closed
  // the pipe: it ended), or idle (nothing came in time).
  Read read_some(std::string* into, std::chrono::milliseconds wait);

  // The CPU time the child has used so far; wall time since it started where the system
  // has no CPU clock for it (cpu_clock() false).
  Clock::duration cpu_time() const;
  bool cpu_clock() const { return m_has_cpu_clock; }

  pid_t pid() const { return m_pid; }
  void kill();
  // Waits for it to end (killing it first when `deadline` passes) and returns its wait
  // status.
  int reap(Clock::time_point deadline = Clock::time_point::max());
  // From a wait status: it exited with `code`.
  static bool exited_with(int status, int code);

 private:
  ForkedChild() = default;
  pid_t m_pid = -1;
  int m_fd = -1;
  bool m_reaped = false;
  int m_status = 0;
  bool m_has_cpu_clock = false;
  clockid_t m_cpu_clock{};
  Clock::time_point m_started;
};

}  // namespace io
