#include "io/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/fd_io.hpp"

extern char** environ;

namespace io {
std::unique_ptr<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv,
                                                  const std::string& stderr_path,
                                                  std::string* err) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) {
    *err = std::string("pipe: ") + std::strerror(errno);
    return nullptr;
  }
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    *err = std::string("pipe: ") + std::strerror(errno);
    return nullptr;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    *err = "cannot start " + argv[0] + ": " + std::strerror(rc);
    return nullptr;
  }
  std::unique_ptr<ChildProcess> child(new ChildProcess());
  child->m_pid = pid;
  child->m_in = in[1];
  child->m_out = out[0];
  ::fcntl(child->m_in, F_SETFL, ::fcntl(child->m_in, F_GETFL) | O_NONBLOCK);
  ::fcntl(child->m_out, F_SETFL, ::fcntl(child->m_out, F_GETFL) | O_NONBLOCK);
  return child;
}

ChildProcess::~ChildProcess() {
  kill();
  if (m_in >= 0) ::close(m_in);
  if (m_out >= 0) ::close(m_out);
}

void ChildProcess::kill() {
  if (m_pid <= 0) return;
  ::kill(m_pid, SIGKILL);
  int status = 0;
  while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
  }
  m_pid = -1;
}

bool ChildProcess::write_all(const std::string& data, Deadline deadline) {
  const FdResult r = io::write_all(m_in, data, deadline);
  m_timed_out = r == FdResult::timed_out;
  return r == FdResult::ok;
}

bool ChildProcess::read_exact(std::size_t n, std::string* out, Deadline deadline) {
  const FdResult r = io::read_exact(m_out, n, out, deadline);
  m_timed_out = r == FdResult::timed_out;
  return r == FdResult::ok;
}

bool ChildProcess::wait_readable(Deadline deadline) { return io::wait_readable(m_out, deadline); }

void on_interrupt(void (*handler)(int)) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

std::string self_executable() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace io
