#include "io/forked_child.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>

namespace io {

std::unique_ptr<ForkedChild> ForkedChild::fork_here(int* child_fd, std::string* err) {
  *child_fd = -1;
  int fds[2];
  if (::pipe(fds) != 0) {
    *err = std::string("cannot create a pipe: ") + std::strerror(errno);
    return nullptr;
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    *err = "cannot start the evaluation process";
    return nullptr;
  }
  if (pid == 0) {
    ::close(fds[0]);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);  // the parent died before the line above
    // A crash here ends this process plainly, whatever handlers the parent has.
    for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) ::signal(sig, SIG_DFL);
    *child_fd = fds[1];
    return nullptr;
  }
  ::close(fds[1]);
  std::unique_ptr<ForkedChild> child(new ForkedChild());
  child->m_pid = pid;
  child->m_fd = fds[0];
  child->m_started = Clock::now();
  child->m_has_cpu_clock = ::clock_getcpuclockid(pid, &child->m_cpu_clock) == 0;
  return child;
}

std::unique_ptr<ForkedChild> ForkedChild::start(const std::function<void(int fd)>& body,
                                                std::string* err) {
  int fd = -1;
  auto child = fork_here(&fd, err);
  if (fd >= 0) {
    body(fd);
    ::_exit(0);
  }
  return child;
}

ForkedChild::~ForkedChild() {
  if (m_fd >= 0) ::close(m_fd);
  if (!m_reaped) {
    kill();
    reap();
  }
}

ForkedChild::Read ForkedChild::read_some(std::string* into, std::chrono::milliseconds wait) {
  if (m_fd < 0) return Read::eof;
  pollfd p{m_fd, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(wait.count()));
  if (ready <= 0) return Read::idle;  // nothing yet, or a signal: the caller looks again
  char buf[65536];
  const ssize_t got = ::read(m_fd, buf, sizeof buf);
  if (got < 0 && errno == EINTR) return Read::idle;
  if (got <= 0) {
    ::close(m_fd);
    m_fd = -1;
    return Read::eof;
  }
  into->append(buf, static_cast<std::size_t>(got));
  return Read::data;
}

ForkedChild::Clock::duration ForkedChild::cpu_time() const {
  timespec ts{};
  if (!m_has_cpu_clock || ::clock_gettime(m_cpu_clock, &ts) != 0) {
    return Clock::now() - m_started;
  }
  return std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(ts.tv_sec) +
                                                     std::chrono::nanoseconds(ts.tv_nsec));
}

void ForkedChild::kill() {
  if (!m_reaped && m_pid > 0) ::kill(m_pid, SIGKILL);
}

int ForkedChild::reap(Clock::time_point deadline) {
  if (m_reaped) return m_status;
  for (;;) {
    const pid_t r = ::waitpid(m_pid, &m_status, deadline == Clock::time_point::max() ? 0 : WNOHANG);
    if (r == m_pid) break;
    if (r < 0 && errno != EINTR) {
      m_status = -1;  // not ours to reap: no exit status
      break;
    }
    if (r == 0 && Clock::now() > deadline) {
      kill();
      deadline = Clock::time_point::max();
      continue;
    }
    if (r == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  m_reaped = true;
  return m_status;
}

bool ForkedChild::exited_with(int status, int code) {
  return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

}  // namespace io
