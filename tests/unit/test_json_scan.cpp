#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "io/json_scan.hpp"

TEST_CASE("json_scan: depth is measured without building anything, strings skipped") {
  CHECK(io::json_depth("42", 10) == 0);
  CHECK(io::json_depth(R"({"a":[1,{"b":[]}]})", 10) == 4);
  CHECK(io::json_depth(R"({"a":"[[[[{{{\"]]"})", 10) == 1);
  const std::string deep = std::string(70000, '[') + std::string(70000, ']');
  CHECK(io::json_depth(deep, 256) == 257);  // stops counting past the limit
  CHECK(io::json_depth(std::string(256, '[') + std::string(256, ']'), 256) == 256);
}

TEST_CASE("json_scan: an array's elements as written, and what is not one array") {
  std::vector<std::string> out;
  std::string err;
  REQUIRE(io::split_json_array(" [ {\"a\": [1, 2]} ,\"x,]\" , 3 ]\n", &out, &err));
  CHECK(out == std::vector<std::string>{"{\"a\": [1, 2]}", "\"x,]\"", "3"});
  out.clear();
  REQUIRE(io::split_json_array("[]", &out, &err));
  CHECK(out.empty());
  for (const auto& [text, why] : std::vector<std::pair<std::string, std::string>>{
           {"{\"a\":1}", io::k_not_an_array},
           {"", io::k_not_an_array},
           {"[1,2", "the array ends early (truncated?)"},
           {"[\"a]", "the array ends early (truncated?)"},
           {"[1,,2]", "an empty element in the array"},
           {"[1,]", "an empty element in the array"},
           {"[1] x", "text after the array"}}) {
    CAPTURE(text);
    out.clear();
    CHECK_FALSE(io::split_json_array(text, &out, &err));
    CHECK(err == why);
  }
}

TEST_CASE("json_scan: a member of an object's top level, by its key") {
  const std::string page =
      R"({"x": {"identities": 1}, "identities" : [ {"id": "a"} ] , "next_page_token":"t"})";
  CHECK(io::json_member(page, "identities") == std::string_view(R"([ {"id": "a"} ])"));
  CHECK(io::json_member(page, "next_page_token") == std::string_view("\"t\""));
  CHECK(io::json_member(page, "id") == std::nullopt);  // nested members are not the top level
  CHECK(io::json_member(R"({"k": "identities", "v": 1})", "identities") == std::nullopt);
  CHECK(io::json_member("[1]", "identities") == std::nullopt);
}

TEST_CASE("json_scan: compact_json normalises what parses, leaves the rest for its reader") {
  std::string text = "{ \"a\" : [ 1 , 2 ] }";
  io::compact_json(&text);
  CHECK(text == R"({"a":[1,2]})");
  std::string broken = "{\"a\": ";
  io::compact_json(&broken);
  CHECK(broken == "{\"a\": ");
  std::string deep = std::string(300, '[') + std::string(300, ']');
  const std::string before = deep;
  io::compact_json(&deep);
  CHECK(deep == before);
}
