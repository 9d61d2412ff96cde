#include <catch2/catch.hpp>

#include "engine/transform.hpp"

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
        "t.jsonnet:10:13: 'importstr' fails the hook when it is evaluated: Kratos evaluates "
        "templates with imports disabled; inline the code instead");
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
  SECTION("an import is a warning: Kratos refuses it only when it is evaluated") {
    const auto check = core::check_template("local x = import 'y.libsonnet';\n{}", "s.jsonnet");
    CHECK_FALSE(check.error);
    REQUIRE(check.warnings.size() == 1);
    CHECK(check.warnings[0].location == "s.jsonnet:1:11");
    CHECK(check.warnings[0].severity == core::Severity::warning);
    // Lazy, as in go-jsonnet: the unused one does no harm, the one evaluated fails.
    CHECK(core::evaluate_template("local x = import 'y.libsonnet';\n{}", "s", "{}").body ==
          "{ }\n");
    const auto used = core::evaluate_template("local x = import 'y.libsonnet';\nx", "s", "{}");
    CHECK(used.status == core::EvalStatus::failed);
    CHECK(core::check_template("local x = import 'y.libsonnet';\nx", "s").error);
  }
  SECTION("templates that are not functions are valid") {
    CHECK_FALSE(core::check_template("{}", "s").error);
    CHECK_FALSE(core::check_template("error \"cancel\"", "s").error);
  }
  SECTION("a parameter not named ctx is a warning") {
    const auto check = core::check_template("function(user) { id: user.id }", "s.jsonnet");
    CHECK_FALSE(check.error);
    REQUIRE(check.call_error);
    CHECK(check.call_error->message.find("without a parameter named 'ctx'") != std::string::npos);
  }
  SECTION("an extra parameter without a default is a warning") {
    const auto check = core::check_template("function(ctx, extra) {}", "s.jsonnet");
    REQUIRE(check.call_error);
    CHECK(check.call_error->message.find("parameter 'extra' has no default") != std::string::npos);
    CHECK_FALSE(core::check_template("function(ctx, extra=1) {}", "s").call_error);
  }
  SECTION("a body that reads ctx at once is fine") {
    const auto check =
        core::check_template("function(ctx) if ctx.identity == null then {} else {}", "s");
    CHECK_FALSE(check.error);
    CHECK(check.warnings.empty());
  }
}

namespace {

const std::string k_ctx = R"({"identity":{"id":"abc","traits":{"email":"a@b.c","name":"Ada"}}})";

}  // namespace

TEST_CASE("transform: evaluate_template produces Kratos's body bytes") {
  const auto e = core::evaluate_template(
      "function(ctx) {\n  userId: ctx.identity.id,\n  traits: { name: ctx.identity.traits.name, "
      "email: ctx.identity.traits.email, list: [], obj: {}, n: 0.1, u: 'caf\u00e9\\u0001' },\n}\n",
      "t.jsonnet", k_ctx);
  REQUIRE(e.status == core::EvalStatus::ok);
  CHECK(e.body ==
        "{\n"
        "   \"traits\": {\n"
        "      \"email\": \"a@b.c\",\n"
        "      \"list\": [ ],\n"
        "      \"n\": 0.10000000000000001,\n"
        "      \"name\": \"Ada\",\n"
        "      \"obj\": { },\n"
        "      \"u\": \"caf\u00e9\\u0001\"\n"
        "   },\n"
        "   \"userId\": \"abc\"\n"
        "}\n");
}

TEST_CASE("transform: a template that is not a function ignores ctx") {
  const auto e = core::evaluate_template("{ fixed: true }", "t.jsonnet", k_ctx);
  REQUIRE(e.status == core::EvalStatus::ok);
  CHECK(e.body == "{\n   \"fixed\": true\n}\n");
}

TEST_CASE("transform: cancel follows Kratos's rule (the text holds 'RUNTIME ERROR: cancel')") {
  auto e = core::evaluate_template("function(ctx) error 'cancel'", "t.jsonnet", k_ctx);
  CHECK(e.status == core::EvalStatus::cancelled);
  e = core::evaluate_template("function(ctx) error 'cancel: no consent' + ctx.identity.id",
                              "t.jsonnet", k_ctx);
  CHECK(e.status == core::EvalStatus::cancelled);
  // Kratos fails these hooks: "RUNTIME ERROR: please cancel this" does not hold the marker.
  e = core::evaluate_template(
      "function(ctx) if ctx.identity.traits.email == 'a@b.c' then error 'please cancel this' else "
      "{}",
      "t.jsonnet", k_ctx);
  CHECK(e.status == core::EvalStatus::failed);
  e = core::evaluate_template("function(ctx) error {reason: 'cancel'}", "t.jsonnet", k_ctx);
  CHECK(e.status == core::EvalStatus::failed);
  e = core::evaluate_template("function(ctx) error 'Cancel'", "t.jsonnet", k_ctx);
  CHECK(e.status == core::EvalStatus::failed);
  // ...and cancels this one, whose text holds the marker on its second line.
  e = core::evaluate_template("function(ctx) error 'x\nRUNTIME ERROR: cancel'", "t.jsonnet", k_ctx);
  CHECK(e.status == core::EvalStatus::cancelled);
  e = core::evaluate_template("function(ctx) error 'stop'", "t.jsonnet", k_ctx);
  CHECK(e.status == core::EvalStatus::failed);
  CHECK(to_string(e.error) == "t.jsonnet:1:15: stop");
}

TEST_CASE("transform: errors point into the user's file, line 1 included") {
  auto e = core::evaluate_template("function(ctx) { a: ctx.nope }", "t.jsonnet", k_ctx);
  REQUIRE(e.status == core::EvalStatus::failed);
  CHECK(to_string(e.error) == "t.jsonnet:1:20: field does not exist: nope");
  e = core::evaluate_template("{ a: foo }", "t.jsonnet", k_ctx);
  CHECK(to_string(e.error) == "t.jsonnet:1:6: Unknown variable: foo");
  const auto check = core::check_template("{ a: foo }", "t.jsonnet");
  REQUIRE(check.error);
  CHECK(check.error->location == "t.jsonnet:1:6");
}

TEST_CASE("transform: a missing optional trait gets a std.get suggestion") {
  const auto e = core::evaluate_template(
      "function(ctx) {\n  userId: ctx.identity.id,\n  consent: "
      "ctx.identity.traits.consent.newsletter,\n}\n",
      "segment.jsonnet", k_ctx);
  REQUIRE(e.status == core::EvalStatus::failed);
  CHECK(to_string(e.error) == "segment.jsonnet:3:12: field does not exist: consent");
  CHECK(e.error.hint ==
        "'consent' may be missing (an optional trait left empty at sign-up): use "
        "std.get(ctx.identity.traits, 'consent', null), or test 'consent' in ctx.identity.traits "
        "first");
}

TEST_CASE("transform: the sandbox") {
  SECTION("imports") {
    const auto e = core::evaluate_template("function(ctx) importstr '/etc/passwd'", "t", "{}");
    CHECK(e.status == core::EvalStatus::failed);
    CHECK(e.error.message ==
          "couldn't open import \"/etc/passwd\": imports are disabled (Kratos evaluates "
          "templates without them)");
  }
  SECTION("deep recursion is an error, not a crash") {
    const auto e =
        core::evaluate_template("local f(n) = 1 + f(n + 1);\nfunction(ctx) f(0)", "t", "{}");
    CHECK(e.status == core::EvalStatus::failed);
    CHECK(e.error.message == "max stack frames exceeded.");
  }
  SECTION("output over 256 KiB") {
    // Cheap to build, so a sanitizer build stays well inside the (raised) time limit.
    core::EvalLimits limits;
    limits.timeout = std::chrono::seconds(20);
    const auto e = core::evaluate_template(
        "local kb = std.join('', ['0123456789abcdef' for i in std.range(1, 64)]);\n"
        "function(ctx) [kb for i in std.range(1, 300)]",
        "t", "{}", limits);
    CHECK(e.status == core::EvalStatus::output_too_large);
    CHECK(e.error.message == "the output exceeds Kratos's 256 KiB limit");
  }
  SECTION("Kratos accepts 262,143 bytes of output, not 262,144") {
    core::EvalLimits limits;
    limits.timeout = std::chrono::seconds(20);
    // A string manifests as its characters, two quotes and a newline.
    const auto body_of = [&](int chars) {
      return core::evaluate_template(
          "local kb = std.join('', ['0123456789abcdef' for i in std.range(1, 64)]);\n"
          "function(ctx) std.substr(std.join('', [kb for i in std.range(1, 256)]), 0, " +
              std::to_string(chars) + ")",
          "t", "{}", limits);
    };
    const auto fits = body_of(262140);
    REQUIRE(fits.status == core::EvalStatus::ok);
    CHECK(fits.body.size() == 262143);
    CHECK(body_of(262141).status == core::EvalStatus::output_too_large);
  }
  SECTION("the clock starts with the template's own code, once libjsonnet has loaded it") {
    // libjsonnet parses its std again for each file it loads (go-jsonnet does not): that
    // is not the template's time. With no time at all, a template that does not parse gets
    // its parse error, because it never starts.
    core::EvalLimits limits;
    limits.timeout = std::chrono::milliseconds(0);
    const auto e = core::evaluate_template("function(ctx) { a: }", "t.jsonnet", "{}", limits);
    CHECK(e.status == core::EvalStatus::failed);
    CHECK(to_string(e.error) == "t.jsonnet:1:20: unexpected: \"}\" while parsing terminal");
  }
  SECTION("an endless loop stops at the deadline") {
    core::EvalLimits limits;
    limits.timeout = std::chrono::milliseconds(300);
    const auto e = core::evaluate_template(
        "local f(n) = if n < 0 then 0 else f(n + 1) tailstrict;\nfunction(ctx) f(0)", "t", "{}",
        limits);
    CHECK(e.status == core::EvalStatus::timed_out);
    CHECK(e.error.message == "the evaluation exceeds Kratos's 300 ms limit (stopped)");
    CHECK(e.elapsed < std::chrono::seconds(5));
  }
}

TEST_CASE("transform: chomped text blocks, as go-jsonnet reads them") {
  CHECK(core::rewrite_chomped_blocks("local a = 1; a") == "local a = 1; a");
  CHECK(core::rewrite_chomped_blocks("|||-\n  x\n|||") == "(|||\n  x\n|||)[:-1]");
  // Inside strings and comments nothing changes.
  CHECK(core::rewrite_chomped_blocks("'|||-' // |||-\n") == "'|||-' // |||-\n");
  const auto e =
      core::evaluate_template("{ a: |||-\n  x\n  y\n|||, b: |||\n  z\n||| }", "t.jsonnet", "{}");
  REQUIRE(e.status == core::EvalStatus::ok);
  CHECK(e.body == "{\n   \"a\": \"x\\ny\",\n   \"b\": \"z\\n\"\n}\n");
  // An error after a block keeps its line.
  const auto bad =
      core::evaluate_template("{ a: |||-\n  x\n|||,\n b: error 'boom' }", "t.jsonnet", "{}");
  CHECK(core::to_string(bad.error).find("t.jsonnet:4:") == 0);
}

TEST_CASE("transform: '%g' of 0, a known difference, is explained where it fails") {
  const auto e = core::evaluate_template("{ a: '%g' % 0 }", "t.jsonnet", "{}");
  REQUIRE(e.status == core::EvalStatus::failed);
  CHECK(e.error.message == "overflow");
  CHECK(e.error.hint.find("Kratos's go-jsonnet prints 0") != std::string::npos);
  // Other overflows get no such hint.
  const auto big = core::evaluate_template("{ a: std.exp(1000) }", "t.jsonnet", "{}");
  REQUIRE(big.status == core::EvalStatus::failed);
  CHECK(big.error.hint.empty());
}

TEST_CASE("transform: evaluate_checked checks as check_template does, in the same evaluation") {
  const std::vector<std::string> templates = {
      "function(ctx) { userId: ctx.identity.id }",
      "function(ctx) {\n  a: ,\n}\n",
      "function(ctx) {\n  a: 1,\n  b: foo,\n}\n",
      "{ userId: ctx.identity.id }",
      "local x = import 'y.libsonnet';\n{}",
      "local x = import 'y.libsonnet';\nx",
      "{}",
      "error \"cancel\"",
      "error 'not yet'",
      "local a = [][1];\nfunction(ctx) a",
      "function(user) { id: user.id }",
      "function(ctx, extra) { id: ctx.identity.id }",
      "function(ctx) error 'fails in the body'",
      "function(ctx) error 'cancel: body'",
  };
  const std::string ctx = R"({"identity": {"id": "i-1"}})";
  for (const auto& source : templates) {
    CAPTURE(source);
    const auto check = core::check_template(source, "t.jsonnet");
    const auto checked = core::evaluate_checked(source, "t.jsonnet", ctx);
    const auto alone = core::evaluate_template(source, "t.jsonnet", ctx);
    CHECK(check.error.has_value() == checked.check.error.has_value());
    if (check.error && checked.check.error) {
      CHECK(core::to_string(*check.error) == core::to_string(*checked.check.error));
    }
    CHECK(check.call_error.has_value() == checked.check.call_error.has_value());
    if (check.call_error && checked.check.call_error) {
      CHECK(core::to_string(*check.call_error) == core::to_string(*checked.check.call_error));
    }
    CHECK(check.warnings.size() == checked.check.warnings.size());
    CHECK(checked.evaluation.status == alone.status);
    CHECK(checked.evaluation.body == alone.body);
    CHECK(core::to_string(checked.evaluation.error) == core::to_string(alone.error));
  }
}
