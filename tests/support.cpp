#include "support.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace test {
namespace {

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// In the forked child: stdin from the pipe (or /dev/null), stdout and stderr to theirs.
[[noreturn]] void exec_child(std::vector<char*>& arg_ptrs, std::vector<char*>& env_ptrs,
                             const RunOptions& opts, const int in_pipe[2], const int out_pipe[2],
                             const int err_pipe[2]) {
  if (opts.stdin_data) {
    ::dup2(in_pipe[0], STDIN_FILENO);
  } else {
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, STDIN_FILENO);
  }
  ::dup2(out_pipe[1], STDOUT_FILENO);
  ::dup2(err_pipe[1], STDERR_FILENO);
  for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
    ::close(fd);
  }
  if (!opts.cwd.empty() && ::chdir(opts.cwd.c_str()) != 0) ::_exit(126);
  ::execve(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
  ::_exit(127);
}

}  // namespace

int connect_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
  if (fd >= 0) ::close(fd);
  return -1;
}

RunResult run_program(const std::vector<std::string>& argv, const RunOptions& opts) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe(in_pipe) != 0 || ::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) {
    throw std::runtime_error("pipe failed");
  }
  std::vector<std::string> env_strings = {"PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8"};
  for (const auto& [k, v] : opts.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> env_ptrs;
  for (auto& s : env_strings) env_ptrs.push_back(s.data());
  env_ptrs.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> arg_ptrs;
  for (auto& s : args) arg_ptrs.push_back(s.data());
  arg_ptrs.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid == 0) exec_child(arg_ptrs, env_ptrs, opts, in_pipe, out_pipe, err_pipe);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  RunResult result;
  const std::string input = opts.stdin_data.value_or("");
  std::size_t written = 0;
  int in_fd = in_pipe[1];
  if (input.empty()) {
    ::close(in_fd);
    in_fd = -1;
  } else {
    set_nonblocking(in_fd);
  }
  set_nonblocking(out_pipe[0]);
  set_nonblocking(err_pipe[0]);
  bool out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    std::vector<pollfd> fds;
    if (out_open) fds.push_back({out_pipe[0], POLLIN, 0});
    if (err_open) fds.push_back({err_pipe[0], POLLIN, 0});
    if (in_fd >= 0) fds.push_back({in_fd, POLLOUT, 0});
    if (::poll(fds.data(), fds.size(), 60000) <= 0) break;
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == in_fd) {
        const ssize_t n = ::write(in_fd, input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if (n < 0 || written == input.size()) {
          ::close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      const ssize_t n = ::read(p.fd, buf, sizeof buf);
      if (n > 0) {
        (p.fd == out_pipe[0] ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EAGAIN) {
        (p.fd == out_pipe[0] ? out_open : err_open) = false;
      }
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  struct rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.peak_rss_kb = usage.ru_maxrss;
  return result;
}

RunResult run_tool(const std::vector<std::string>& args, const RunOptions& opts) {
  std::vector<std::string> argv = {ORY_SEGMENT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, opts);
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ory-segment-test.XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  m_path = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(m_path, ec);
}

std::string TempDir::write(const std::string& name, const std::string& content) const {
  const std::string path = file(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string source_path(const std::string& relative) {
  return std::string(ORY_SEGMENT_SOURCE_DIR) + "/" + relative;
}

void skip(const std::string& why) {
  std::cout << "ory-segment-test: skipped: " << why << std::endl;
}

std::string reference_path(const std::string& relative) {
  const char* env = std::getenv("ORY_SEGMENT_REFERENCE");
  const std::string root = env && *env ? std::string(env) : source_path("../shared");
  const std::string path = root + "/" + relative;
  if (file_exists(path)) return path;
  const std::string why =
      "needs " + relative + " from the reference material, not found in " + root +
      (env && *env ? " ($ORY_SEGMENT_REFERENCE)" : " (../shared beside the source tree)") +
      "; set ORY_SEGMENT_REFERENCE to a copy of it";
  skip_unless_ci(why);
  return "";
}

void skip_unless_ci(const std::string& why) {
  // CI always has what the tests need: there, its absence is a failure, not a skip.
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") FAIL("CI=true: " + why);
  skip(why);
}

std::vector<std::string> hcl2json_command() {
  const std::string script = source_path("tests/tools/hcl/hcl2json.js");
  const std::string module =
      source_path("tests/tools/hcl/node_modules/@cdktf/hcl2json/package.json");
  const bool node = run_program({"/bin/sh", "-c", "command -v node"}).status == 0;
  if (node && file_exists(module)) return {"/bin/sh", "-c", "exec node \"$0\" \"$1\"", script};
  skip_unless_ci(std::string(node ? "" : "node is not installed; ") +
                 "HashiCorp's HCL parser is not installed in tests/tools/hcl (scripts/deps runs "
                 "npm ci there)");
  return {};
}

}  // namespace test

#include <signal.h>

namespace test {

BackgroundTool::BackgroundTool(const std::vector<std::string>& args,
                               const std::map<std::string, std::string>& env) {
  int out_pipe[2], err_pipe[2];
  if (::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> env_strings = {"PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8"};
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> env_ptrs;
  for (auto& s : env_strings) env_ptrs.push_back(s.data());
  env_ptrs.push_back(nullptr);
  std::vector<std::string> argv = {ORY_SEGMENT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> arg_ptrs;
  for (auto& s : argv) arg_ptrs.push_back(s.data());
  arg_ptrs.push_back(nullptr);
  m_pid = ::fork();
  if (m_pid == 0) {
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    ::execve(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  m_out = out_pipe[0];
  m_err = err_pipe[0];
  set_nonblocking(m_out);
  set_nonblocking(m_err);
}

BackgroundTool::~BackgroundTool() {
  if (!m_waited) {
    ::kill(m_pid, SIGKILL);
    wait(1000);
  }
}

std::string BackgroundTool::read_line(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[4096];
  for (;;) {
    const auto nl = m_out_buffer.find('\n');
    if (nl != std::string::npos) {
      std::string line = m_out_buffer.substr(0, nl);
      m_out_buffer.erase(0, nl + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return "";
    pollfd p{m_out, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = ::read(m_out, buf, sizeof buf);
    if (n <= 0 && errno != EAGAIN) return "";
    if (n > 0) {
      m_out_buffer.append(buf, static_cast<std::size_t>(n));
      m_out_all.append(buf, static_cast<std::size_t>(n));
    }
  }
}

bool BackgroundTool::wait_for_stderr(const std::string& text, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[4096];
  bool out_open = true;
  while (m_err_all.find(text) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd fds[2] = {{out_open ? m_out : -1, POLLIN, 0}, {m_err, POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(left.count())) <= 0) continue;
    if (fds[0].revents != 0) {
      const ssize_t n = ::read(m_out, buf, sizeof buf);
      if (n == 0) out_open = false;
      if (n > 0) {
        m_out_buffer.append(buf, static_cast<std::size_t>(n));
        m_out_all.append(buf, static_cast<std::size_t>(n));
      }
    }
    if (fds[1].revents != 0) {
      const ssize_t n = ::read(m_err, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EAGAIN)) return false;  // it closed stderr: ended
      if (n > 0) m_err_all.append(buf, static_cast<std::size_t>(n));
    }
  }
  return true;
}

std::string BackgroundTool::listen_url() {
  const std::string line = read_line();
  const std::string prefix = "listening on ";
  if (line.rfind(prefix, 0) != 0) throw std::runtime_error("listen printed: " + line);
  return line.substr(prefix.size());
}

void BackgroundTool::signal(int sig) { ::kill(m_pid, sig); }

namespace {

// Whether `sig` is pending for process `pid` (for the process or one of its threads).
bool signal_pending(int pid, int sig) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  bool pending = false;
  while (std::getline(status, line)) {
    if (line.rfind("ShdPnd:", 0) == 0 || line.rfind("SigPnd:", 0) == 0) {
      const unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
      pending = pending || ((mask >> (sig - 1)) & 1ULL) != 0;
    }
  }
  return pending;
}

}  // namespace

bool BackgroundTool::wait_signal_taken(int sig, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (signal_pending(m_pid, sig)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

void BackgroundTool::signal_with_descendants(int sig) {
  // Parent of every process, from /proc/PID/stat: "PID (COMM) STATE PPID ...".
  std::map<int, int> parent;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    std::getline(in, stat);
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    int ppid = 0;
    rest >> state >> ppid;
    parent[std::stoi(name)] = ppid;
  }
  std::vector<int> targets = {m_pid};
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [pid, ppid] : parent) {
      if (std::find(targets.begin(), targets.end(), ppid) != targets.end() &&
          std::find(targets.begin(), targets.end(), pid) == targets.end()) {
        targets.push_back(pid);
        grew = true;
      }
    }
  }
  for (int pid : targets) ::kill(pid, sig);
}

RunResult BackgroundTool::wait(int timeout_ms) {
  if (m_waited) return m_result;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(m_pid, SIGKILL);
      break;
    }
    std::vector<pollfd> fds;
    if (out_open) fds.push_back({m_out, POLLIN, 0});
    if (err_open) fds.push_back({m_err, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) <= 0) continue;
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      const ssize_t n = ::read(p.fd, buf, sizeof buf);
      if (n > 0) {
        (p.fd == m_out ? m_out_all : m_err_all).append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EAGAIN) {
        (p.fd == m_out ? out_open : err_open) = false;
      }
    }
  }
  int status = 0;
  ::waitpid(m_pid, &status, 0);
  ::close(m_out);
  ::close(m_err);
  m_waited = true;
  m_result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  m_result.out = m_out_all;
  m_result.err = m_err_all;
  return m_result;
}

}  // namespace test
