#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <thread>

#include "io/fd_io.hpp"

namespace {

struct Pipe {
  int fds[2] = {-1, -1};
  explicit Pipe(bool nonblocking = false) {
    REQUIRE(::pipe2(fds, nonblocking ? O_NONBLOCK : 0) == 0);
  }
  ~Pipe() {
    for (int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  }
  void close_write() {
    ::close(fds[1]);
    fds[1] = -1;
  }
};

}  // namespace

TEST_CASE("fd_io: write_all and read_exact move whole messages, larger than a pipe holds") {
  Pipe p(true);
  const std::string message(1 << 20, 'm');  // a pipe holds 64 KiB: both sides must wait
  std::string got;
  io::FdResult read_result = io::FdResult::failed;
  std::thread reader([&] { read_result = io::read_exact(p.fds[0], message.size(), &got); });
  CHECK(io::write_all(p.fds[1], message) == io::FdResult::ok);
  reader.join();
  CHECK(read_result == io::FdResult::ok);
  CHECK(got == message);
}

TEST_CASE("fd_io: read_exact tells the end of input and the deadline apart") {
  SECTION("closed early") {
    Pipe p;
    REQUIRE(io::write_all(p.fds[1], "abc") == io::FdResult::ok);
    p.close_write();
    std::string got;
    CHECK(io::read_exact(p.fds[0], 5, &got) == io::FdResult::closed);
    CHECK(got == "abc");
  }
  SECTION("nothing arrives in time") {
    Pipe p(true);
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(30);
    CHECK(io::read_exact(p.fds[0], 1, &got, deadline) == io::FdResult::timed_out);
  }
  SECTION("nobody reads in time") {
    Pipe p(true);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(30);
    CHECK(io::write_all(p.fds[1], std::string(1 << 20, 'x'), deadline) == io::FdResult::timed_out);
  }
  SECTION("a bad descriptor fails") {
    std::string got;
    CHECK(io::read_exact(-1, 1, &got) == io::FdResult::failed);
    CHECK(io::write_all(-1, "x") == io::FdResult::failed);
  }
}

TEST_CASE("fd_io: a socket whose peer is gone is an error, not a SIGPIPE") {
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
  ::close(fds[1]);
  // Without MSG_NOSIGNAL this would end the test process (SIGPIPE is not ignored here).
  CHECK(io::write_all(fds[0], std::string(1 << 16, 's')) == io::FdResult::failed);
  CHECK(errno == EPIPE);
  ::close(fds[0]);
}
