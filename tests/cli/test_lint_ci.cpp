// lint in a pipeline: rule ids, turning rules off, gating on warnings, colour.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "support.hpp"

using test::run_tool;

namespace {

// Reads one optional trait without a guard (trait-unguarded, a warning without --schema) and
// sends no messageId (message-id, a warning).
const char* const k_two_warnings = R"(function(ctx) {
  userId: ctx.identity.id,
  traits: { email: ctx.identity.traits.email, name: ctx.identity.traits.name },
}
)";

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE(
    "cli lint: text names each finding's rule, and --disable, --max-warnings, --exit-zero gate "
    "it") {
  test::TempDir dir;
  const std::string t = dir.write("t.jsonnet", k_two_warnings);
  auto r = run_tool({"lint", "--jsonnet", t});
  CAPTURE(r.out, r.err);
  CHECK(r.status == 0);
  CHECK(has(r.out, "warning: " + t + ":3:53: trait 'name' is read without a guard"));
  CHECK(has(r.out, "pass --schema to know [trait-unguarded]\n"));
  CHECK(has(r.out, "by its messageId [message-id]\n"));
  CHECK(has(r.out, t + ": 0 errors, 2 warnings, 0 notes\n"));

  r = run_tool({"lint", "--jsonnet", t, "--max-warnings", "1"});
  CHECK(r.status == 1);
  CHECK(has(r.err, "error: 2 warnings, more than --max-warnings 1 allows"));
  CHECK(run_tool({"lint", "--jsonnet", t, "--max-warnings", "2"}).status == 0);
  CHECK(run_tool({"lint", "--jsonnet", t, "--max-warnings", "0", "--exit-zero"}).status == 0);

  // --disable takes lists and repeats; each id is checked.
  r = run_tool({"lint", "--jsonnet", t, "--disable", "message-id", "--max-warnings", "1"});
  CHECK(r.status == 0);
  CHECK_FALSE(has(r.out, "[message-id]"));
  r = run_tool(
      {"lint", "--jsonnet", t, "--disable", "message-id,trait-unguarded", "--max-warnings", "0"});
  CHECK(r.status == 0);
  CHECK(has(r.out, "0 errors, 0 warnings, 0 notes"));
  r = run_tool({"lint", "--jsonnet", t, "--disable", "mesage-id"});
  CHECK(r.status == 2);
  CHECK(has(r.err, "--disable: 'mesage-id' is not a rule of lint (did you mean 'message-id'?)"));

  // An error stays an error, and --exit-zero still reports it.
  const std::string bad = dir.write("bad.jsonnet", "function(ctx) { userId: ctx.nope.id }\n");
  r = run_tool({"lint", "--jsonnet", bad, "--exit-zero", "--format", "sarif"});
  CHECK(r.status == 0);
  CHECK(has(r.out, "\"level\": \"error\""));
  CHECK(run_tool({"lint", "--jsonnet", bad}).status == 1);
  CHECK(run_tool({"lint", "--jsonnet", dir.file("missing.jsonnet"), "--exit-zero"}).status == 2);
}

TEST_CASE("cli lint: a template turns a rule off for a line, the next line or the whole file") {
  test::TempDir dir;
  const std::string t = dir.write("t.jsonnet", R"(// ory-segment: disable=message-id
function(ctx) {
  userId: ctx.identity.id,
  // ory-segment: disable=trait-unguarded
  name: ctx.identity.traits.name,
  nick: ctx.identity.traits.nick,  # ory-segment: disable=trait-unguarded
  city: ctx.identity.traits.city,
  age: ctx.identity.traits.age,  /* ory-segment: disable=trait-unguardd */
}
)");
  const auto r = run_tool({"lint", "--jsonnet", t});
  CAPTURE(r.out, r.err);
  CHECK_FALSE(has(r.out, "[message-id]"));    // the file's first comment: all of it
  CHECK_FALSE(has(r.out, "trait 'name'"));    // a comment of its own: the next line
  CHECK_FALSE(has(r.out, "trait 'nick'"));    // after code: its line
  CHECK(has(r.out, "trait 'city' is read"));  // nothing turns it off
  CHECK(has(r.out, "trait 'age' is read"));
  CHECK(has(r.out, "warning: " + t +
                       ":8:37: 'trait-unguardd' is not a rule of lint: this comment turns nothing "
                       "off [lint-disable]\n  fix: did you mean 'trait-unguarded'?"));
  // In a config, the body's own comments count the same.
  const auto c = run_tool({"lint", "--config", test::source_path("examples/kratos.yml")});
  CHECK(c.status == 0);
}

TEST_CASE("cli lint: a config where no web_hook calls Segment gets a warning") {
  test::TempDir dir;
  const auto r = run_tool({"lint", "--config", test::source_path("examples/kratos.yml")});
  CAPTURE(r.out, r.err);
  CHECK(r.status == 0);
  CHECK(has(r.out, "warning: " + test::source_path("examples/kratos.yml") +
                       ": no web_hook here calls Segment"));
  CHECK(has(r.out, "[no-segment-hook]"));
}

TEST_CASE("cli lint: a read that fails only for a user without the optional traits") {
  test::TempDir dir;
  // lint's fix for one level, followed by a lookup: fails for a user without consent.
  const std::string t = dir.write("t.jsonnet", R"(function(ctx) {
  userId: ctx.identity.id,
  messageId: 'ory-' + ctx.flow.id,
  traits: { newsletter: std.get(ctx.identity.traits, 'consent', null).newsletter },
}
)");
  auto r = run_tool({"lint", "--jsonnet", t});
  CAPTURE(r.out, r.err);
  CHECK(r.status == 0);
  CHECK(has(r.out, "warning: " + t +
                       ":4:25: for a sample identity with only the required traits (email; pass "
                       "--schema for yours): "));
  CHECK(has(r.out, "[sample-fails]"));
  r = run_tool(
      {"lint", "--jsonnet", t, "--schema", test::source_path("examples/identity.schema.json")});
  CHECK(r.status == 1);
  CHECK(has(r.out, "error: " + t +
                       ":4:25: for a sample identity with only the required traits "
                       "(the schema's): "));

  // The unguarded nested read's fix covers every level, and lints clean as written.
  const std::string nested = dir.write("nested.jsonnet", R"(function(ctx) {
  userId: ctx.identity.id,
  messageId: 'ory-' + ctx.flow.id,
  traits: { newsletter: ctx.identity.traits.consent.newsletter },
}
)");
  r = run_tool({"lint", "--jsonnet", nested, "--format", "json"});
  const auto doc = nlohmann::json::parse(r.out);
  REQUIRE(doc["findings"].size() == 1);
  const std::string fix = doc["findings"][0]["fix"];
  const std::string expr =
      "std.get(std.get(ctx.identity.traits, 'consent', {}), 'newsletter', null)";
  CHECK(has(fix, expr));
  const std::string fixed = dir.write("fixed.jsonnet", R"(function(ctx) {
  userId: ctx.identity.id,
  messageId: 'ory-' + ctx.flow.id,
  traits: { newsletter: )" + expr + R"( },
}
)");
  for (const auto& schema : {std::string(), test::source_path("examples/identity.schema.json")}) {
    std::vector<std::string> args = {"lint", "--jsonnet", fixed};
    if (!schema.empty()) args.insert(args.end(), {"--schema", schema});
    r = run_tool(args);
    CAPTURE(r.out);
    CHECK(r.status == 0);
    CHECK(has(r.out, "0 errors, 0 warnings, 0 notes"));
  }
  // test-identify runs the schema's required-only sample too.
  r = run_tool({"test-identify", "--jsonnet", t, "--schema",
                test::source_path("examples/identity.schema.json"), "--dry-run"});
  CHECK(r.status == 1);
  CHECK(has(r.err, "(for the schema's sample identity with only its required traits"));
}

TEST_CASE("cli --color: errors red and warnings yellow when asked or on a terminal") {
  test::TempDir dir;
  const std::string t = dir.write("t.jsonnet", k_two_warnings);
  auto r = run_tool({"lint", "--jsonnet", t, "--color", "always", "--max-warnings", "0"});
  CHECK(has(r.out, "\x1b[1;33mwarning\x1b[0m: " + t));
  CHECK(has(r.err, "ory-segment: \x1b[1;31merror\x1b[0m: 2 warnings"));
  // Not a terminal: none, and never none with --color never or NO_COLOR.
  r = run_tool({"lint", "--jsonnet", t, "--max-warnings", "0"});
  CHECK_FALSE(has(r.out + r.err, "\x1b["));
  r = run_tool({"lint", "--jsonnet", t, "--color", "never"});
  CHECK_FALSE(has(r.out + r.err, "\x1b["));
  test::RunOptions no_color;
  no_color.env["NO_COLOR"] = "1";
  r = test::run_program(
      {"/usr/bin/script", "-qec",
       std::string(ORY_SEGMENT_BINARY) + " lint --jsonnet " + t + " --max-warnings 0", "/dev/null"},
      no_color);
  CHECK_FALSE(has(r.out, "\x1b[1;3"));
  r = test::run_program(
      {"/usr/bin/script", "-qec",
       std::string(ORY_SEGMENT_BINARY) + " lint --jsonnet " + t + " --max-warnings 0",
       "/dev/null"});
  CHECK(has(r.out, "\x1b[1;33mwarning\x1b[0m"));
  r = run_tool({"lint", "--jsonnet", t, "--color", "sometimes"});
  CHECK(r.status == 2);
  CHECK(has(r.err, "--color: 'sometimes' is not one of auto, always, never"));
}
