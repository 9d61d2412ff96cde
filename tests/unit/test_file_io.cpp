#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "io/file_io.hpp"
#include "support.hpp"

TEST_CASE("file_io: read_input reads files whole, within the limit") {
  test::TempDir dir;
  std::string out, err;
  REQUIRE(io::read_input(dir.write("a.txt", "hello\n"), &out, &err));
  CHECK(out == "hello\n");
  SECTION("refusals name the path and say why") {
    CHECK_FALSE(io::read_input(dir.file("missing"), &out, &err));
    CHECK(err == dir.file("missing") + ": no such file");
    CHECK_FALSE(io::read_input(dir.path(), &out, &err));
    CHECK(err == dir.path() + ": is a directory, expected a file");
    const std::string big = dir.write("big", std::string(100, 'x'));
    CHECK_FALSE(io::read_input(big, &out, &err, 10));
    CHECK(err.rfind(big + ": file is 100 bytes, larger than the ", 0) == 0);
  }
}

TEST_CASE("file_io: read_text_input refuses empty input and bytes that are not UTF-8") {
  test::TempDir dir;
  std::string out, err;
  CHECK_FALSE(io::read_text_input(dir.write("empty", ""), &out, &err));
  CHECK(err == dir.file("empty") + ": empty input");
  CHECK_FALSE(io::read_text_input(dir.write("blank", " \n\t"), &out, &err));
  CHECK(err == dir.file("blank") + ": input holds only white space");
  CHECK_FALSE(io::read_text_input(dir.write("latin1", "ok\nna\xefve"), &out, &err));
  CHECK(err == dir.file("latin1") + ":2:3: invalid UTF-8 (byte 0xef); save the file as UTF-8");
  REQUIRE(io::read_text_input(dir.write("utf8", "na\xc3\xafve"), &out, &err));
  CHECK(out == "na\xc3\xafve");
}

namespace {

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("file_io: replace_file_atomically keeps the mode and every backup") {
  test::TempDir dir;
  const std::string path = dir.write("config.yml", "old\n");
  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  std::string err, backup;
  io::WriteOptions keep;
  keep.keep_backup = true;
  REQUIRE(io::replace_file_atomically(path, "new\n", keep, &backup, &err));
  CHECK(backup == path + ".bak");
  CHECK(test::read_file(path) == "new\n");
  CHECK(test::read_file(path + ".bak") == "old\n");
  CHECK(mode_of(path) == 0640);
  CHECK(mode_of(path + ".bak") == 0640);
  // Again: the first backup (the original) stays; the next one is numbered.
  REQUIRE(io::replace_file_atomically(path, "newer\n", keep, &backup, &err));
  CHECK(backup == path + ".bak.1");
  CHECK(test::read_file(path + ".bak") == "old\n");
  CHECK(test::read_file(path + ".bak.1") == "new\n");
  // A private file is never left readable by others; its backup keeps the original mode.
  io::WriteOptions secret = keep;
  secret.private_file = true;
  REQUIRE(io::replace_file_atomically(path, "key\n", secret, &backup, &err));
  CHECK(mode_of(path) == 0600);
  CHECK(mode_of(backup) == 0640);
  SECTION("a directory in the way is refused, and nothing is left behind") {
    CHECK_FALSE(io::replace_file_atomically(dir.path(), "x", {}, nullptr, &err));
    CHECK(err == dir.path() + ": is a directory");
    CHECK_FALSE(io::replace_file_atomically(dir.file("no/such/dir/f"), "x", {}, nullptr, &err));
    CHECK(err.rfind(dir.file("no/such/dir/f") + ": cannot create a temporary file beside it", 0) ==
          0);
  }
}

TEST_CASE("file_io: new files respect the umask, private ones are 0600") {
  test::TempDir dir;
  const mode_t old = ::umask(027);
  std::string err;
  CHECK(io::replace_file_atomically(dir.file("plain"), "x", {}, nullptr, &err));
  io::WriteOptions secret;
  secret.private_file = true;
  CHECK(io::replace_file_atomically(dir.file("secret"), "x", secret, nullptr, &err));
  ::umask(022);
  CHECK(io::replace_file_atomically(dir.file("plain022"), "x", {}, nullptr, &err));
  ::umask(old);
  CHECK(mode_of(dir.file("plain")) == 0640);
  CHECK(mode_of(dir.file("secret")) == 0600);
  CHECK(mode_of(dir.file("plain022")) == 0644);
}

TEST_CASE("file_io: symlinks are written through, FIFOs and devices are never replaced") {
  test::TempDir dir;
  const std::string real = dir.write("real.yml", "old\n");
  const std::string link = dir.file("link.yml");
  REQUIRE(::symlink(real.c_str(), link.c_str()) == 0);
  std::string err, backup;
  io::WriteOptions keep;
  keep.keep_backup = true;
  REQUIRE(io::replace_file_atomically(link, "new\n", keep, &backup, &err));
  struct stat st {};
  REQUIRE(::lstat(link.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK(test::read_file(real) == "new\n");
  CHECK(backup == real + ".bak");
  // A device: written as it is (here: the write fails), never turned into a file.
  CHECK_FALSE(io::replace_file_atomically("/dev/full", "x", {}, nullptr, &err));
  CHECK(err == "/dev/full: cannot write: No space left on device");
  REQUIRE(::stat("/dev/full", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
  CHECK(io::replace_file_atomically("/dev/null", "x", {}, nullptr, &err));
  REQUIRE(::stat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
  const std::string dangling = dir.file("dangling");
  REQUIRE(::symlink(dir.file("nowhere/x").c_str(), dangling.c_str()) == 0);
  CHECK_FALSE(io::replace_file_atomically(dangling, "x", {}, nullptr, &err));
  CHECK(err.rfind(dangling + ": a symlink to nowhere", 0) == 0);
}

TEST_CASE("file_io: an output onto an input is refused, nothing written") {
  test::TempDir dir;
  const std::string input = dir.write("t.jsonnet", "{}\n");
  io::WriteOptions out;
  out.inputs = {"-", "", input};
  std::string err;
  CHECK_FALSE(io::replace_file_atomically(input, "x", out, nullptr, &err));
  CHECK(err == input + " is also an input of this command; write the output elsewhere");
  CHECK(test::read_file(input) == "{}\n");
  const std::string link = dir.file("link");
  REQUIRE(::symlink(input.c_str(), link.c_str()) == 0);
  CHECK_FALSE(io::replace_file_atomically(link, "x", out, nullptr, &err));
  CHECK(test::read_file(input) == "{}\n");
}

TEST_CASE("file_io: path_exists, same_file and display_name") {
  test::TempDir dir;
  const std::string a = dir.write("a", "x");
  const std::string b = dir.write("b", "x");
  CHECK(io::path_exists(a));
  CHECK(io::path_exists(dir.path()));
  CHECK_FALSE(io::path_exists(dir.file("missing")));
  CHECK_FALSE(io::path_exists(""));
  CHECK(io::same_file(a, dir.path() + "/./a"));
  CHECK_FALSE(io::same_file(a, b));
  CHECK_FALSE(io::same_file(a, dir.file("missing")));
  CHECK(io::display_name("-") == "<stdin>");
  CHECK(io::display_name("x.json") == "x.json");
}
