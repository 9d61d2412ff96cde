#include "io/file_io.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <climits>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "io/fd_io.hpp"
#include "util/text.hpp"

namespace io {
namespace {

std::string errno_text(int e) { return std::strerror(e); }

std::string human_size(std::size_t bytes) {
  if (bytes % (std::size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " bytes";
}

class Fd {
 public:
  explicit Fd(int fd) : m_fd(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (m_fd >= 0) ::close(m_fd);
  }
  int get() const { return m_fd; }
  int release() {
    const int fd = m_fd;
    m_fd = -1;
    return fd;
  }

 private:
  int m_fd;
};

bool read_fd(int fd, const std::string& name, std::string* out, std::string* err,
             std::size_t max_bytes) {
  out->clear();
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      *err = name + ": cannot read: " + errno_text(errno);
      return false;
    }
    if (out->size() + static_cast<std::size_t>(n) > max_bytes) {
      *err = name + ": input is larger than the " + human_size(max_bytes) + " limit";
      return false;
    }
    out->append(buf, static_cast<std::size_t>(n));
  }
}

// A FIFO (`--action <(...)`): waits for its writer, saying so on stderr after a few seconds
// and giving up after a generous limit rather than hanging with no word.
bool wait_for_writer(int fd, const std::string& path, std::string* err) {
  constexpr int k_say_after_ms = 3000;
  constexpr int k_give_up_after_ms = 120000;
  int waited = 0;
  while (waited < k_give_up_after_ms) {
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, 1000);
    if (n > 0) return true;  // data, or the writer came and went (an empty input)
    if (n < 0 && errno != EINTR) break;
    waited += 1000;
    if (waited == k_say_after_ms) {
      std::cerr << "ory-segment: note: waiting for " << path
                << " (a pipe nothing has written to yet)\n"
                << std::flush;
    }
  }
  *err = path + ": a pipe nothing wrote to in " + std::to_string(k_give_up_after_ms / 1000) +
         " s; give a file, or start the command that writes it";
  return false;
}

}  // namespace

bool stdin_closed() { return ::fcntl(STDIN_FILENO, F_GETFD) < 0; }

std::string display_name(const std::string& path) { return path == "-" ? "<stdin>" : path; }

bool path_exists(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0;
}

namespace {

// Where a path that does not exist yet would be: its directory resolved, then its name.
std::string future_path(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  char resolved[PATH_MAX];
  if (!::realpath(dir.c_str(), resolved)) return path;
  return std::string(resolved) + "/" + name;
}

}  // namespace

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  const bool a_exists = ::stat(a.c_str(), &sa) == 0;
  const bool b_exists = ::stat(b.c_str(), &sb) == 0;
  if (a_exists && b_exists) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  if (a_exists || b_exists) return false;
  return future_path(a) == future_path(b);
}

bool read_input(const std::string& path, std::string* out, std::string* err,
                std::size_t max_bytes) {
  if (path == "-") {
    if (stdin_closed()) {
      *err = "standard input is closed; give a FILE or pipe the input in";
      return false;
    }
    return read_fd(STDIN_FILENO, "<stdin>", out, err, max_bytes);
  }
  // Non-blocking, so a FIFO nobody writes to does not hang the open.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    const int e = errno;
    *err = path + ": cannot open: " + errno_text(e);
    if (e == ENOENT) *err = path + ": no such file";
    return false;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    *err = path + ": cannot stat: " + errno_text(errno);
    return false;
  }
  if (S_ISFIFO(st.st_mode) && !wait_for_writer(fd.get(), path, err)) return false;
  // Blocking again for the read (a pipe's writer may be slow).
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
  if (S_ISDIR(st.st_mode)) {
    *err = path + ": is a directory, expected a file";
    return false;
  }
  if (S_ISREG(st.st_mode) && static_cast<std::size_t>(st.st_size) > max_bytes) {
    *err = path + ": file is " + std::to_string(st.st_size) + " bytes, larger than the " +
           human_size(max_bytes) + " limit";
    return false;
  }
  return read_fd(fd.get(), path, out, err, max_bytes);
}

bool read_text_input(const std::string& path, std::string* out, std::string* err,
                     std::size_t max_bytes) {
  if (!read_input(path, out, err, max_bytes)) return false;
  const std::string name = display_name(path);
  if (util::trim(*out).empty()) {
    *err = name + ": " + (out->empty() ? "empty input" : "input holds only white space");
    return false;
  }
  if (const auto bad = util::find_invalid_utf8(*out)) {
    const auto lc = util::line_col_at(*out, *bad);
    static constexpr char k_hex[] = "0123456789abcdef";
    const auto byte = static_cast<unsigned char>((*out)[*bad]);
    *err = name + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) +
           ": invalid UTF-8 (byte 0x" + k_hex[byte >> 4] + k_hex[byte & 0xf] +
           "); save the file as UTF-8";
    return false;
  }
  // No text format this reads has a raw NUL, and libjsonnet would stop reading at it.
  if (const auto nul = out->find('\0'); nul != std::string::npos) {
    const auto lc = util::line_col_at(*out, nul);
    *err = name + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) +
           ": a NUL byte; this is not a text file";
    return false;
  }
  return true;
}

bool write_output(const std::string& path, const std::string& content, const WriteOptions& opts,
                  std::string* err) {
  if (path.empty() || path == "-") {
    std::cout << content;
    std::cout.flush();
    if (!std::cout) {
      *err = "cannot write to standard output: " + errno_text(errno);
      return false;
    }
    return true;
  }
  return replace_file_atomically(path, content, opts, nullptr, err);
}

namespace {

// Writes to a FIFO or a device as it is: no temporary file, no rename.
bool write_in_place(const std::string& path, const std::string& content, std::string* err) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (fd.get() < 0 || write_all(fd.get(), content) != FdResult::ok) {
    *err = path + ": cannot write: " + errno_text(errno);
    return false;
  }
  return true;
}

// The first of PATH.bak, PATH.bak.1, PATH.bak.2, ... that does not exist.
std::string free_backup_path(const std::string& path) {
  std::string candidate = path + ".bak";
  for (int n = 1; path_exists(candidate); ++n) candidate = path + ".bak." + std::to_string(n);
  return candidate;
}

}  // namespace

bool replace_file_atomically(const std::string& path, const std::string& content,
                             const WriteOptions& opts, std::string* backup, std::string* err) {
  if (backup) backup->clear();
  for (const auto& input : opts.inputs) {
    if (input != "-" && same_file(input, path)) {
      *err = path + " is also an input of this command; write the output elsewhere";
      return false;
    }
  }
  // Through a symlink to what it names; the link stays.
  std::string target = path;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    char resolved[PATH_MAX];
    if (!::realpath(path.c_str(), resolved)) {
      *err = path + ": a symlink to nowhere (" + errno_text(errno) + ")";
      return false;
    }
    target = resolved;
  }
  const bool exists = ::stat(target.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) {
    *err = path + ": is a directory";
    return false;
  }
  if (exists && !S_ISREG(st.st_mode)) return write_in_place(target, content, err);
  mode_t mode = 0;
  if (exists) {
    mode = st.st_mode & 07777;
    if (opts.private_file) mode &= 0700;
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    mode = (opts.private_file ? 0600 : 0666) & ~mask;
  }
  std::string tmpl = target + ".tmp.XXXXXX";
  Fd fd(::mkstemp(tmpl.data()));
  if (fd.get() < 0) {
    *err = path + ": cannot create a temporary file beside it: " + errno_text(errno);
    return false;
  }
  const bool written = ::fchmod(fd.get(), mode) == 0 &&
                       write_all(fd.get(), content) == FdResult::ok && ::fsync(fd.get()) == 0;
  const int write_errno = errno;
  if (::close(fd.release()) != 0 || !written) {
    ::unlink(tmpl.c_str());
    *err = path + ": cannot write: " + errno_text(write_errno);
    return false;
  }
  if (opts.keep_backup && exists) {
    // A hard link keeps the original's bytes and mode; a copy where links are not possible.
    const std::string backup_path = free_backup_path(target);
    std::string backup_err, original;
    WriteOptions copy;
    if (::link(target.c_str(), backup_path.c_str()) != 0 &&
        (!read_input(target, &original, &backup_err, SIZE_MAX) ||
         !replace_file_atomically(backup_path, original, copy, nullptr, &backup_err) ||
         ::chmod(backup_path.c_str(), st.st_mode & 07777) != 0)) {
      ::unlink(tmpl.c_str());
      *err = backup_err.empty() ? backup_path + ": cannot keep the original: " + errno_text(errno)
                                : backup_err;
      return false;
    }
    if (backup) *backup = backup_path;
  }
  if (::rename(tmpl.c_str(), target.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmpl.c_str());
    *err = path + ": cannot replace: " + errno_text(e);
    return false;
  }
  return true;
}

}  // namespace io
