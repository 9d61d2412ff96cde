#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace io {

// Reading and writing whole messages on file descriptors (pipes, files, sockets), blocking or
// not: interrupted calls are resumed, a descriptor that would block is waited for in
// poll(). The one place these loops live.

using Deadline = std::chrono::steady_clock::time_point;

enum class FdResult {
  ok,
  closed,     // end of file (reading)
  failed,     // an error from the system (errno tells)
  timed_out,  // the deadline passed first
};

// Writes all of `data` (on a socket without SIGPIPE).
FdResult write_all(int fd, std::string_view data, Deadline deadline = Deadline::max());

// Whether `fd` has something to read (or its end) before `deadline`.
bool wait_readable(int fd, Deadline deadline);

// Reads exactly `n` bytes into `out` (replacing it).
FdResult read_exact(int fd, std::size_t n, std::string* out, Deadline deadline = Deadline::max());

}  // namespace io
