#include <catch2/catch.hpp>

#include "core/transform.hpp"

TEST_CASE("transform: find_imports skips strings and comments") {
  const std::string source =
      "// import 'a'\n"
      "# importstr 'b'\n"
      "/* importbin 'c' */\n"
      "local s = 'import \"x\"';\n"
      "local v = @\"import \"\"y\"\"\";\n"
      "local t = |||\n"
      "  import 'z'\n"
      "|||;\n"
      "local imported = 1;\n"
      "local lib = importstr 'lib.txt';\n"
      "function(ctx) { a: import 'x.libsonnet' }\n";
  const auto found = core::find_imports(source, "t.jsonnet");
  REQUIRE(found.size() == 2);
  CHECK(core::to_string(found[0]) ==
        "t.jsonnet:10:13: 'importstr' is not allowed: Kratos evaluates templates with imports "
        "disabled; inline the code instead");
  CHECK(found[1].location == "t.jsonnet:11:20");
}

TEST_CASE("transform: check_template") {
  SECTION("the docs' template passes without warnings") {
    const auto check = core::check_template(
        "function(ctx) {\n  userId: ctx.identity.id,\n  traits: { email: ctx.identity.traits.email "
        "},\n}\n",
        "segment.jsonnet");
    CHECK_FALSE(check.error);
    CHECK(check.warnings.empty());
  }
  SECTION("a syntax error is located in the user's file") {
    const auto check = core::check_template("function(ctx) {\n  a: ,\n}\n", "s.jsonnet");
    REQUIRE(check.error);
    CHECK(core::to_string(*check.error) ==
          "s.jsonnet:2:6: unexpected: \",\" while parsing terminal");
  }
  SECTION("an unknown variable is a static error, even in an unevaluated field") {
    const auto check =
        core::check_template("function(ctx) {\n  a: 1,\n  b: foo,\n}\n", "s.jsonnet");
    REQUIRE(check.error);
    CHECK(core::to_string(*check.error) == "s.jsonnet:3:6: Unknown variable: foo");
  }
  SECTION("a top-level ctx without a function is unbound") {
    const auto check = core::check_template("{ userId: ctx.identity.id }", "s.jsonnet");
    REQUIRE(check.error);
    CHECK(check.error->message == "Unknown variable: ctx");
  }
  SECTION("an import is refused before evaluation, even when lazy") {
    const auto check = core::check_template("local x = import 'y.libsonnet';\n{}", "s.jsonnet");
    REQUIRE(check.error);
    CHECK(check.error->location == "s.jsonnet:1:11");
  }
  SECTION("templates that are not functions are valid") {
    CHECK_FALSE(core::check_template("{}", "s").error);
    CHECK_FALSE(core::check_template("error \"cancel\"", "s").error);
  }
  SECTION("a parameter not named ctx is a warning") {
    const auto check = core::check_template("function(user) { id: user.id }", "s.jsonnet");
    CHECK_FALSE(check.error);
    REQUIRE(check.warnings.size() == 1);
    CHECK(check.warnings[0].message.find("without a parameter named 'ctx'") != std::string::npos);
  }
  SECTION("an extra parameter without a default is a warning") {
    const auto check = core::check_template("function(ctx, extra) {}", "s.jsonnet");
    REQUIRE(check.warnings.size() == 1);
    CHECK(check.warnings[0].message.find("parameter 'extra' has no default") != std::string::npos);
    CHECK(core::check_template("function(ctx, extra=1) {}", "s").warnings.empty());
  }
  SECTION("a body that reads ctx at once is fine") {
    const auto check =
        core::check_template("function(ctx) if ctx.identity == null then {} else {}", "s");
    CHECK_FALSE(check.error);
    CHECK(check.warnings.empty());
  }
}
