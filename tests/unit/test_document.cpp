#include <catch2/catch.hpp>

#include "io/document.hpp"

namespace {

io::Json parse_ok(const std::string& text, io::DocumentFormat* format = nullptr) {
  io::Json doc;
  std::string err;
  INFO(text);
  REQUIRE(io::parse_document(text, "doc", &doc, format, &err));
  return doc;
}

std::string parse_error(const std::string& text) {
  io::Json doc;
  std::string err;
  REQUIRE_FALSE(io::parse_document(text, "doc", &doc, nullptr, &err));
  return err;
}

}  // namespace

TEST_CASE("document: YAML plain scalars resolve like the YAML 1.2 core schema") {
  const auto doc = parse_ok(
      "a: true\nb: 12\nc: -3\nd: 1.5\ne: null\nf: ~\ng: hello\nh: \"true\"\ni: '12'\n"
      "j: yes\nk: 0x1f\nl:\n");
  CHECK(doc["a"] == true);
  CHECK(doc["b"] == 12);
  CHECK(doc["c"] == -3);
  CHECK(doc["d"] == 1.5);
  CHECK(doc["e"].is_null());
  CHECK(doc["f"].is_null());
  CHECK(doc["g"] == "hello");
  CHECK(doc["h"] == "true");
  CHECK(doc["i"] == "12");
  CHECK(doc["j"] == "yes");
  CHECK(doc["k"] == 31);
  CHECK(doc["l"].is_null());
}

TEST_CASE("document: JSON is detected and keeps key order") {
  io::DocumentFormat format{};
  const auto doc = parse_ok("  {\"z\": 1, \"a\": [true, null]}", &format);
  CHECK(format == io::DocumentFormat::json);
  CHECK(doc.begin().key() == "z");
  parse_ok("z: 1\n", &format);
  CHECK(format == io::DocumentFormat::yaml);
}

TEST_CASE("document: errors carry NAME:LINE:COL") {
  CHECK(parse_error("{\n  \"a\": 1,\n}") ==
        "doc:3:1: invalid JSON: syntax error while parsing object key - unexpected '}'; "
        "expected string literal");
  CHECK(parse_error("a: [1, 2\nb: 3\n").rfind("doc:2:", 0) == 0);
  CHECK(parse_error("a: 1\n---\nb: 2\n") == "doc: holds 2 YAML documents; expected exactly one");
}

TEST_CASE("document: a YAML alias bomb is refused quickly") {
  std::string bomb =
      "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) bomb += std::string(i ? "," : "") + "*" + prev;
    bomb += "]\n";
    prev = c;
  }
  const std::string err = parse_error(bomb);
  CHECK(err.find("document expands to more than 1000000 nodes (a YAML alias bomb?)") !=
        std::string::npos);
}

TEST_CASE("document: deep nesting is refused, not a stack overflow") {
  CHECK(parse_error(std::string(100000, '[')) == "doc: JSON nests deeper than 256 levels");
  const std::string yaml_err = parse_error(std::string(100000, '['));
  CHECK_FALSE(yaml_err.empty());
  std::string deep_yaml;
  for (int i = 0; i < 300; ++i)
    deep_yaml += std::string(static_cast<std::size_t>(i) * 2, ' ') + "k:\n";
  CHECK(parse_error(deep_yaml).find("nesting deeper than 256 levels") != std::string::npos);
}

TEST_CASE("document: to_yaml quotes strings that would change type and round-trips") {
  io::Json value = {{"s", "true"},
                    {"n", "12"},
                    {"e", ""},
                    {"y", "yes"},
                    {"x", "a: b # c"},
                    {"u", "caf\xc3\xa9"},
                    {"b", false},
                    {"i", 7},
                    {"f", 2.5},
                    {"z", nullptr},
                    {"arr", {1, "2", {{"k", "~"}}}},
                    {"nl", "a\nb"}};
  const std::string yaml = io::to_yaml(value);
  const auto back = parse_ok(yaml);
  CHECK(back == value);
}

TEST_CASE("document: YAML anchors and merge keys resolve as Go's loaders do") {
  const auto doc = parse_ok(
      "base: &base\n  url: https://a/\n  method: POST\n"
      "hook:\n  <<: *base\n  method: PUT\n"
      "list:\n  - *base\n");
  CHECK(doc["hook"] == io::Json{{"method", "PUT"}, {"url", "https://a/"}});
  CHECK(doc["list"][0]["url"] == "https://a/");
  CHECK(parse_error("a: &a 1\nb:\n  <<: *a\n").find("a '<<' merge key needs a mapping") !=
        std::string::npos);
}

TEST_CASE("document: a number no double can hold is an error, not a crash") {
  CHECK(parse_error("{\"a\": 1e999}") == "doc: invalid JSON: number overflow parsing '1e999'");
}

TEST_CASE("document: a parse error gives the place, never the text (it may be a key)") {
  for (const char* text :
       {"{\"config\": {\"auth\": {\"type\": \"basic_auth\", \"config\": {\"user\": "
        "\"SEKRET\x01\"}}}}",
        "{\"user\": \"SEKRET\\q\"}", "{\"user\": \"SEKRET", "{\"user\": \"SEKRET\"\n \"x\": 1}",
        "user: \"SEKRET\\q\"\n", "user: [SEKRET\n"}) {
    CAPTURE(text);
    const std::string err = parse_error(text);
    CHECK(err.rfind("doc:", 0) == 0);
    CHECK(err.find("SEKRET") == std::string::npos);
    CHECK(err.find("SEK") == std::string::npos);
  }
}

TEST_CASE("document: where a JSON pointer's value starts, in YAML and JSON") {
  const std::string yaml =
      "a:\n"
      "  b:\n"
      "    - x: 1\n"
      "    - hook: web_hook\n"
      "      config: {url: 'u'}\n"
      "  \"c/d\": 2\n";
  const auto at = [&](const std::string& text, const std::string& pointer) {
    const auto p = io::pointer_position(text, pointer);
    REQUIRE(p);
    return std::make_pair(p->line, p->column);
  };
  CHECK(at(yaml, "") == std::make_pair(std::size_t{1}, std::size_t{1}));
  CHECK(at(yaml, "/a/b") == std::make_pair(std::size_t{3}, std::size_t{5}));
  CHECK(at(yaml, "/a/b/1") == std::make_pair(std::size_t{4}, std::size_t{7}));
  CHECK(at(yaml, "/a/b/1/config/url") == std::make_pair(std::size_t{5}, std::size_t{21}));
  CHECK(at(yaml, "/a/c~1d") == std::make_pair(std::size_t{6}, std::size_t{10}));
  // a pointer that leaves the document: the deepest value on its way
  CHECK(at(yaml, "/a/b/7") == std::make_pair(std::size_t{3}, std::size_t{5}));
  CHECK(at(yaml, "/a/nope/x") == std::make_pair(std::size_t{2}, std::size_t{3}));
  const std::string json = "{\n  \"a\": [\n    1,\n    {\"b\": true}\n  ]\n}\n";
  CHECK(at(json, "/a/1/b") == std::make_pair(std::size_t{4}, std::size_t{11}));
  CHECK(!io::pointer_position("a: [1,\n", "/a"));
  // the tree is only read: asking twice gives the same answer
  CHECK(at(yaml, "/a/b/1") == at(yaml, "/a/b/1"));
}
