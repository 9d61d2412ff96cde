#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support.hpp"

using test::run_tool;

namespace {

const std::string k_example = test::source_path("examples/segment_identify.jsonnet");
const std::string k_schema = test::source_path("examples/identity.schema.json");

// The finding lines (severity, location, message) of a text report, without the fixes.
std::vector<std::string> finding_lines(const std::string& out) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < out.size()) {
    const std::size_t end = out.find('\n', start);
    const std::string line = out.substr(start, end - start);
    if (line.rfind("error: ", 0) == 0 || line.rfind("warning: ", 0) == 0 ||
        line.rfind("note: ", 0) == 0) {
      lines.push_back(line);
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

struct LintCase {
  const char* what;
  std::string source;
  std::vector<std::string> args;
  std::string expected;  // the start of a finding line, after the file name
  int status;
};

// Each case's template linted with its arguments: its exit status, and a finding line that
// starts as expected.
void check_lint_cases(const std::vector<LintCase>& cases) {
  test::TempDir dir;
  for (const auto& c : cases) {
    CAPTURE(c.what);
    const std::string path = dir.write("t.jsonnet", c.source);
    std::vector<std::string> args = {"lint", "--jsonnet", path};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const auto r = run_tool(args);
    CHECK(r.status == c.status);
    CAPTURE(r.out);
    bool found = false;
    for (const auto& line : finding_lines(r.out)) {
      std::string relative = line;
      const auto at = relative.find(path);
      if (at != std::string::npos) relative.replace(at, path.size(), "t.jsonnet");
      found = found || relative.rfind(c.expected, 0) == 0;
    }
    CHECK(found);
  }
}

}  // namespace

TEST_CASE("cli lint: the docs' template, without and with the identity schema") {
  const auto plain = run_tool({"lint", "--jsonnet", k_example});
  CHECK(plain.status == 0);  // warnings only
  const auto lines = finding_lines(plain.out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].rfind("warning: " + k_example + ":5:11: trait 'name' is read without a guard",
                       0) == 0);
  CHECK(lines[1].rfind("warning: " + k_example + ":6:24: trait 'consent'", 0) == 0);
  CHECK(lines[2].rfind("warning: " + k_example + ": no messageId", 0) == 0);
  CHECK(plain.out.find(
            "  fix: read it defensively: use std.get(ctx.identity.traits, 'name', null)") !=
        std::string::npos);
  CHECK(plain.out.find(": 0 errors, 3 warnings, 0 notes\n") != std::string::npos);

  // The schema requires only email: name and consent are errors now.
  const auto with_schema = run_tool({"lint", "--jsonnet", k_example, "--schema", k_schema});
  CHECK(with_schema.status == 1);
  const auto errors = finding_lines(with_schema.out);
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].rfind("error: " + k_example +
                            ":5:11: trait 'name' is optional in the identity "
                            "schema",
                        0) == 0);
  CHECK(errors[1].rfind("error: " + k_example + ":6:24: trait 'consent' is optional", 0) == 0);
}

TEST_CASE("cli lint: how the template reads ctx, each mistake located, with its fix") {
  check_lint_cases({
      {"extVar",
       "{ userId: std.extVar('ctx').identity.id }",
       {},
       "error: t.jsonnet:1:11: std.extVar('ctx') fails the hook",
       1},
      {"a parameter not named ctx",
       "function(context) { userId: context.identity.id }",
       {},
       "error: t.jsonnet: the template is a function without a parameter named 'ctx'",
       1},
      {"a trait the schema does not have",
       "function(ctx) { n: ctx.identity.traits.nickname }",
       {"--schema", k_schema},
       "error: t.jsonnet:1:20: the identity schema has no trait 'nickname'",
       1},
      {"a guarded trait",
       "function(ctx) { userId: ctx.identity.id, n: if 'name' in ctx.identity.traits then "
       "ctx.identity.traits.name else null }",
       {"--schema", k_schema},
       "warning: t.jsonnet: no messageId",
       0},
      {"std.objectHas guards too",
       "function(ctx) { userId: ctx.identity.id, n: if std.objectHas(ctx.identity.traits, "
       "'name') then ctx.identity.traits.name else null }",
       {},
       "warning: t.jsonnet: no messageId",
       0},
      {"a header Kratos does not pass",
       "function(ctx) { userId: ctx.identity.id, ua: ctx.request_headers['X-Custom'] }",
       {},
       "error: t.jsonnet:1:46: Kratos does not pass the request header X-Custom",
       1},
      {"a header on the allowlist given",
       "function(ctx) { userId: ctx.identity.id, ua: ctx.request_headers['X-Custom'] }",
       {"--header-allowlist", "X-Custom"},
       "warning: t.jsonnet: no messageId",
       0},
      {"ctx.session where there is none",
       "function(ctx) { userId: ctx.session.identity.id }",
       {"--hook", "registration.after.password"},
       "error: t.jsonnet:1:25: ctx.session does not exist at registration.after.password",
       1},
  });
}

TEST_CASE("cli lint: what Segment would do with what it sends, each mistake with its fix") {
  check_lint_cases({
      {"a track without event",
       "function(ctx) { userId: ctx.identity.id, messageId: ctx.flow.id }",
       {"--call", "track"},
       "error: t.jsonnet: what it sends for a sample identity",
       1},
      {"a field lookup on a trait the schema makes a string",
       "function(ctx) { userId: ctx.identity.id, first: ctx.identity.traits.name.first }",
       {"--schema", k_schema},
       "warning: t.jsonnet:1:49: the identity schema makes trait 'name' a string",
       1},  // and the sample identity's name is a string: that lookup fails
      {"traits sent to track",
       "function(ctx) { userId: ctx.identity.id, event: 'Signed Up', traits: {}, messageId: 'x' }",
       {"--call", "track"},
       "warning: t.jsonnet: it sends traits, a field of Segment's identify call, to track",
       0},
      {"an event sent to identify",
       "function(ctx) { userId: ctx.identity.id, event: 'Signed Up', messageId: 'x' }",
       {},
       "warning: t.jsonnet: it sends event, a field of Segment's track call, to identify",
       0},
      {"no userId",
       "function(ctx) { traits: { email: ctx.identity.traits.email }, messageId: 'x' }",
       {},
       "error: t.jsonnet: what it sends for a sample identity",
       1},
  });
}

TEST_CASE("cli lint: --format json is one document, bad input exits 2") {
  const auto r = run_tool({"lint", "--jsonnet", k_example, "--format", "json"});
  CHECK(r.status == 0);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["errors"] == 0);
  CHECK(doc["warnings"] == 3);
  REQUIRE(doc["findings"].size() == 3);
  CHECK(doc["findings"][0]["severity"] == "warning");
  CHECK(doc["findings"][0]["location"] == k_example + ":5:11");
  CHECK(doc["findings"][0]["fix"].get<std::string>().find("std.get(") != std::string::npos);

  CHECK(run_tool({"lint"}).status == 2);
  CHECK(run_tool({"lint", "--jsonnet", k_example, "--format", "xml"}).status == 2);
  CHECK(run_tool({"lint", "--jsonnet", k_example, "--hook", "nowhere.after"}).status == 2);
  CHECK(run_tool({"lint", "--jsonnet", k_example, "--call", "shout"}).status == 2);
  CHECK(run_tool({"lint", "--jsonnet", "/nonexistent/t.jsonnet"}).status == 2);
}

TEST_CASE("cli lint: an action's body is linted, located in the action") {
  test::TempDir dir;
  const std::string key = dir.write("key", "lint-test-key\n");
  const auto built = run_tool({"build-action", "--jsonnet", k_example, "--write-key-file", key});
  REQUIRE(built.status == 0);
  const std::string action = dir.write("act.json", built.out);
  const auto r = run_tool({"lint", "--action", action, "--schema", k_schema});
  CHECK(r.status == 1);
  const auto lines = finding_lines(r.out);
  REQUIRE(lines.size() >= 2);
  // The action's own rules first (it has no response.ignore), then its template's.
  CHECK(lines[0].rfind("warning: " + action + ": this Segment call has no response.ignore", 0) ==
        0);
  CHECK(lines[1].find(":5:11: trait 'name' is optional in the identity schema") !=
        std::string::npos);
  CHECK(lines[1].find(action) != std::string::npos);        // the action file names the place
  CHECK(r.out.find("lint-test-key") == std::string::npos);  // the key is never shown
}
