#include <catch2/catch.hpp>

#include "engine/go_manifest.hpp"

using Json = nlohmann::ordered_json;

TEST_CASE("go_manifest: numbers as Go's FormatFloat(x, 'f', -1, 64)") {
  CHECK(core::go_format_float(1.42) == "1.42");
  CHECK(core::go_format_float(0.1) == "0.1");
  CHECK(core::go_format_float(1e-7) == "0.0000001");
  CHECK(core::go_format_float(1e21) == "1000000000000000000000");
  CHECK(core::go_format_float(-0.0) == "-0");
  CHECK(core::go_format_float(3) == "3");
  CHECK(core::go_format_float(1.0 / 3) == "0.3333333333333333");
}

TEST_CASE("go_manifest: strings as Go's encoding/json and as go-jsonnet's own escaper") {
  // encoding/json with SetEscapeHTML(false): <>& kept, U+2028/9 escaped, DEL kept.
  CHECK(core::go_json_string("a\"b\\c\n\t<&>\x01\x7f\xe2\x80\xa8\xe2\x80\xa9\xc3\xa9") ==
        "\"a\\\"b\\\\c\\n\\t<&>\\u0001\x7f\\u2028\\u2029\xc3\xa9\"");
  // unparseString / escapeStringJson: \b \f named, DEL and U+0080..U+009F as \u00XX.
  CHECK(core::go_jsonnet_string("\b\f\x7f\xc2\x85\xc2\xa0\xe2\x80\xa8") ==
        "\"\\b\\f\\u007f\\u0085\xc2\xa0\xe2\x80\xa8\"");
}

TEST_CASE("go_manifest: manifestJsonEx's layout, fields sorted") {
  const Json v = Json::parse(R"({"b": [1, 0.5, {}], "a": {"x": null}, "c": []})");
  CHECK(core::go_manifest_json_ex(v, "", "", ":") == R"({"a":{"x":null},"b":[1,0.5,{}],"c":[]})");
  CHECK(core::go_manifest_json_ex(Json::parse("[1, true]"), "  ", "\n", ": ") ==
        "[\n  1,\n  true\n]");
  // go-jsonnet writes empty containers with the newline inside.
  CHECK(core::go_manifest_json_ex(Json::parse("{\"e\": []}"), "  ", "\n", ": ") ==
        "{\n  \"e\": [\n\n  ]\n}");
}

TEST_CASE("go_manifest: manifestYamlDoc, keys bare only where YAML reads them back") {
  const Json v = Json::parse(
      R"({"a": [1, [2, 3], []], "b c": {}, "d": {"e": "x\ny\n", "f": 1.42}, "true": 1,
          "1": 2, "2020-01-01": 3, "0x1": 4, "a.b": 5, "1.5e3": 6, "inf": 7})");
  CHECK(core::go_manifest_yaml_doc(v, false, false) ==
        "\"0x1\": 4\n\"1\": 2\n\"1.5e3\": 6\n\"2020-01-01\": 3\n"
        "a:\n- 1\n-\n  - 2\n  - 3\n- []\na.b: 5\n\"b c\": {}\n"
        "d:\n  e: |\n    x\n    y\n  f: 1.42\n\"inf\": 7\n\"true\": 1");
  CHECK(core::go_manifest_yaml_doc(Json::parse(R"({"a": [1]})"), true, true) == "\"a\":\n  - 1");
  CHECK(core::go_manifest_yaml_doc(Json::parse(R"("")"), false, true) == "\"\"");
}
