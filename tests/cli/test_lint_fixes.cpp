// Every fix lint gives as a command runs as written, and afterwards lint no longer reports
// what it fixed.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "support.hpp"

using nlohmann::json;
using test::run_tool;

namespace {

const char* const k_body =
    "base64://ZnVuY3Rpb24oY3R4KSB7IHVzZXJJZDogY3R4LmlkZW50aXR5LmlkLCBtZXNzYWdlSWQ6ICdvcnktJyArIGN0"
    "eC5mbG93LmlkIH0K";  // function(ctx) { userId: ctx.identity.id, messageId: 'ory-' + ctx.flow.id
                         // }

std::string segment_hook(const std::string& indent) {
  return indent + "- hook: web_hook\n" + indent + "  config:\n" + indent +
         "    url: https://api.segment.io/v1/identify\n" + indent + "    method: POST\n" + indent +
         "    body: " + k_body + "\n" + indent + "    response:\n" + indent +
         "      ignore: true\n";
}

// The command in a fix ("...: ory-segment ..."), or "" for a fix that names none.
std::string command_in(const std::string& fix) {
  const auto at = fix.find("ory-segment ");
  return at == std::string::npos ? "" : fix.substr(at);
}

// Lints `config` in `dir`, runs each fix of `rule` that is a command there, and checks that lint
// reports no finding of that rule afterwards. Returns how many fixes ran.
int run_fixes(const test::TempDir& dir, const std::string& config, const std::string& rule) {
  const auto before = run_tool({"lint", "--config", config, "--format", "json"}, [&] {
    test::RunOptions o;
    o.cwd = dir.path();
    return o;
  }());
  const json report = json::parse(before.out);
  int ran = 0;
  for (const auto& f : report["findings"]) {
    if (f["rule"] != rule) continue;
    const std::string command = command_in(f["fix"]);
    REQUIRE_FALSE(command.empty());
    CAPTURE(command);
    test::RunOptions o;
    o.cwd = dir.path();
    const std::string bin = ORY_SEGMENT_BINARY;
    o.env["PATH"] = bin.substr(0, bin.rfind('/')) + ":/usr/bin:/bin";
    o.env["SEGMENT_WRITE_KEY"] = "wk-lint-fix";
    const auto r = test::run_program({"/bin/sh", "-c", command}, o);
    CAPTURE(r.err);
    CHECK(r.status == 0);
    ++ran;
  }
  test::RunOptions o;
  o.cwd = dir.path();
  const auto after = run_tool({"lint", "--config", config, "--format", "json"}, o);
  CAPTURE(after.out);
  const json report_after = json::parse(after.out);  // kept: the loop reads into it
  for (const auto& f : report_after["findings"]) CHECK(f["rule"] != rule);
  return ran;
}

}  // namespace

TEST_CASE("cli lint: every fix that is a command runs as shown and fixes what it says") {
  test::TempDir dir;
  SECTION("web-hook-never-runs: moved to the methods' lists") {
    dir.write("kratos.yml",
              "selfservice:\n  methods:\n    password:\n      enabled: true\n  flows:\n"
              "    registration:\n      after:\n        hooks:\n" +
                  segment_hook("          ") +
                  "        password:\n          hooks:\n            - hook: session\n");
    CHECK(run_fixes(dir, "kratos.yml", "web-hook-never-runs") == 1);
    const auto lint = run_tool({"lint", "--config", dir.file("kratos.yml")});
    CHECK(lint.status == 0);
    CHECK(lint.out.find("registration.after.password   web_hook api.segment.io/v1/identify, "
                        "session") != std::string::npos);
  }
  SECTION("web-hook-some-methods: added to the lists that shadow it") {
    dir.write("kratos.yml",
              "selfservice:\n  methods:\n    password:\n      enabled: true\n    oidc:\n"
              "      enabled: true\n  flows:\n    registration:\n      after:\n        hooks:\n" +
                  segment_hook("          ") +
                  "        password:\n          hooks:\n            - hook: session\n");
    CHECK(run_fixes(dir, "kratos.yml", "web-hook-some-methods") == 1);
  }
  SECTION("no-segment-hook: one built and installed") {
    dir.write("kratos.yml", test::read_file(test::source_path("examples/kratos.yml")));
    dir.write("segment.jsonnet",
              test::read_file(test::source_path("examples/segment_identify.jsonnet")));
    CHECK(run_fixes(dir, "kratos.yml", "no-segment-hook") == 1);
  }
}
