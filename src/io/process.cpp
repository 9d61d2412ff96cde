#include "io/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace io {
namespace {

int ms_until(ChildProcess::Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(std::min<long>(left.count(), 1 << 30));
}

}  // namespace

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
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(m_in, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    const int wait = ms_until(deadline);
    if (wait == 0) {
      m_timed_out = true;
      return false;
    }
    pollfd p{m_in, POLLOUT, 0};
    ::poll(&p, 1, wait);
  }
  return true;
}

bool ChildProcess::read_exact(std::size_t n, std::string* out, Deadline deadline) {
  out->clear();
  out->reserve(n);
  char buf[65536];
  while (out->size() < n) {
    const ssize_t r = ::read(m_out, buf, std::min(sizeof buf, n - out->size()));
    if (r > 0) {
      out->append(buf, static_cast<std::size_t>(r));
      continue;
    }
    if (r == 0) return false;
    if (errno != EAGAIN && errno != EINTR) return false;
    const int wait = ms_until(deadline);
    if (wait == 0) {
      m_timed_out = true;
      return false;
    }
    pollfd p{m_out, POLLIN, 0};
    ::poll(&p, 1, wait);
  }
  return true;
}

std::string self_executable() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace io
