#include <catch2/catch.hpp>

#include "io/record_reader.hpp"
#include "support.hpp"

namespace {

// Every record of `text`, then the error that ended the reading ("" for the end).
std::pair<std::vector<std::string>, std::string> read_all(const std::string& text,
                                                          std::size_t max = 1 << 20) {
  test::TempDir dir;
  io::RecordReader reader(max);
  std::string err;
  REQUIRE(reader.open(dir.write("in", text), &err));
  std::vector<std::string> records;
  std::string record;
  while (reader.next(&record, &err)) records.push_back(record);
  CHECK(reader.bytes_read() <= text.size());
  CHECK(reader.total_bytes() == text.size());
  return {records, err.empty() ? "" : err.substr(err.find(": ") + 2)};
}

using Records = std::vector<std::string>;

}  // namespace

TEST_CASE("record_reader: JSON arrays, one element at a time") {
  CHECK(read_all(R"([{"id": "a"}, {"id": "b", "x": [1, {"y": "]"}]}])").first ==
        Records{R"({"id": "a"})", R"({"id": "b", "x": [1, {"y": "]"}]})"});
  CHECK(read_all("  [ ]\n").first.empty());
  CHECK(read_all(R"(["a\"]", 1, null])").first == Records{R"("a\"]")", "1", "null"});
  CHECK(read_all("").first.empty());
}

TEST_CASE("record_reader: progress counts the bytes read, out of the file's size") {
  test::TempDir dir;
  const std::string text = "{\"id\": \"a\"}\n{\"id\": \"b\"}\n";
  io::RecordReader reader;
  std::string err, record;
  REQUIRE(reader.open(dir.write("in", text), &err));
  CHECK(reader.total_bytes() == text.size());
  REQUIRE(reader.next(&record, &err));
  CHECK(reader.bytes_read() == text.find('\n') + 1);
  while (reader.next(&record, &err)) {
  }
  CHECK(err.empty());
  CHECK(reader.bytes_read() == text.size());
}

TEST_CASE("record_reader: JSON Lines, blank lines skipped") {
  CHECK(read_all("{\"id\": \"a\"}\n\n  \n{\"id\": \"b\"}").first ==
        Records{"{\"id\": \"a\"}", "{\"id\": \"b\"}"});
  CHECK(read_all("{\"id\": \"a\"}\r\n").first == Records{"{\"id\": \"a\"}\r"});
}

TEST_CASE("record_reader: truncated or oversized input is an error, after what was whole") {
  auto [records, err] = read_all(R"([{"id": "a"}, {"id": "b")");
  CHECK(records == Records{R"({"id": "a"})"});
  CHECK(err == "the JSON array ends inside a record (truncated input?)");
  std::tie(records, err) = read_all(R"([{"id": "a"},)");
  CHECK(err == "the JSON array is not closed (truncated input?)");
  std::tie(records, err) = read_all("{\"id\": \"a\"}\n" + std::string(100, 'x') + "\n", 50);
  CHECK(records == Records{"{\"id\": \"a\"}"});
  CHECK(err == "a line is longer than 50 bytes");
  std::tie(records, err) = read_all("[\"" + std::string(100, 'x') + "\"]", 50);
  CHECK(err == "a record is larger than 50 bytes");
}

TEST_CASE("record_reader: open names what it cannot read") {
  test::TempDir dir;
  std::string err;
  io::RecordReader missing;
  CHECK_FALSE(missing.open(dir.file("missing.json"), &err));
  CHECK(err == dir.file("missing.json") + ": no such file");
  io::RecordReader directory;
  CHECK_FALSE(directory.open(dir.path(), &err));
  CHECK(err == dir.path() + ": is a directory, expected a file");
  std::string record;
  err.clear();
  CHECK_FALSE(directory.next(&record, &err));
}

TEST_CASE("record_reader: pages as the Ory CLI prints them, one after another") {
  // `ory list identities --format json` in a loop over --page-token: compact pages.
  const std::string compact = R"({"identities":[{"id":"a"},{"id":"b"}],"next_page_token":"t1"})"
                              "\n"
                              R"({"identities":[{"id":"c"}],"next_page_token":""})"
                              "\n";
  CHECK(read_all(compact) ==
        std::make_pair(Records{R"({"id":"a"})", R"({"id":"b"})", R"({"id":"c"})"}, std::string()));
  // Pretty-printed pages (json-pretty), the token first (jq -S sorts it after).
  const std::string pretty =
      "{\n  \"next_page_token\": \"t1\",\n  \"identities\": [\n    {\"id\": \"a\",\n     "
      "\"traits\": {\"email\": \"a@example.com\"}}\n  ]\n}\n{\n  \"identities\": [\n    "
      "{\"id\": \"b\"}\n  ]\n}\n";
  const auto read = read_all(pretty);
  CHECK(read.second.empty());
  CHECK(read.first == Records{R"({"id":"a","traits":{"email":"a@example.com"}})", R"({"id":"b"})"});
  // An empty last page, and arrays one after another.
  CHECK(read_all(R"({"identities": [], "next_page_token": ""})").first.empty());
  CHECK(read_all("[{\"id\":\"a\"}]\n[{\"id\":\"b\"}]\n").first ==
        Records{R"({"id":"a"})", R"({"id":"b"})"});
  // An identity whose traits mention "identities" is still one record.
  CHECK(read_all(R"({"id":"a","traits":{"identities":"x"}})"
                 "\n")
            .first == Records{R"({"id":"a","traits":{"identities":"x"}})"});
  // A pretty page cut short is an error, after the records that were whole.
  CHECK(read_all("{\n \"identities\": [\n {\"id\": \"a\"}").second ==
        "the input ends inside a JSON value (truncated input?)");
}
