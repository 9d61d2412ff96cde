// What an attacker or an unlucky operator tries: each case names the defect it holds shut.
// Beside tests/cli/test_bad_input.cpp's table of plain bad input.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support.hpp"

using nlohmann::json;
using test::run_tool;

namespace {

// Every native function the tool registers in libjsonnet, its own and go-jsonnet's
// polyfills': none may be reachable from a user's template (Kratos registers none).
const char* const k_natives[] = {"ory_prune",
                                 "ory_digest_base64",
                                 "ory_strip_chars",
                                 "ory_atan2",
                                 "ory_hypot",
                                 "ory_round",
                                 "ory_equals_fold",
                                 "ory_trim_space",
                                 "ory_split_limit_r",
                                 "ory_sha1",
                                 "ory_sha256",
                                 "ory_sha512",
                                 "ory_sha3_512",
                                 "ory_parse_int",
                                 "ory_split_limit",
                                 "ory_format_pieces",
                                 "ory_format_join",
                                 "ory_manifest_json_ex",
                                 "ory_manifest_yaml_doc",
                                 "ory_segment_started",
                                 "ory_segment_loaded",
                                 "ory_segment_result",
                                 "ory_segment_next",
                                 "ory_segment_item",
                                 "ory_segment_emit",
                                 "ory_segment_done",
                                 "ory_segment_cancel",
                                 "ory_segment_absent",
                                 "ory_segment_absent_ids",
                                 "ory_segment_has_absent"};

struct Case {
  const char* defect;  // the item
  std::vector<std::string> args;
  int status;
  std::string says;  // on stderr
};

}  // namespace

TEST_CASE("adversarial: inputs that once lost data or lied, each refused with a reason") {
  test::TempDir dir;
  const std::string t = dir.write("t.jsonnet", "function(ctx) { userId: ctx.identity.id }\n");
  const std::string ids = dir.write("ids.jsonl", "{\"id\":\"a\",\"traits\":{}}\n");
  const std::vector<Case> cases = {
      {"5: --failed '' wrote failures nowhere while the state marked them done",
       {"backfill", "--jsonnet", t, "--identities", ids, "--url", "http://127.0.0.1:9",
        "--write-key", "wk", "--failed", ""},
       2,
       "--failed needs a file"},
      {"21: --client-timeout 0 was refused with a range that includes it",
       {"listen", "--port", "0", "--client-timeout", "0"},
       2,
       "--client-timeout must be above 0 and at most 3600 seconds"},
      {"12: an --event that is not UTF-8 went into the template",
       {"init", "--schema", test::source_path("examples/identity.schema.json"), "--call", "track",
        "--event", "Signed \xff Up", "-o", dir.file("out.jsonnet")},
       2,
       "--event is not UTF-8"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.defect);
    const auto r = run_tool(c.args);
    CHECK(r.status == c.status);
    CHECK(r.err.find(c.says) != std::string::npos);
  }
  CHECK_FALSE(test::file_exists(dir.file("out.jsonnet")));
}

TEST_CASE("adversarial: no native function of the tool is reachable from a template (13)") {
  test::TempDir dir;
  std::string names = "[";
  for (const char* n : k_natives) names += std::string(names.size() > 1 ? "," : "") + "'" + n + "'";
  names += "]";
  // go-jsonnet's std.native gives null for a name nobody registered, as in Kratos.
  const std::string probe =
      dir.write("probe.jsonnet",
                "function(ctx) { userId: ctx.identity.id, traits: { reachable: [n for n in " +
                    names + " if std.native(n) != null] } }\n");
  const std::string identity = test::source_path("examples/identity.json");
  const auto tested = run_tool({"test-identify", "--jsonnet", probe, "--identity", identity,
                                "--dry-run", "--format", "json"});
  INFO(tested.out << tested.err);
  REQUIRE(tested.status == 0);
  CHECK(json::parse(json::parse(tested.out)["body"].get<std::string>())["traits"]["reachable"] ==
        json::array());
  // Through backfill's helper processes, which register more.
  const auto backfilled =
      run_tool({"backfill", "--jsonnet", probe, "--identities",
                dir.write("ids.jsonl", "{\"id\":\"a\",\"traits\":{}}\n"), "--dry-run"});
  INFO(backfilled.err);
  REQUIRE(backfilled.status == 0);
  CHECK(json::parse(backfilled.out)["traits"]["reachable"] == json::array());
  // A template cannot forge the tool's result: calling the null fails the hook, as in Kratos.
  const std::string forge = dir.write(
      "forge.jsonnet", "function(ctx) std.native('ory_segment_result')('{\"userId\":\"x\"}')\n");
  const auto forged = run_tool({"test-identify", "--jsonnet", forge, "--identity", identity,
                                "--dry-run", "--format", "json"});
  CHECK(forged.status == 1);
  CHECK(json::parse(forged.out)["verdict"] == "template-failed");
  CHECK(run_tool({"test-identify", "--jsonnet",
                  dir.write("num.jsonnet", "function(ctx) { userId: std.native(1) }\n"),
                  "--identity", identity, "--dry-run"})
            .err.find("Unexpected type number, expected string") != std::string::npos);
}

TEST_CASE("adversarial: a schema's property names cannot write code into init's template (12)") {
  test::TempDir dir;
  // A name that would end the string, or the comment line, and cancel every call.
  const std::string hostile = "x'\n  error 'cancel' //\r\u0000\u001b[2J";
  json schema = {
      {"$id", "https://example.com/s.json"},
      {"type", "object"},
      {"properties",
       {{"traits",
         {{"type", "object"},
          {"properties",
           {{"email", {{"type", "string"}, {"format", "email"}}}, {hostile, {{"type", "string"}}}}},
          {"required", {"email"}}}}}}};
  const std::string schema_path = dir.write("schema.json", schema.dump());
  const std::string out = dir.file("t.jsonnet");
  const auto written = run_tool({"init", "--schema", schema_path, "-o", out});
  INFO(written.err);
  REQUIRE(written.status == 0);
  const std::string source = test::read_file(out);
  // The name stays inside its strings (escaped) and its comment line (control characters
  // blanked): no line of code starts with it.
  CHECK(source.find("\n  error") == std::string::npos);
  CHECK(source.find('\r') == std::string::npos);
  CHECK(source.find('\x1b') == std::string::npos);
  // The name goes through as data: the identity that has it sends it, nothing is cancelled.
  json identity = {{"id", "9f425a8d-7efc-4768-8f23-7647a74fdf13"},
                   {"created_at", "2026-01-01T00:00:00Z"},
                   {"traits", {{"email", "a@example.com"}, {hostile, "v"}}}};
  const auto tested =
      run_tool({"test-identify", "--jsonnet", out, "--identity",
                dir.write("identity.json", identity.dump()), "--dry-run", "--format", "json"});
  INFO(tested.out << tested.err);
  REQUIRE(tested.status == 0);
  CHECK(json::parse(json::parse(tested.out)["body"].get<std::string>())["traits"][hostile] == "v");
  CHECK(run_tool({"lint", "--jsonnet", out, "--schema", schema_path}).status == 0);
}

TEST_CASE("adversarial: bash completes a file name with spaces as one word (21)") {
  test::TempDir dir;
  dir.write("my identities.json", "[]");
  const std::string script = dir.write("c.bash", run_tool({"completion", "bash"}).out);
  const auto r = test::run_program(
      {"/bin/bash", "-c",
       "source " + script + "; cd " + dir.file("") +
           " && COMP_WORDS=(ory-segment backfill --identities my); COMP_CWORD=3; _ory_segment; "
           "printf '%s\\n' \"${#COMPREPLY[@]}\" \"${COMPREPLY[@]}\""});
  INFO(r.out << r.err);
  CHECK(r.out == "1\nmy identities.json\n");
}

TEST_CASE(
    "adversarial: lint's text never passes a config's control characters to the terminal "
    "(14)") {
  test::TempDir dir;
  const json config = {{"selfservice",
                        {{"flows",
                          {{"registration",
                            {{"after",
                              {{"hooks",
                                {{{"hook", "web_hook"},
                                  {"config",
                                   {{"url", "https://example.com/\x1b[2J\nforged: line"},
                                    {"method", "POST"},
                                    {"body", "base64://ZnVuY3Rpb24oY3R4KSB7fQ=="}}}}}}}}}}}}}}};
  const auto r =
      run_tool({"lint", "--config", dir.write("config.json", config.dump()), "--format", "text"});
  INFO(r.out << r.err);
  CHECK(r.out.find('\x1b') == std::string::npos);
  CHECK(r.out.find("\nforged: line") == std::string::npos);
}
