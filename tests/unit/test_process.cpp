#include <catch2/catch.hpp>

#include "io/process.hpp"
#include "support.hpp"

namespace {

std::chrono::steady_clock::time_point in(std::chrono::milliseconds ms) {
  return std::chrono::steady_clock::now() + ms;
}

}  // namespace

TEST_CASE("process: a child spoken to through its stdin and stdout") {
  std::string err;
  auto child = io::ChildProcess::spawn({"/bin/cat"}, "/dev/null", &err);
  REQUIRE(child);
  const std::string message(300000, 'c');  // more than both pipes hold
  std::string got;
  // cat answers as it reads, so writing it all first would fill both pipes: interleave.
  for (std::size_t at = 0; at < message.size(); at += 10000) {
    REQUIRE(child->write_all(message.substr(at, 10000), in(std::chrono::seconds(10))));
    std::string part;
    REQUIRE(child->read_exact(10000, &part, in(std::chrono::seconds(10))));
    got += part;
  }
  CHECK(got == message);
  CHECK_FALSE(child->timed_out());
}

TEST_CASE("process: deadlines, exits and what cannot start") {
  std::string err;
  SECTION("a child that says nothing times out") {
    auto child = io::ChildProcess::spawn({"/bin/sleep", "5"}, "/dev/null", &err);
    REQUIRE(child);
    std::string got;
    CHECK_FALSE(child->read_exact(1, &got, in(std::chrono::milliseconds(50))));
    CHECK(child->timed_out());
  }  // the destructor kills and reaps it
  SECTION("a child that exits ends the reading, without a timeout") {
    auto child = io::ChildProcess::spawn({"/bin/echo", "hi"}, "/dev/null", &err);
    REQUIRE(child);
    std::string got;
    CHECK_FALSE(child->read_exact(100, &got, in(std::chrono::seconds(10))));
    CHECK_FALSE(child->timed_out());
    CHECK(got == "hi\n");
  }
  SECTION("stderr goes to the named file") {
    test::TempDir dir;
    auto child = io::ChildProcess::spawn({"/bin/sh", "-c", "echo oops >&2; echo done"},
                                         dir.file("stderr"), &err);
    REQUIRE(child);
    std::string got;
    REQUIRE(child->read_exact(5, &got, in(std::chrono::seconds(10))));
    child.reset();
    CHECK(test::read_file(dir.file("stderr")) == "oops\n");
  }
  SECTION("a program that does not exist") {
    CHECK_FALSE(io::ChildProcess::spawn({"/nonexistent/program"}, "/dev/null", &err));
    CHECK(err == "cannot start /nonexistent/program: No such file or directory");
  }
  CHECK_FALSE(io::self_executable().empty());
}
