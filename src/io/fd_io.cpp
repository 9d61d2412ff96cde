#include "io/fd_io.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace io {
namespace {

// Milliseconds to wait in poll(): -1 for no deadline, 0 once it has passed.
int wait_ms(Deadline deadline) {
  if (deadline == Deadline::max()) return -1;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return 0;
  return static_cast<int>(std::min<long long>(left.count() + 1, 60'000));
}

// After a call that did nothing: FdResult::ok to try again (once `fd` is ready), or why not.
FdResult wait_for(int fd, short events, Deadline deadline) {
  if (errno == EINTR) return FdResult::ok;
  if (errno != EAGAIN && errno != EWOULDBLOCK) return FdResult::failed;
  const int wait = wait_ms(deadline);
  if (wait == 0) return FdResult::timed_out;
  pollfd p{fd, events, 0};
  ::poll(&p, 1, wait);
  return FdResult::ok;
}

}  // namespace

FdResult write_all(int fd, std::string_view data, Deadline deadline) {
  std::size_t done = 0;
  bool socket = true;  // until the system says otherwise
  while (done < data.size()) {
    const char* at = data.data() + done;
    const std::size_t size = data.size() - done;
    // send() on a socket, so a peer that went away is an error here, never a SIGPIPE.
    ssize_t n = socket ? ::send(fd, at, size, MSG_NOSIGNAL) : -1;
    if (socket && n < 0 && errno == ENOTSOCK) socket = false;
    if (!socket) n = ::write(fd, at, size);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0) errno = EAGAIN;
    if (const FdResult r = wait_for(fd, POLLOUT, deadline); r != FdResult::ok) return r;
  }
  return FdResult::ok;
}

bool wait_readable(int fd, Deadline deadline) {
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, wait_ms(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return true;  // let the read say what is wrong
  }
}

FdResult read_exact(int fd, std::size_t n, std::string* out, Deadline deadline) {
  out->clear();
  out->reserve(n);
  char buf[65536];
  while (out->size() < n) {
    const ssize_t got = ::read(fd, buf, std::min(sizeof buf, n - out->size()));
    if (got > 0) {
      out->append(buf, static_cast<std::size_t>(got));
      continue;
    }
    if (got == 0) return FdResult::closed;
    if (const FdResult r = wait_for(fd, POLLIN, deadline); r != FdResult::ok) return r;
  }
  return FdResult::ok;
}

}  // namespace io
