#include <catch2/catch.hpp>
#include <string>

#include "io/document.hpp"
#include "io/yaml_splice.hpp"

namespace {

io::Json parse(const std::string& text) {
  io::Json doc;
  io::DocumentFormat format = io::DocumentFormat::yaml;
  std::string err;
  REQUIRE(io::parse_document(text, "t.yml", &doc, &format, &err));
  return doc;
}

}  // namespace

TEST_CASE("yaml_splice: what did not change is kept byte for byte, the change written anew") {
  const std::string text =
      "a: .inf   # a comment\n"
      "b:\n"
      "  c: 'quoted'\n"
      "  list:\n"
      "    - x: 1  # one\n"
      "    - x: 2\n"
      "d: !!binary aGVsbG8=\n";
  const io::Json before = parse(text);
  io::Json after = before;
  after["b"]["list"].insert(after["b"]["list"].begin(), io::Json{{"x", 0}});
  after["b"]["new"] = "value";
  after["e"] = io::Json::array({1});
  std::string out;
  REQUIRE(io::splice_yaml(text, before, after, &out));
  CHECK(out ==
        "a: .inf   # a comment\n"
        "b:\n"
        "  c: 'quoted'\n"
        "  list:\n"
        "    - x: 0\n"
        "    - x: 1  # one\n"
        "    - x: 2\n"
        "  new: value\n"
        "d: !!binary aGVsbG8=\n"
        "e:\n"
        "  - 1\n");
  // A changed scalar: its entry is written anew, the rest kept.
  io::Json changed = before;
  changed["b"]["c"] = "other";
  REQUIRE(io::splice_yaml(text, before, changed, &out));
  CHECK(out.find("  c: other\n") != std::string::npos);
  CHECK(out.find("a: .inf   # a comment\n") == 0);
}

TEST_CASE("yaml_splice: flow style where it changes, or several documents, is not edited") {
  std::string out;
  const std::string flow = "a: {b: [1, 2]}\n";
  io::Json after = parse(flow);
  after["a"]["b"].push_back(3);
  // The flow mapping cannot be edited inside: its entry is written anew (block style).
  REQUIRE(io::splice_yaml(flow, parse(flow), after, &out));
  CHECK(parse(out) == after);
  const std::string whole = "--- {a: 1}\n";
  io::Json changed = parse(whole);
  changed["b"] = 2;
  CHECK_FALSE(io::splice_yaml(whole, parse(whole), changed, &out));
  CHECK_FALSE(io::splice_yaml("a: 1\n---\na: 2\n", io::Json{{"a", 1}}, io::Json{{"a", 3}}, &out));
}
