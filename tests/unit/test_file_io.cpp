#include <sys/stat.h>

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

TEST_CASE("file_io: replace_file_atomically keeps the mode and the backup") {
  test::TempDir dir;
  const std::string path = dir.write("config.yml", "old\n");
  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  std::string err;
  REQUIRE(io::replace_file_atomically(path, "new\n", path + ".bak", &err));
  CHECK(test::read_file(path) == "new\n");
  CHECK(test::read_file(path + ".bak") == "old\n");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  SECTION("a directory in the way is refused, and nothing is left behind") {
    CHECK_FALSE(io::replace_file_atomically(dir.path(), "x", "", &err));
    CHECK(err == dir.path() + ": is a directory");
    CHECK_FALSE(io::replace_file_atomically(dir.file("no/such/dir/f"), "x", "", &err));
    CHECK(err.rfind(dir.file("no/such/dir/f") + ": cannot create a temporary file beside it", 0) ==
          0);
  }
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
