#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/jsonnet_lexer.hpp"
#include "engine/transform.hpp"

namespace {

// Each token as KIND:SOURCE_TEXT, the kind's first letter (i, n, s, y for symbol, o).
std::vector<std::string> tokens(std::string_view source) {
  std::vector<std::string> out;
  for (const auto& t : core::lex_jsonnet(source).tokens) {
    const char* kind = t.kind == core::TokenKind::ident    ? "i"
                       : t.kind == core::TokenKind::number ? "n"
                       : t.kind == core::TokenKind::string ? "s"
                       : t.kind == core::TokenKind::symbol ? "y"
                                                           : "o";
    out.push_back(std::string(kind) + ":" + std::string(source.substr(t.begin, t.end - t.begin)));
  }
  return out;
}

}  // namespace

TEST_CASE("jsonnet_lexer: tokens with their bytes, comments and blanks skipped") {
  CHECK(tokens("local x = 'a\\'b' + @\"q\"\"q\" // 'not a string\n; x.y[0] # |||\n") ==
        std::vector<std::string>{"i:local", "i:x", "o:=", "s:'a\\'b'", "o:+", "s:@\"q\"\"q\"",
                                 "y:;", "i:x", "y:.", "i:y", "y:[", "n:0", "y:]"});
  CHECK(tokens("/* 'x' |||\n */ 1.5e3 != -2") ==
        std::vector<std::string>{"n:1.5e3", "o:!=", "o:-", "n:2"});
  const auto lexed = core::lex_jsonnet("'a' + 'b\\n'");
  REQUIRE(lexed.complete);
  CHECK(lexed.tokens[0].plain);
  CHECK(lexed.tokens[0].text == "a");
  CHECK_FALSE(lexed.tokens[2].plain);  // an escape: the value is not the text
}

TEST_CASE("jsonnet_lexer: a text block ends at the first line without its indentation") {
  const std::string source =
      "{ a: |||\n    x ||| still text\n\n    y\n  |||, b: |||-\n  z\n|||, c: 1 }";
  const auto lexed = core::lex_jsonnet(source);
  REQUIRE(lexed.complete);
  CHECK(tokens(source) ==
        std::vector<std::string>{"y:{", "i:a", "o::", "s:|||\n    x ||| still text\n\n    y\n  |||",
                                 "y:,", "i:b", "o::", "s:|||-\n  z\n|||", "y:,", "i:c",
                                 "o::", "n:1", "y:}"});
  CHECK_FALSE(lexed.tokens[3].chomped);
  CHECK(lexed.tokens[7].chomped);
}

TEST_CASE("jsonnet_lexer: where Jsonnet would not lex, the tokens stop there") {
  for (const char* bad : {"1 + 'open", "1 + /* open", "1 + |||\nno indentation\n|||",
                          "1 + |||\n  never closed\n", "1 + `", "1 + @x"}) {
    CAPTURE(bad);
    const auto lexed = core::lex_jsonnet(bad);
    CHECK_FALSE(lexed.complete);
    CHECK(tokens(bad) == std::vector<std::string>{"n:1", "o:+"});
  }
}

TEST_CASE("jsonnet_lexer: imports and chomped blocks are found by token, not in strings") {
  const auto found = core::find_imports(
      "// import 'a'\nlocal s = 'import \"b\"', t = |||\n  importstr\n|||;\nimport 'c'\n",
      "t.jsonnet");
  REQUIRE(found.size() == 1);
  CHECK(found[0].location == "t.jsonnet:5:1");
  CHECK(core::rewrite_chomped_blocks("'|||-' + |||-\n  a\n|||\n") ==
        "'|||-' + (|||\n  a\n|||)[:-1]\n");
}
