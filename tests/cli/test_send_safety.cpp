// What keeps made-up data and copied placeholders out of a real Segment source. Nothing here
// connects anywhere: each refusal happens before any request.
#include <catch2/catch.hpp>
#include <string>

#include "support.hpp"

using test::run_tool;

namespace {

const std::string k_example = test::source_path("examples/segment_identify.jsonnet");
const std::string k_schema = test::source_path("examples/identity.schema.json");
const std::string k_segment = "https://api.segment.io/v1/identify";

}  // namespace

TEST_CASE("cli test-identify: a made-up user goes to a real source only with --send") {
  test::TempDir dir;
  const std::string key = dir.write("key", "wk_live_3f9a\n");
  const auto builtin = run_tool(
      {"test-identify", "--jsonnet", k_example, "--write-key-file", key, "--url", k_segment});
  INFO(builtin.out << builtin.err);
  CHECK(builtin.status == 2);
  CHECK(builtin.err.find("the built-in sample identity (ada.lovelace@example.com) is made up, and "
                         "would go to api.segment.io") != std::string::npos);
  CHECK(builtin.err.find("--identity FILE") != std::string::npos);
  CHECK(builtin.err.find("--send to send the sample anyway") != std::string::npos);
  CHECK(builtin.out.empty());  // stopped before the request: no report of one
  const auto from_schema = run_tool({"test-identify", "--jsonnet", k_example, "--schema", k_schema,
                                     "--write-key-file", key, "--url", k_segment});
  CHECK(from_schema.status == 2);
  CHECK(from_schema.err.find("a sample identity filled from") != std::string::npos);
  // The default endpoint is Segment's too.
  CHECK(run_tool({"test-identify", "--jsonnet", k_example, "--write-key-file", key}).status == 2);
  // An action that calls Segment, likewise.
  const std::string action = dir.file("action.json");
  REQUIRE(run_tool({"build-action", "--jsonnet", k_example, "--write-key-file", key, "-o", action})
              .status == 0);
  const auto by_action = run_tool({"test-identify", "--action", action});
  CHECK(by_action.status == 2);
  CHECK(by_action.err.find("is made up") != std::string::npos);
  // A dry run sends nothing: the sample is fine.
  const std::string simple = dir.write("t.jsonnet",
                                       "function(ctx) { userId: ctx.identity.id, traits: { email: "
                                       "ctx.identity.traits.email } }\n");
  const auto dry = run_tool({"test-identify", "--jsonnet", simple, "--write-key-file", key, "--url",
                             k_segment, "--dry-run"});
  INFO(dry.out << dry.err);
  CHECK(dry.status == 0);
}

TEST_CASE("cli: a placeholder from the docs is refused as a write key, in every verb") {
  test::TempDir dir;
  const std::string placeholder_file = dir.write("key", "<write-key>\n");
  const auto build =
      run_tool({"build-action", "--jsonnet", k_example, "--write-key", "$YOUR_SEGMENT_WRITE_KEY"});
  INFO(build.err);
  CHECK(build.status == 2);
  CHECK(build.err.find("--write-key is a placeholder, not a write key (it holds '$'") !=
        std::string::npos);
  const auto test_identify =
      run_tool({"test-identify", "--jsonnet", k_example, "--write-key-file", placeholder_file,
                "--url", "http://127.0.0.1:9/v1/identify"});
  CHECK(test_identify.status == 2);
  CHECK(test_identify.err.find("the write key in " + placeholder_file + " is a placeholder") !=
        std::string::npos);
  const auto backfill =
      run_tool({"backfill", "--jsonnet", k_example, "--identities",
                test::source_path("examples/identities.jsonl"), "--url", "http://127.0.0.1:9"},
               {std::nullopt, {{"SEGMENT_WRITE_KEY", "..."}}, {}});
  CHECK(backfill.status == 2);
  CHECK(backfill.err.find("SEGMENT_WRITE_KEY is a placeholder") != std::string::npos);
  for (const char* key : {"YOUR_WRITE_KEY", "write_key", "{{ write_key }}"}) {
    CAPTURE(key);
    CHECK(run_tool({"build-action", "--jsonnet", k_example, "--write-key", key}).status == 2);
  }
  // An action written by hand with the docs' placeholder as its basic_auth user.
  const std::string action = dir.write(
      "action.json",
      R"({"hook":"web_hook","config":{"url":"http://127.0.0.1:9/v1/identify","method":"POST",)"
      R"("body":"base64://ZnVuY3Rpb24oY3R4KSB7IHVzZXJJZDogY3R4LmlkZW50aXR5LmlkIH0=",)"
      R"("auth":{"type":"basic_auth","config":{"user":"YOUR_SEGMENT_WRITE_KEY","password":""}}}})");
  const auto by_action = run_tool({"test-identify", "--action", action, "--dry-run"});
  CHECK(by_action.status == 2);
  CHECK(by_action.err.find("basic_auth user is a placeholder") != std::string::npos);
  // What looks like a key is taken, a local demo's included.
  CHECK(
      run_tool({"build-action", "--jsonnet", k_example, "--write-key", "demo-write-key"}).status ==
      0);
}
