// util::unified_diff: diff -u's format, checked by patch(1) turning the one text into the other.
#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "support.hpp"
#include "util/unified_diff.hpp"

TEST_CASE("unified_diff: hunks in diff -u's format") {
  CHECK(util::unified_diff("a\nb\n", "a\nb\n", "x", "y").empty());
  CHECK(util::unified_diff("a\nb\nc\n", "a\nB\nc\n", "x", "y") ==
        "--- x\n+++ y\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
  // An empty old range names the line before it; far-apart changes get two hunks.
  CHECK(util::unified_diff("1\n2\n", "0\n1\n2\n", "x", "y") ==
        "--- x\n+++ y\n@@ -1,2 +1,3 @@\n+0\n 1\n 2\n");
  CHECK(util::unified_diff("", "0\n", "x", "y") == "--- x\n+++ y\n@@ -0,0 +1 @@\n+0\n");
  std::string a, b;
  for (int i = 0; i < 20; ++i) {
    a += std::to_string(i) + "\n";
    b += (i == 1 || i == 18 ? "changed " : "") + std::to_string(i) + "\n";
  }
  const std::string d = util::unified_diff(a, b, "x", "y");
  CHECK(d.find("@@ -1,5 +1,5 @@\n") != std::string::npos);
  CHECK(d.find("@@ -16,5 +16,5 @@\n") != std::string::npos);
}

TEST_CASE("unified_diff: patch(1) applies it, for random edits") {
  test::TempDir dir;
  std::mt19937 random(28);
  for (int round = 0; round < 40; ++round) {
    std::string a, b;
    const int lines = 1 + static_cast<int>(random() % 60);
    for (int i = 0; i < lines; ++i) {
      const std::string line = "line " + std::to_string(random() % 12) + "\n";
      a += line;
      switch (random() % 6) {
        case 0:
          break;  // dropped
        case 1:
          b += "new " + std::to_string(i) + "\n";
          break;  // replaced
        case 2:
          b += line + "added " + std::to_string(i) + "\n";
          break;
        default:
          b += line;
      }
    }
    CAPTURE(round, a, b);
    const std::string diff = util::unified_diff(a, b, "a.txt", "a.txt");
    if (a == b) {
      CHECK(diff.empty());
      continue;
    }
    dir.write("a.txt", a);
    dir.write("d.diff", diff);
    const auto r = test::run_program(
        {"/usr/bin/patch", "-s", "-o", dir.file("b.txt"), dir.file("a.txt"), dir.file("d.diff")});
    CAPTURE(diff, r.out, r.err);
    REQUIRE(r.status == 0);
    CHECK(test::read_file(dir.file("b.txt")) == b);
  }
}
