#include <catch2/catch.hpp>

#include "backfill/failed_file.hpp"
#include "support.hpp"

TEST_CASE("failed_file: a line says why, and carries the identity back as input") {
  const core::Json identity = {{"id", "u1"}, {"traits", {{"email", "a@b.c"}}}};
  const std::string line = core::failed_line(7, "r1", identity, "send", "HTTP 400 after 1 attempts",
                                             core::Json{{"userId", "u1"}});
  CHECK(line ==
        R"({"id":"u1","record":7,"run":"r1","stage":"send","reason":"HTTP 400 after 1 attempts",)"
        R"("message":{"userId":"u1"},"identity":{"id":"u1","traits":{"email":"a@b.c"}}})"
        "\n");
  core::Json read_back = core::Json::parse(line);
  CHECK(core::unwrap_failed_line(&read_back));
  CHECK(read_back == identity);
  // An identity is not a failed line, and stays as it is.
  CHECK_FALSE(core::unwrap_failed_line(&read_back));
  CHECK(read_back == identity);
}

TEST_CASE("failed_file: records that are not identities, and bytes that are not UTF-8") {
  CHECK(core::failed_line(0, "r1", nullptr, "parse", "not JSON") ==
        R"({"id":null,"record":0,"run":"r1","stage":"parse","reason":"not JSON"})"
        "\n");
  const std::string line =
      core::failed_line(1, "r1", core::Json{{"id", "x\xff"}}, "identity", "bad \xfe bytes");
  CHECK(line.find("\xff") == std::string::npos);
  CHECK_NOTHROW(core::Json::parse(line));
}

TEST_CASE("failed_file: appends, so failures of earlier runs stay") {
  test::TempDir dir;
  const std::string path = dir.write("failed.jsonl", "{\"earlier\":1}\n");
  std::string err;
  {
    core::FailedFile file;
    REQUIRE(file.open(path, &err));
    CHECK(file.path() == path);
    CHECK(file.append(core::failed_line(3, "r1", core::Json{{"id", "a"}}, "transform", "x"), &err));
    long bytes = 0;
    CHECK(file.sync(&bytes, &err));
    CHECK(bytes == static_cast<long>(test::read_file(path).size()));
  }
  const std::string text = test::read_file(path);
  CHECK(text.rfind("{\"earlier\":1}\n{\"id\":\"a\",\"record\":3,", 0) == 0);
  core::FailedFile dir_file;
  CHECK_FALSE(dir_file.open(dir.path(), &err));
  CHECK(err == dir.path() + ": cannot open for appending: Is a directory");
}

TEST_CASE("failed_file: the lines a crashed run wrote after its last state, a cut line removed") {
  test::TempDir dir;
  const std::string before = core::failed_line(1, "r1", core::Json{{"id", "a"}}, "transform", "x");
  const std::string after = core::failed_line(7, "r1", core::Json{{"id", "b"}}, "send", "y") +
                            core::failed_line(9, "r1", core::Json{{"id", "c"}}, "send", "y");
  const std::string path = dir.write("failed.jsonl", before + after + R"({"id":"d","rec)");
  core::FailedFile file;
  std::string err;
  REQUIRE(file.open(path, &err));
  std::vector<long> records;
  bool shrunk = true;
  REQUIRE(file.records_after(static_cast<long>(before.size()), "r1", &records, &shrunk, &err));
  CHECK_FALSE(shrunk);
  CHECK(records == std::vector<long>{7, 9});
  CHECK(test::read_file(path) == before + after);  // the cut line is gone
  // Appends go after the complete lines.
  REQUIRE(file.append(before, &err));
  long bytes = 0;
  REQUIRE(file.sync(&bytes, &err));
  CHECK(test::read_file(path) == before + after + before);
  CHECK(bytes == static_cast<long>((before + after + before).size()));
  records.clear();
  REQUIRE(file.records_after(bytes + 100, "r1", &records, &shrunk, &err));
  CHECK(shrunk);
  CHECK(records.empty());
  // Lines of another run where this one left off: not taken as its own.
  records.clear();
  CHECK_FALSE(file.records_after(static_cast<long>(before.size()), "r2", &records, &shrunk, &err));
  CHECK(err.find(path + " holds failures of another run (r1, after byte ") == 0);
  CHECK(records.empty());
}

TEST_CASE("failed_file: a failure that cannot be written is an error, not lost quietly") {
  core::FailedFile full;
  std::string err;
  REQUIRE(full.open("/dev/full", &err));
  CHECK_FALSE(full.append(core::failed_line(1, "r1", core::Json{{"id", "a"}}, "send", "x"), &err));
  CHECK(err == "/dev/full: cannot write a failure: No space left on device");
}
